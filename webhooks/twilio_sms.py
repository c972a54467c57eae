"""Twilio's SMS webhook: form fields in, TwiML out. The business rules live in bot.inbound."""

from __future__ import annotations

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.inbound import InboundMessage, handle_inbound

from .services import services
from .twilio_signature import validate_twilio_request

bp = Blueprint("twilio", __name__, url_prefix="/twilio")


def _num_media(raw: str | None) -> int:
    try:
        return max(int(raw or 0), 0)
    except ValueError:
        return 0


def twiml(replies: list[str]) -> Response:
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    return Response(str(response), mimetype="application/xml")


@bp.post("/sms")
@validate_twilio_request
def inbound_sms():
    form = request.form
    app_services = services()
    result = handle_inbound(
        app_services.sessions,
        app_services.rasa,
        InboundMessage(
            channel="sms",
            body=form.get("Body", ""),
            phone=form.get("From"),
            twilio_sid=form.get("MessageSid") or form.get("SmsSid") or None,
            num_media=_num_media(form.get("NumMedia")),
        ),
        default_language=app_services.settings.default_language,
    )
    # A retried MessageSid gets an empty TwiML answer: the family already had the reply.
    return twiml([] if result.duplicate else result.replies)
