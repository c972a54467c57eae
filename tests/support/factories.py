"""Builders for the rows tests start from: a family, a conversation, its messages. Each adds to
the session and flushes, so the row has its id; defaults are the commonest case (an SMS
conversation with a Spanish-speaking family), and every column can be given.

Tests describe their own worlds with these (a retention test's old families, an inbox test's
waiting conversations) rather than each writing its own way to make a conversation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.models import Contact, Conversation, Message
from bot.models.base import utcnow


def add_contact(session: Session, phone: str | None = None, **fields) -> Contact:
    fields.setdefault("language", "es")
    contact = Contact(phone=phone, **fields)
    session.add(contact)
    session.flush()
    return contact


def add_conversation(
    session: Session, contact: Contact, *, channel: str = "sms", **fields
) -> Conversation:
    conversation = Conversation(contact_id=contact.id, channel=channel, **fields)
    session.add(conversation)
    session.flush()
    return conversation


def add_message(
    session: Session,
    conversation: Conversation,
    body: str,
    *,
    direction: str = "in",
    at: datetime | None = None,
    **fields,
) -> Message:
    """A family's message ("in") or the bot's ("out"; `sender="staff"` for a person's); the
    conversation's last_message_at follows the newest."""
    at = at or utcnow()
    fields.setdefault("sender", "family" if direction == "in" else "bot")
    message = Message(
        conversation_id=conversation.id,
        direction=direction,
        body=body,
        channel=conversation.channel,
        created_at=at,
        **fields,
    )
    session.add(message)
    if conversation.last_message_at is None or conversation.last_message_at < at:
        conversation.last_message_at = at
    session.flush()
    return message


def add_messages(
    session: Session, conversation: Conversation, messages: Iterable[tuple[datetime, str, dict]]
) -> list[Message]:
    """Several messages, each (when, body, fields), fields as add_message takes them."""
    return [add_message(session, conversation, body, at=at, **f) for at, body, f in messages]
