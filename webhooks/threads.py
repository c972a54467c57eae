"""Reading one contact's thread on one channel from the message log, for the pages that show it
(web chat, phone simulator). Read-only: writing goes through bot.conversations.inbound like every
message."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Contact, Conversation, Message
from bot.text.dates import utc

# A page shows the latest messages only; a thread longer than this is a staff matter (console).
THREAD_LIMIT = 200


def thread(
    session: Session,
    channel: str,
    *,
    phone: str | None = None,
    web_chat_id: str | None = None,
    limit: int = THREAD_LIMIT,
) -> list[Message]:
    """The contact's latest messages on `channel`, oldest first. Exactly one key must be given,
    so a missing key can never match every contact without one."""
    if (phone is None) == (web_chat_id is None):
        raise ValueError("give exactly one of phone or web_chat_id")
    key = Contact.phone == phone if phone is not None else Contact.web_chat_id == web_chat_id
    newest_first = (
        session.execute(
            select(Message)
            .join(Message.conversation)
            .join(Conversation.contact)
            .where(key, Message.channel == channel)
            .order_by(Message.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    return newest_first[::-1]


def utc_iso(moment: datetime | None) -> str | None:
    """ "2026-03-01T17:05:09Z": SQLite hands back naive datetimes (stored in UTC), PostgreSQL aware
    ones; whole seconds and a Z parse in every browser's Date, old ones included."""
    if moment is None:
        return None
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
