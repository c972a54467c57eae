"""Twilio MessageSids already answered, kept as hashes after their messages are purged.

Twilio's signature covers the URL and the form but no time, so a captured signed request stays
valid forever. While its message row exists the MessageSid gives a retry or a replay away
(bot.conversations.inbound); once retention or `family forget` removed the row, a replay would be
taken as a new message, logged and answered again. The ledger keeps a SHA-256 of each MessageSid
(no number, no text, no time of day beyond the date) for KEPT_BEYOND_RETENTION longer than messages
are kept."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.models import SeenMessageSid, utcnow

# Replays of a message purged a year ago are as unwelcome as fresh ones; a row is 40 bytes.
KEPT_BEYOND_RETENTION = timedelta(days=365)


def digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def seen_before(session: Session, sid: str) -> bool:
    found = session.execute(
        select(SeenMessageSid.sid_hash).where(SeenMessageSid.sid_hash == digest(sid))
    ).first()
    return found is not None


def remember(session: Session, sid: str, now: datetime | None = None) -> None:
    """Adds `sid` with the message it came with (the same commit); a twin raises IntegrityError."""
    session.add(SeenMessageSid(sid_hash=digest(sid), seen_on=(now or utcnow()).date()))


def forget_older_than(session: Session, cutoff: datetime) -> int:
    """Drops ledger rows from before `cutoff` (retention's cutoff less KEPT_BEYOND_RETENTION)."""
    result = session.execute(
        delete(SeenMessageSid)
        .where(SeenMessageSid.seen_on < (cutoff - KEPT_BEYOND_RETENTION).date())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
