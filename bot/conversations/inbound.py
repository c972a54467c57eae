"""An inbound message's path, from a family's text to the bot's replies, whatever the channel.

The order matters: the message is logged (and committed) before anything that can fail runs,
so nothing a family sends is ever lost, even when Rasa is down. Then, in this order: compliance
keywords (always answered), an opted-out number (never answered), a conversation staff have
(the bot is quiet), what the bot cannot read, and only then the bot."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.conversations import replay_ledger
from bot.conversations.log import (
    bot_is_paused,
    broadcast_answered,
    current_conversation,
    find_by_twilio_sid,
    log_message,
)
from bot.conversations.message_checks import has_text, is_other_script, text_for_bot
from bot.db import session_scope
from bot.families import compliance
from bot.families.contacts import (
    choose_language,
    choose_language_explicitly,
    find_or_create_by_phone,
    find_or_create_by_web_chat_id,
)
from bot.families.handoff import hand_to_staff, mark_for_staff
from bot.models import Contact, Conversation, Message, utcnow
from bot.rasa.client import RasaClient, RasaUnavailable, Understanding
from bot.text.phone import mask, to_e164
from bot.text.segments import fit_segments
from bot.texts import text

log = logging.getLogger(__name__)


@dataclass
class InboundMessage:
    channel: str
    body: str
    phone: str | None = None  # as the carrier sent it; normalised here
    web_chat_id: str | None = None  # the web chat's random visitor id, instead of a phone
    twilio_sid: str | None = None
    num_media: int = 0


@dataclass
class InboundResult:
    duplicate: bool = False
    replies: list[str] = field(default_factory=list)
    language: str | None = None
    message_id: int | None = None


@dataclass
class _Logged:
    contact: Contact
    conversation: Conversation
    message: Message
    language: str | None  # None: a text in another script from a contact we know nothing of
    keyword: compliance.Keyword | None
    language_before: str | None = None  # the contact's language before this message


@dataclass
class _Answer:
    replies: list[str] = field(default_factory=list)
    sender: str = Message.SENDER_SYSTEM
    understanding: Understanding = field(default_factory=Understanding)
    language: str | None = None


def _find_contact(session, inbound: InboundMessage):
    if inbound.web_chat_id:
        return find_or_create_by_web_chat_id(session, inbound.web_chat_id)
    e164 = to_e164(inbound.phone)
    # A malformed number is kept as sent (flagged), so its message is still logged and visible.
    return find_or_create_by_phone(
        session, e164 or (inbound.phone or "").strip()[:40] or "unknown", valid=e164 is not None
    )


def _language(contact: Contact, body: str, keyword, default_language: str) -> str | None:
    if keyword:
        # STOP or INFO says nothing about the family's language (Spanish speakers send STOP
        # too), so the contact's stays as it was.
        return contact.language or keyword.language or default_language
    if is_other_script(body):
        return contact.language
    return choose_language(contact, body, default_language)


def _log_inbound(session, inbound: InboundMessage, default_language: str) -> _Logged:
    contact = _find_contact(session, inbound)
    contact.last_seen_at = utcnow()
    conversation = current_conversation(session, contact, inbound.channel)
    keyword = compliance.keyword_for(contact, inbound.body)
    language_before = contact.language
    language = _language(contact, inbound.body, keyword, default_language)
    answered = broadcast_answered(session, conversation)
    message = log_message(
        session,
        conversation,
        direction=Message.DIRECTION_IN,
        sender=Message.SENDER_FAMILY,
        body=inbound.body,
        num_media=inbound.num_media,
        language=language,
        twilio_sid=inbound.twilio_sid,
        broadcast_id=answered,
    )
    session.flush()
    return _Logged(contact, conversation, message, language, keyword, language_before)


# The intent the web process acts on itself, once Rasa has answered.
CHANGE_LANGUAGE = "change_language"


def _ask_bot(rasa: RasaClient, logged: _Logged, channel: str) -> _Answer:
    """The bot's turn: its replies, what the model read, and the language answered in."""
    contact, conversation, language = logged.contact, logged.conversation, logged.language
    body, cut = text_for_bot(logged.message.body)
    if cut:
        log.info("message %s is long: the bot reads its start, staff the rest", logged.message.id)
        mark_for_staff(conversation, "long_message")
    reply = rasa.ask(contact.public_id, body, {"language": language, "channel": channel})
    texts, understanding = reply.texts, reply.understanding
    if understanding.intent == CHANGE_LANGUAGE:
        # Rasa already answered in the new language (actions/language_slot.py makes the same
        # choice); the contact keeps it from now on.
        language = choose_language_explicitly(
            contact, understanding.entity("language"), language, logged.language_before, body
        )
    if reply.handoff:
        # The bot keeps answering while the family waits; only a staff member's hold quiets it.
        texts = hand_to_staff(conversation, reply.handoff, texts, language)
    return _Answer(texts, Message.SENDER_BOT, understanding, language)


def _unreadable(logged: _Logged, default_language: str) -> _Answer | None:
    """The answer to a message the bot cannot read, or None when it can."""
    message, language = logged.message, logged.language
    if not has_text(message.body):
        kind = "picture only" if message.num_media else "empty"
        log.info("message %s has no text (%s): asked for words", message.id, kind)
        return _Answer([text("no_text", language)], language=language)
    if is_other_script(message.body):
        log.info("message %s is in another script: told we answer in en/es", message.id)
        if language is None:
            return _Answer(
                [text("other_script_bilingual", default_language)], language=default_language
            )
        return _Answer([text("other_script", language)], language=language)
    return None


def _answer(
    session, rasa: RasaClient, logged: _Logged, channel: str, default_language: str
) -> _Answer:
    contact, message = logged.contact, logged.message
    if logged.keyword:
        key = compliance.answer_keyword(session, contact, logged.keyword, channel, message.id)
        log.info("message %s is the keyword %s: %s", message.id, logged.keyword.word, key)
        return _Answer([text(key, logged.language)] if key else [], language=logged.language)
    if contact.opted_out:
        # Logged above, never answered: the number said STOP and has not said START since.
        log.info("message %s from an opted-out contact: logged, not answered", message.id)
        return _Answer(language=logged.language)
    if bot_is_paused(logged.conversation):
        # Staff have it: the bot stays quiet and the conversation shows as waiting for them.
        logged.conversation.needs_staff = True
        return _Answer(language=logged.language)
    unreadable = _unreadable(logged, default_language)
    if unreadable:
        return unreadable
    try:
        return _ask_bot(rasa, logged, channel)
    except RasaUnavailable as error:
        log.warning("bot unavailable for message %s: %s", message.id, error)
        mark_for_staff(logged.conversation, "bot_unavailable")
        return _Answer([text("apology_bot_unavailable", logged.language)], language=logged.language)


def _cleaned(inbound: InboundMessage) -> InboundMessage:
    # PostgreSQL refuses NUL characters in text, which would fail the logging itself.
    return replace(
        inbound,
        body=(inbound.body or "").replace("\x00", ""),
        phone=inbound.phone.replace("\x00", "") if inbound.phone else inbound.phone,
    )


def handle_inbound(
    sessions: sessionmaker,
    rasa: RasaClient,
    inbound: InboundMessage,
    default_language: str,
) -> InboundResult:
    inbound = _cleaned(inbound)
    with session_scope(sessions) as session:
        if inbound.twilio_sid and find_by_twilio_sid(session, inbound.twilio_sid):
            return InboundResult(duplicate=True)
        if inbound.twilio_sid and replay_ledger.seen_before(session, inbound.twilio_sid):
            # Answered before and purged since: Twilio never resends that late, so this is a
            # captured request played again. Nothing of it is kept.
            log.warning("an SMS whose MessageSid was answered before its purge: ignored")
            return InboundResult(duplicate=True)
        try:
            logged = _log_inbound(session, inbound, default_language)
            if inbound.twilio_sid:
                replay_ledger.remember(session, inbound.twilio_sid)
            # Committed before Rasa is asked. It also gives the connection back: sessions keep
            # their objects loaded after a commit and nothing on the way to Rasa queries, so no
            # connection (or idle transaction) waits on Rasa.
            session.commit()
        except IntegrityError:
            # The same MessageSid arrived twice at once; the other request answers it.
            session.rollback()
            return InboundResult(duplicate=True)
        message = logged.message
        log.info(
            "inbound %s from %s (%s)",
            message.id,
            mask(logged.contact.phone) if logged.contact.phone else "web chat",
            logged.language,
        )

        answer = _answer(session, rasa, logged, inbound.channel, default_language)
        message.intent = answer.understanding.intent
        message.confidence = answer.understanding.confidence
        if inbound.channel == "sms":
            # What is logged is what the family gets: no reply costs more than three segments.
            answer.replies = [fit_segments(reply) for reply in answer.replies]
        for reply in answer.replies:
            log_message(
                session,
                logged.conversation,
                direction=Message.DIRECTION_OUT,
                sender=answer.sender,
                body=reply,
                language=answer.language,
                intent=answer.understanding.intent,
                confidence=answer.understanding.confidence,
            )
        return InboundResult(
            replies=answer.replies, language=answer.language, message_id=message.id
        )
