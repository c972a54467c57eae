"""An inbound message's path, from a family's text to the bot's replies, whatever the channel.

The order matters: the message is logged (and committed) before anything that can fail runs,
so nothing a family sends is ever lost, even when Rasa is down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from .contacts import choose_language, find_or_create_by_phone
from .conversations import bot_is_paused, current_conversation, find_by_twilio_sid, log_message
from .db import session_scope
from .models import Message, utcnow
from .phone import mask, to_e164
from .rasa_client import BotTurn, RasaClient, RasaUnavailable
from .texts import text

log = logging.getLogger(__name__)


@dataclass
class InboundMessage:
    channel: str
    body: str
    phone: str | None = None  # as the carrier sent it; normalised here
    twilio_sid: str | None = None
    num_media: int = 0


@dataclass
class InboundResult:
    duplicate: bool = False
    replies: list[str] = field(default_factory=list)
    language: str | None = None
    message_id: int | None = None


def _log_inbound(session, inbound: InboundMessage, default_language: str):
    e164 = to_e164(inbound.phone)
    # A malformed number is kept as sent (flagged), so its message is still logged and visible.
    contact = find_or_create_by_phone(
        session, e164 or (inbound.phone or "").strip()[:40] or "unknown", valid=e164 is not None
    )
    contact.last_seen_at = utcnow()
    conversation = current_conversation(session, contact, inbound.channel)
    language = choose_language(contact, inbound.body, default_language)
    message = log_message(
        session,
        conversation,
        direction=Message.DIRECTION_IN,
        sender=Message.SENDER_FAMILY,
        body=inbound.body,
        num_media=inbound.num_media,
        language=language,
        twilio_sid=inbound.twilio_sid,
    )
    session.flush()
    return contact, conversation, message, language


def _ask_bot(rasa: RasaClient, public_id: str, inbound: InboundMessage, language: str) -> BotTurn:
    if not inbound.body.strip():
        return BotTurn(replies=[text("no_text", language)])
    return rasa.converse(
        public_id, inbound.body, {"language": language, "channel": inbound.channel}
    )


def handle_inbound(
    sessions: sessionmaker, rasa: RasaClient, inbound: InboundMessage, default_language: str
) -> InboundResult:
    with session_scope(sessions) as session:
        if inbound.twilio_sid and find_by_twilio_sid(session, inbound.twilio_sid):
            return InboundResult(duplicate=True)
        try:
            contact, conversation, message, language = _log_inbound(
                session, inbound, default_language
            )
            session.commit()
        except IntegrityError:
            # The same MessageSid arrived twice at once; the other request answers it.
            session.rollback()
            return InboundResult(duplicate=True)
        result = InboundResult(language=language, message_id=message.id)
        log.info("inbound %s from %s (%s)", message.id, mask(contact.phone), language)

        if bot_is_paused(conversation):
            return result  # staff are answering this family; the console shows the message

        try:
            turn = _ask_bot(rasa, contact.public_id, inbound, language)
        except RasaUnavailable as error:
            log.warning("bot unavailable for message %s: %s", message.id, error)
            conversation.needs_staff = True
            turn = BotTurn(replies=[text("apology_bot_unavailable", language)])
            sender = Message.SENDER_SYSTEM
        else:
            sender = Message.SENDER_BOT
        message.intent, message.confidence = turn.intent, turn.confidence
        for reply in turn.replies:
            log_message(
                session,
                conversation,
                direction=Message.DIRECTION_OUT,
                sender=sender,
                body=reply,
                language=language,
                intent=turn.intent,
                confidence=turn.confidence,
            )
        result.replies = turn.replies
        return result
