"""Twilio's SMS webhook: form fields in, TwiML out. The business rules live in
bot.conversations.inbound."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from bot.conversations.inbound import InboundMessage, handle_inbound
from bot.text.whole_numbers import whole_number

from .services import services
from .twilio_signature import validate_twilio_request

log = logging.getLogger(__name__)

bp = Blueprint("twilio", __name__, url_prefix="/twilio")

# Twilio's SIDs are 34 characters; the column holds 64. Anything longer is not Twilio's.
MAX_SID_LENGTH = 64
MAX_MEDIA = 10


def _num_media(raw: str | None) -> int:
    # Twilio sends at most 10; a wild number must not reach the database's integer column.
    count = whole_number((raw or "0").strip(), high=MAX_MEDIA)
    if count is None:
        log.warning("inbound SMS with an unreadable NumMedia %r: taken as 0", (raw or "")[:20])
        return 0
    return count


def _message_sid(form) -> str | None:
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sid:
        log.warning("inbound SMS without MessageSid: logged, but a retry cannot be recognised")
        return None
    if len(sid) > MAX_SID_LENGTH:
        log.warning("inbound SMS with a %d-character MessageSid: not kept", len(sid))
        return None
    return sid


def _inbound_message(form) -> InboundMessage:
    # Every field may be missing: the message is still logged and answered, never a 500.
    if "Body" not in form:
        log.warning("inbound SMS without a Body field: taken as empty")
    if not form.get("From"):
        log.warning("inbound SMS without a From number: logged under 'unknown'")
    return InboundMessage(
        channel="sms",
        body=form.get("Body", ""),
        phone=form.get("From"),
        twilio_sid=_message_sid(form),
        num_media=_num_media(form.get("NumMedia")),
    )


# Characters XML 1.0 cannot hold, even escaped (control characters but tab and newlines, lone
# surrogates, U+FFFE/U+FFFF). One in a reply makes the TwiML unreadable and Twilio drops it all.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def twiml(replies: list[str]) -> Response:
    response = MessagingResponse()
    for reply in replies:
        response.message(xml_safe(reply))
    return Response(str(response), mimetype="application/xml")


@bp.post("/sms")
@validate_twilio_request
def inbound_sms():
    app_services = services()
    result = handle_inbound(
        app_services.sessions,
        app_services.rasa,
        _inbound_message(request.form),
        default_language=app_services.settings.default_language,
    )
    # A retried MessageSid gets an empty TwiML answer: the family already had the reply.
    return twiml([] if result.duplicate else result.replies)
