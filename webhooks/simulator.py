"""Phone simulator under /simulator: a staff tool for the embedded default, where no Twilio account
is configured and outbound texts go to the console transport instead of phones.

A text typed here runs the real SMS path (bot.conversations.inbound, channel "sms", the number
typed), and the page shows that number's whole thread from the message log: the bot's replies and
anything else sent to it (broadcasts, reminders), with what each text costs in SMS segments.

It has no login, so it exists only while no Twilio account is configured: with real credentials
anyone reaching it could put words in a real family's mouth or read their thread, so it answers
404 as if it were not there."""

from __future__ import annotations

import phonenumbers
from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import select

from bot.conversations.inbound import InboundMessage, handle_inbound
from bot.models import Contact, Conversation
from bot.text.phone import to_e164
from bot.text.segments import count_segments

from .page_headers import locked_down
from .services import services
from .threads import thread, utc_iso

bp = Blueprint("simulator", __name__, url_prefix="/simulator")

# Twilio's limit for one message body; longer texts never reach the webhook either.
MAX_TEXT_CHARS = 1600
# 555-01xx numbers are reserved for fiction: they can never belong to a real family.
DEMO_NUMBERS = ("+13235550100", "+13235550101", "+12135550102")
RECENT_NUMBERS = 20
POLL_SECONDS = 3


@bp.before_request
def _only_without_twilio():
    # Only on the embedded default: a deployment that real families text must never let a
    # passer-by inject messages or read threads by number.
    if not services().settings.phone_simulator_enabled:
        abort(404)


bp.after_request(locked_down)


def _bad_request(error: str):
    return jsonify(error=error), 400


def _display(e164: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def _numbers_to_pick() -> list[tuple[str, str]]:
    """(E.164, how it reads) for the demo numbers and the numbers that texted most recently."""
    with services().sessions() as db:
        recent = (
            db.execute(
                select(Contact.phone)
                .where(Contact.phone.is_not(None), Contact.phone_valid.is_(True))
                .order_by(
                    Contact.last_seen_at.is_(None), Contact.last_seen_at.desc(), Contact.id.desc()
                )
                .limit(RECENT_NUMBERS)
            )
            .scalars()
            .all()
        )
    numbers = list(dict.fromkeys([*DEMO_NUMBERS, *recent]))
    return [(number, _display(number)) for number in numbers]


def _serialize(message) -> dict:
    cost = count_segments(message.body or "")
    return {
        "id": message.id,
        "direction": message.direction,
        "sender": message.sender,
        "body": message.body,
        "language": message.language,
        "intent": message.intent,
        "confidence": message.confidence,
        "delivery_status": message.delivery_status,
        "broadcast_id": message.broadcast_id,
        "sent_at": utc_iso(message.created_at),
        "segments": cost.segments,
        "encoding": cost.encoding,
    }


def _thread_json(e164: str) -> list[dict]:
    with services().sessions() as db:
        return [_serialize(m) for m in thread(db, Conversation.CHANNEL_SMS, phone=e164)]


@bp.get("")
def page():
    phone = to_e164(request.args.get("phone")) or DEMO_NUMBERS[0]
    return render_template(
        "simulator.html",
        phone=phone,
        shown=_display(phone),
        numbers=_numbers_to_pick(),
        max_chars=MAX_TEXT_CHARS,
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/messages")
def messages():
    e164 = to_e164(request.args.get("phone"))
    if e164 is None:
        return _bad_request("phone: give a valid US number, e.g. +1 323 555 0100")
    return jsonify(phone=e164, messages=_thread_json(e164))


@bp.post("/messages")
def send():
    # JSON only, as in web chat: another site cannot make a browser send that without a CORS
    # preflight, so a page elsewhere cannot type texts into a developer's running line.
    payload = request.get_json(silent=True) if request.is_json else None
    if not isinstance(payload, dict):
        return _bad_request('send JSON: {"phone": "+13235550100", "text": "hola"}')
    e164 = to_e164(payload.get("phone") if isinstance(payload.get("phone"), str) else None)
    if e164 is None:
        return _bad_request("phone: give a valid US number, e.g. +1 323 555 0100")
    text = payload.get("text")
    if not isinstance(text, str):
        return _bad_request("text: a string is required (it may be empty)")
    if len(text) > MAX_TEXT_CHARS:
        return _bad_request(f"text: at most {MAX_TEXT_CHARS} characters, as over SMS")
    app_services = services()
    result = handle_inbound(
        app_services.sessions,
        app_services.rasa,
        InboundMessage(channel=Conversation.CHANNEL_SMS, body=text, phone=e164),
        default_language=app_services.settings.default_language,
    )
    return jsonify(
        phone=e164, replies=result.replies, language=result.language, messages=_thread_json(e164)
    )
