"""Families and what they do with the line: contacts, their Parent College registrations,
conversations and messages."""

from __future__ import annotations

import secrets

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

from bot.models.base import Base, UtcDateTime, created_at, updated_at


def new_public_id() -> str:
    # What Rasa and its tracker store see instead of a phone number.
    return secrets.token_hex(12)


class Contact(Base):
    __tablename__ = "contact"
    LANGUAGE_DETECTED = "detected"
    LANGUAGE_EXPLICIT = "explicit"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True, default=new_public_id)
    # E.164 when valid; the raw value Twilio sent otherwise, so nothing is dropped.
    phone = Column(String(40), unique=True, nullable=True)
    # Web chat visitors have no phone: the random id their browser keeps instead.
    web_chat_id = Column(String(64), unique=True, nullable=True)
    phone_valid = Column(Boolean, nullable=False, default=True)
    # The name a family gave when registering, offered back next time.
    name = Column(String(200), nullable=True)
    language = Column(String(8), nullable=True)
    language_source = Column(String(16), nullable=True)
    school_id = Column(ForeignKey("school.id"), nullable=True)
    opted_out = Column(Boolean, nullable=False, default=False)
    opted_out_at = Column(UtcDateTime())
    opt_out_source = Column(String(64))
    opted_in_at = Column(UtcDateTime())
    consent_source = Column(String(64))
    created_at = created_at()
    last_seen_at = Column(UtcDateTime())

    school = relationship("School")
    conversations = relationship("Conversation", back_populates="contact")
    consent_events = relationship(
        "ConsentEvent", back_populates="contact", order_by="ConsentEvent.id"
    )


class ConsentEvent(Base):
    """Every opt-out and opt-in, when and how it happened (keyword, channel, staff): the record a
    carrier or a family can ask for. Contact.opted_out is the current state; this is its history."""

    __tablename__ = "consent_event"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"

    id = Column(Integer, primary_key=True)
    contact_id = Column(ForeignKey("contact.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    # How: the keyword the family sent ("STOP", "BAJA"), or e.g. "carrier error 21610".
    source = Column(String(64), nullable=False)
    channel = Column(String(16))
    message_id = Column(ForeignKey("message.id"), nullable=True)
    created_at = created_at()

    contact = relationship("Contact", back_populates="consent_events")


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("contact_id", "session_id"),)
    STATUS_REGISTERED = "registered"
    STATUS_WAITLISTED = "waitlisted"
    STATUS_CANCELLED = "cancelled"
    STATUS_ATTENDED = "attended"
    # A family registered or already checked in has a seat; the waitlisted and cancelled do not.
    HOLDING_A_SEAT = (STATUS_REGISTERED, STATUS_ATTENDED)

    id = Column(Integer, primary_key=True)
    contact_id = Column(ForeignKey("contact.id"), nullable=False)
    session_id = Column(ForeignKey("parent_college_session.id"), nullable=False)
    name = Column(String(200))
    adults = Column(Integer, nullable=False, default=1)
    childcare = Column(Boolean, nullable=False, default=False)
    children = Column(Integer, nullable=False, default=0)
    status = Column(String(16), nullable=False, default=STATUS_REGISTERED)
    created_at = created_at()
    updated_at = updated_at()
    cancelled_at = Column(UtcDateTime())
    checked_in_at = Column(UtcDateTime())
    # When the day-before reminder was queued for this registration (never twice).
    reminded_at = Column(UtcDateTime())

    contact = relationship("Contact")
    session = relationship("ParentCollegeSession", back_populates="registrations")


class Conversation(Base):
    __tablename__ = "conversation"
    CHANNEL_SMS = "sms"
    CHANNEL_WEBCHAT = "webchat"

    id = Column(Integer, primary_key=True)
    contact_id = Column(ForeignKey("contact.id"), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    # Set when a staff member takes the conversation over or replies: the bot stays quiet until
    # they release it or `handoff_until` passes (HANDOFF_HOURS after a reply).
    handled_by_staff = Column(Boolean, nullable=False, default=False)
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True)
    handoff_until = Column(UtcDateTime())
    # Why the bot handed over ("talk_to_human", "two_fallbacks", "rasa_down"...), shown to staff.
    handoff_reason = Column(String(64))
    # When the conversation last went to staff (bot hand-off or staff taking it over): the
    # dashboard's hand-off rate counts by it, since a family keeps one conversation for years.
    handed_off_at = Column(UtcDateTime())
    # Something the bot could not answer (e.g. Rasa was down) waits here for a person.
    needs_staff = Column(Boolean, nullable=False, default=False)
    # When the family was last told a person will answer (bot/families/handoff.py): while it waits,
    # the bot says so again at most every few hours.
    family_told_at = Column(UtcDateTime())
    created_at = created_at()
    last_message_at = Column(UtcDateTime(), index=True)

    contact = relationship("Contact", back_populates="conversations")
    messages = relationship("Message", back_populates="conversation", order_by="Message.id")


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_conversation_created", "conversation_id", "created_at"),
        # The inbox's "has a family message that ..." and its date ranges (migration 0004). Its
        # trigram index on lower(body) is PostgreSQL-only and an expression, which SQLAlchemy 1.4
        # neither reflects nor compares, so it is not declared here.
        Index(
            "ix_message_family_conversation",
            "conversation_id",
            "intent",
            "language",
            "confidence",
            "created_at",
            postgresql_where=text("direction = 'in'"),
            sqlite_where=text("direction = 'in'"),
        ),
        Index(
            "ix_message_family_created",
            "created_at",
            postgresql_where=text("direction = 'in'"),
            sqlite_where=text("direction = 'in'"),
        ),
    )
    DIRECTION_IN = "in"
    DIRECTION_OUT = "out"
    SENDER_FAMILY = "family"
    SENDER_BOT = "bot"
    SENDER_STAFF = "staff"
    SENDER_SYSTEM = "system"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(ForeignKey("conversation.id"), nullable=False)
    direction = Column(String(4), nullable=False)
    sender = Column(String(16), nullable=False)
    body = Column(Text, nullable=False, default="")
    num_media = Column(Integer, nullable=False, default=0)
    language = Column(String(8))
    intent = Column(String(64), index=True)
    confidence = Column(Float)
    channel = Column(String(16), nullable=False)
    # Twilio's MessageSid: unique, so a retried webhook is recognised and answered once.
    twilio_sid = Column(String(64), unique=True, nullable=True)
    delivery_status = Column(String(24))
    error_code = Column(String(16))
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True)
    broadcast_id = Column(ForeignKey("broadcast.id"), nullable=True)
    note = Column(Text)
    created_at = created_at()
    updated_at = updated_at()

    conversation = relationship("Conversation", back_populates="messages")


class SeenMessageSid(Base):
    """A MessageSid the line has answered, as a hash: a replay is recognised after its message
    is purged (bot/conversations/replay_ledger.py). No number, no text; the date only, to expire
    it."""

    __tablename__ = "seen_message_sid"

    sid_hash = Column(String(64), primary_key=True)
    seen_on = Column(Date, nullable=False, index=True)
