"""Announcements staff send to many families at once, and one row per recipient."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)

from .base import Base, created_at, translated, updated_at


class Broadcast(Base):
    __tablename__ = "broadcast"
    STATE_DRAFT = "draft"
    STATE_SCHEDULED = "scheduled"
    STATE_SENDING = "sending"
    STATE_PAUSED = "paused"
    STATE_DONE = "done"
    STATE_CANCELLED = "cancelled"

    id = Column(Integer, primary_key=True)
    texts = translated()
    # {"kind": "everyone" | "school" | "neighborhood" | "language" | "session" | "list", ...}
    audience = Column(JSON, nullable=False, default=dict)
    scheduled_at = Column(DateTime(timezone=True))
    urgent = Column(Boolean, nullable=False, default=False)
    state = Column(String(16), nullable=False, default=STATE_DRAFT)
    created_by_id = Column(ForeignKey("staff_user.id"), nullable=True)
    created_at = created_at()
    started_at = Column(DateTime(timezone=True))
    finished_at = Column(DateTime(timezone=True))


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("broadcast_id", "contact_id"),)
    STATUS_QUEUED = "queued"

    id = Column(Integer, primary_key=True)
    broadcast_id = Column(ForeignKey("broadcast.id"), nullable=False, index=True)
    contact_id = Column(ForeignKey("contact.id"), nullable=False)
    phone = Column(String(40), nullable=False)
    language = Column(String(8), nullable=False)
    status = Column(String(24), nullable=False, default=STATUS_QUEUED, index=True)
    twilio_sid = Column(String(64), unique=True, nullable=True)
    error_code = Column(String(16))
    attempts = Column(Integer, nullable=False, default=0)
    created_at = created_at()
    updated_at = updated_at()
