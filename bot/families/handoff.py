"""Handing a conversation to staff without leaving the family in silence.

Rasa decides when (a custom action sends {"handoff": reason}); this module decides what it means:
the conversation joins the staff queue and the bot keeps answering what it can while the family
waits. The bot goes quiet only while a staff member holds the conversation
(bot/conversations/staff_replies.py; bot.conversations.log.bot_is_paused reads it)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.families.office_hours import when_staff_answer
from bot.models import Conversation, utcnow
from bot.texts import text

log = logging.getLogger(__name__)

# Why a conversation went to staff, as recorded (the Rasa actions' `handoff` payloads and
# bot.conversations.inbound), in the words the console shows staff.
REASONS = {
    "talk_to_human": "The family asked for a person",
    "not_understood": "The bot did not understand twice",
    "bot_unavailable": "The bot was down when the family wrote",
    "long_message": "A long message the bot only read the start of",
    "fact_unknown": "The family asked for a school fact the line does not have",
    "school_question": "The family asked an everyday school question (lunch, buses, grades…)",
    "program_question": "The family asked about a program's times, cost or joining at a school",
    "language_question": "The family asked what language an event or class is in",
}
# Hand-offs whose reply only says a person will answer: repeated while the family already waits,
# they get a short acknowledgement (a message the bot cannot read, at most every TOLD_AGAIN_AFTER).
# Any other (a fact the line does not have) is an answer in itself and always sent.
ACKNOWLEDGED = ("talk_to_human", "not_understood")


def reason_label(reason: str | None) -> str:
    return REASONS.get(reason, reason or "")


def mark_for_staff(conversation: Conversation, reason: str, now: datetime | None = None) -> None:
    """Puts the conversation in the staff queue, saying why; the bot may keep answering."""
    conversation.needs_staff = True
    conversation.handoff_reason = reason[:64]
    conversation.handed_off_at = now or utcnow()


# While a family waits for staff, a message the bot cannot answer is acknowledged again only
# this long after the family was last told: a reminder per message would be noise, and paid for.
TOLD_AGAIN_AFTER = timedelta(hours=3)


def hand_to_staff(
    conversation: Conversation,
    reason: str,
    bot_replies: list[str],
    language: str | None,
    now: datetime | None = None,
) -> list[str]:
    """Puts the conversation in the staff queue and returns what the family is told.

    The first hand-off sends the bot's own replies (who will answer, and when). If the family was
    already waiting, another hand-off ("¿hola?", a message the bot cannot read) gets a short
    acknowledgement instead, at most once per TOLD_AGAIN_AFTER, and nothing in between; asking for
    a person again gets it every time. Either way the message is in the conversation staff will
    read."""
    now = now or utcnow()
    if not conversation.needs_staff:
        mark_for_staff(conversation, reason, now)
        conversation.family_told_at = now
        log.info("conversation %s is waiting for staff (%s)", conversation.id, reason)
        return bot_replies
    if reason not in ACKNOWLEDGED:
        return bot_replies
    told = conversation.family_told_at
    # Asking for a person again is a request, not noise: silence would read as a line that is
    # down, so it is answered every time.
    if reason != "talk_to_human" and told is not None and now - told < TOLD_AGAIN_AFTER:
        return []
    conversation.family_told_at = now
    lang = language or "es"
    return [text("staff_will_answer", lang).format(when=when_staff_answer(now, lang))]
