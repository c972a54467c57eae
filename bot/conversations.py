"""Conversations and the message log: every message in and out is written here."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Contact, Conversation, Message, utcnow


def current_conversation(session: Session, contact: Contact, channel: str) -> Conversation:
    conversation = session.execute(
        select(Conversation)
        .filter_by(contact_id=contact.id, channel=channel)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if conversation is None:
        conversation = Conversation(contact=contact, channel=channel)
        session.add(conversation)
        session.flush()
    return conversation


def bot_is_paused(conversation: Conversation) -> bool:
    """True while staff have the conversation; a hand-off with a time limit ends by itself."""
    if not conversation.handled_by_staff:
        return False
    until = conversation.handoff_until
    if until is None:
        return True
    if until.tzinfo is None:  # SQLite returns naive datetimes; they were stored in UTC
        until = until.replace(tzinfo=timezone.utc)
    return until > utcnow()


def log_message(session: Session, conversation: Conversation, **fields) -> Message:
    message = Message(conversation=conversation, channel=conversation.channel, **fields)
    session.add(message)
    conversation.last_message_at = utcnow()
    return message


def find_by_twilio_sid(session: Session, sid: str) -> Message | None:
    return session.execute(select(Message).filter_by(twilio_sid=sid)).scalar_one_or_none()
