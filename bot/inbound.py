"""An inbound message's path, from a family's text to the bot's replies, whatever the channel.

The order matters: the message is logged (and committed) before anything that can fail runs,
so nothing a family sends is ever lost, even when Rasa is down."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from .contacts import choose_language, choose_language_explicitly, find_or_create_by_phone
from .conversations import bot_is_paused, current_conversation, find_by_twilio_sid, log_message
from .db import session_scope
from .models import Message, utcnow
from .phone import mask, to_e164
from .rasa_client import RasaClient, RasaUnavailable, Understanding
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


# Intents the web process acts on itself, before Rasa answers.
CHANGE_LANGUAGE = "change_language"
TALK_TO_HUMAN = "talk_to_human"


def _ask_bot(rasa: RasaClient, contact, conversation, inbound: InboundMessage, language: str):
    """The bot's turn: returns the replies, what the model read, and the language answered in."""
    if not inbound.body.strip():
        return [text("no_text", language)], Understanding(), language
    deadline = rasa.deadline()
    understanding = rasa.parse(inbound.body, deadline)
    if understanding.intent == CHANGE_LANGUAGE:
        language = choose_language_explicitly(contact, understanding.entity("language"))
    elif understanding.intent == TALK_TO_HUMAN:
        conversation.needs_staff = True
    metadata = {"language": language, "channel": inbound.channel}
    replies = rasa.reply(contact.public_id, inbound.body, metadata, deadline)
    return replies, understanding, language


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
        log.info("inbound %s from %s (%s)", message.id, mask(contact.phone), language)

        if bot_is_paused(conversation):
            return InboundResult(language=language, message_id=message.id)

        sender = Message.SENDER_BOT
        try:
            replies, understanding, language = _ask_bot(
                rasa, contact, conversation, inbound, language
            )
        except RasaUnavailable as error:
            log.warning("bot unavailable for message %s: %s", message.id, error)
            conversation.needs_staff = True
            replies, understanding = [text("apology_bot_unavailable", language)], Understanding()
            sender = Message.SENDER_SYSTEM
        message.intent, message.confidence = understanding.intent, understanding.confidence
        for reply in replies:
            log_message(
                session,
                conversation,
                direction=Message.DIRECTION_OUT,
                sender=sender,
                body=reply,
                language=language,
                intent=understanding.intent,
                confidence=understanding.confidence,
            )
        return InboundResult(replies=replies, language=language, message_id=message.id)
