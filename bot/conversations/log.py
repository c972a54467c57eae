"""Conversations and the message log: every message in and out is written here."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Contact, Conversation, Message, utcnow


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
    return until > utcnow()


def log_message(session: Session, conversation: Conversation, **fields) -> Message:
    message = Message(conversation=conversation, channel=conversation.channel, **fields)
    session.add(message)
    conversation.last_message_at = utcnow()
    return message


# A family's answer to a broadcast usually comes within hours; after a few days it is news.
BROADCAST_REPLY_WINDOW = timedelta(days=3)


def broadcast_answered(session: Session, conversation: Conversation) -> int | None:
    """The broadcast a family message now answers: the conversation's last message is that
    broadcast's text, sent within BROADCAST_REPLY_WINDOW. None otherwise."""
    last = session.execute(
        select(Message)
        .filter_by(conversation_id=conversation.id)
        .order_by(Message.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None or last.broadcast_id is None or last.direction != Message.DIRECTION_OUT:
        return None
    sent = last.created_at
    return last.broadcast_id if utcnow() - sent <= BROADCAST_REPLY_WINDOW else None


def find_by_twilio_sid(session: Session, sid: str) -> Message | None:
    return session.execute(select(Message).filter_by(twilio_sid=sid)).scalar_one_or_none()
