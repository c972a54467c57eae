"""Announcements staff send to many families at once (and the day-before reminders of Parent
College, sent the same way), and one row per recipient."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)

from bot.models.base import Base, UtcDateTime, created_at, translated, updated_at
from bot.text.languages import choose


class Broadcast(Base):
    __tablename__ = "broadcast"
    KIND_ANNOUNCEMENT = "announcement"
    KIND_REMINDER = "reminder"

    STATE_DRAFT = "draft"
    STATE_SCHEDULED = "scheduled"
    STATE_SENDING = "sending"
    STATE_PAUSED = "paused"
    STATE_DONE = "done"
    STATE_CANCELLED = "cancelled"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False, default=KIND_ANNOUNCEMENT)
    # Staff's own label for the history list ("Markham closed Friday"); families never see it.
    title = Column(String(200))
    texts = translated()
    # {"kind": "everyone" | "school" | "neighborhood" | "language" | "session" | "list", ...}
    audience = Column(JSON, nullable=False, default=dict)
    # The reminder's session (reminders only): one reminder broadcast per session.
    session_id = Column(ForeignKey("parent_college_session.id"), nullable=True, unique=True)
    scheduled_at = Column(UtcDateTime())
    # Sent outside quiet hours too (an admin's choice: a school closed this morning).
    urgent = Column(Boolean, nullable=False, default=False)
    state = Column(String(16), nullable=False, default=STATE_DRAFT, index=True)
    # Set once every delivery row exists; counts what the preview promised.
    recipients = Column(Integer)
    estimated_cost = Column(Float)
    created_by_id = Column(ForeignKey("staff_user.id"), nullable=True)
    created_at = created_at()

    def text_for(self, language: str, fallback: str = "es") -> tuple[str, str]:
        """(language, text) a family reading `language` gets: its own text, else the
        `fallback` language's (the line's DEFAULT_LANGUAGE), else the one there is."""
        texts = {lang: text for lang, text in (self.texts or {}).items() if (text or "").strip()}
        chosen = choose(language, texts, fallback)
        return (chosen, texts[chosen]) if chosen else (language, "")

    updated_at = updated_at()
    started_at = Column(UtcDateTime())
    finished_at = Column(UtcDateTime())
    paused_at = Column(UtcDateTime())
    cancelled_at = Column(UtcDateTime())


class Delivery(Base):
    """One family's copy of a broadcast. `status` is ours until Twilio has the text ("pending",
    "claimed": a worker is sending it now, "opted_out", "cancelled"), then Twilio's ("queued",
    "sent", "delivered", "undelivered", "failed") as its answers and status callbacks say."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "contact_id"),
        # What a sending worker asks for: this broadcast's pending rows, oldest first (the claim
        # reads them in id order and stops at its batch; ordered by next_attempt_at instead, it
        # sorted every pending row of a 100,000-family broadcast on each claim: 43 ms).
        Index("ix_delivery_broadcast_status_id", "broadcast_id", "status", "id"),
    )
    STATUS_PENDING = "pending"
    STATUS_CLAIMED = "claimed"
    STATUS_OPTED_OUT = "opted_out"
    STATUS_CANCELLED = "cancelled"

    id = Column(Integer, primary_key=True)
    broadcast_id = Column(ForeignKey("broadcast.id"), nullable=False)
    # Both None once the family is forgotten, and the phone alone once the row is older than
    # RETENTION_DAYS (bot.privacy.family_records, bot.privacy.retention): the row stays for the
    # broadcast's counts.
    contact_id = Column(ForeignKey("contact.id"), nullable=True, index=True)
    phone = Column(String(40), nullable=True)
    language = Column(String(8), nullable=False)
    status = Column(String(24), nullable=False, default=STATUS_PENDING, index=True)
    twilio_sid = Column(String(64), unique=True, nullable=True)
    error_code = Column(String(16))
    error_message = Column(String(300))
    attempts = Column(Integer, nullable=False, default=0)
    # Not before this (a retry's backoff); None: as soon as the rate allows.
    next_attempt_at = Column(UtcDateTime())
    # When a worker took it. A claim older than a send can take means the worker died mid-send:
    # the row is checked against Twilio's own record before it is ever sent again.
    claimed_at = Column(UtcDateTime())
    sent_at = Column(UtcDateTime())
    # The text as logged in the family's conversation (replies link to the broadcast through it).
    message_id = Column(ForeignKey("message.id"), nullable=True)
    created_at = created_at()
    updated_at = updated_at()


class SendPace(Base):
    """The global send rate on a database (no Redis): one row per limiter, holding the moment
    the next text may go. Every worker reserves its slot with one UPDATE, so the rate holds
    across any number of workers and machines."""

    __tablename__ = "send_pace"
    name = Column(String(32), primary_key=True)
    next_free_at = Column(Float, nullable=False, default=0.0)
