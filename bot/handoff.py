"""Handing a conversation to staff: the bot goes quiet until a person releases it or the time
runs out (bot.conversations.bot_is_paused reads the result).

Rasa decides when (a custom action sends {"handoff": reason}); this module decides what it means."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from .models import Conversation, utcnow

log = logging.getLogger(__name__)

# Why a conversation went to staff, as recorded (the Rasa actions' `handoff` payloads and
# bot.inbound), in the words the console shows staff.
REASONS = {
    "talk_to_human": "The family asked for a person",
    "not_understood": "The bot did not understand twice",
    "bot_unavailable": "The bot was down when the family wrote",
    "long_message": "A long message the bot only read the start of",
}


def reason_label(reason: str | None) -> str:
    return REASONS.get(reason, reason or "")


def mark_for_staff(conversation: Conversation, reason: str, now: datetime | None = None) -> None:
    """Puts the conversation in the staff queue, saying why; the bot may keep answering."""
    conversation.needs_staff = True
    conversation.handoff_reason = reason[:64]
    conversation.handed_off_at = now or utcnow()


def hand_off(
    conversation: Conversation, reason: str, hours: int, now: datetime | None = None
) -> None:
    """Pauses the bot on this conversation for `hours` (0: until staff release it) and puts it
    in the staff queue. The time limit exists so a family is never left without answers because
    nobody picked the conversation up."""
    now = now or utcnow()
    conversation.handled_by_staff = True
    mark_for_staff(conversation, reason, now)
    conversation.handoff_until = now + timedelta(hours=hours) if hours else None
    log.info(
        "conversation %s handed to staff (%s) until %s",
        conversation.id,
        reason,
        conversation.handoff_until.isoformat() if conversation.handoff_until else "released",
    )
