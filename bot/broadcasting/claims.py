"""Which worker holds which delivery rows. A worker claims a few due "pending" rows in one
UPDATE, so two workers never get the same row; the time of the claim is written on the row
(claimed_at) and checked on every later write, so a worker that lost its claim never sends or
records anything for that row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, select, text, update
from sqlalchemy.orm import Session

from bot.broadcasting.states import PENDING
from bot.models import (
    Broadcast,
    Delivery,
    Message,
    UtcDateTime,
)

CLAIMED = Delivery.STATUS_CLAIMED

_CLAIM = """
UPDATE delivery SET status = 'claimed', claimed_at = :now, updated_at = :now
WHERE id IN (
    SELECT d.id FROM delivery d
    WHERE d.broadcast_id = :broadcast_id AND d.status = 'pending'
      AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= :now)
      AND EXISTS (SELECT 1 FROM broadcast b WHERE b.id = :broadcast_id AND b.state = 'sending')
    ORDER BY d.id
    LIMIT :limit{lock}
)
RETURNING id
"""


def claim(session: Session, broadcast_id: int, limit: int, now: datetime) -> list[int]:
    """Takes up to `limit` due pending rows of a sending broadcast; returns their ids. One
    statement: on PostgreSQL the rows another worker is taking are skipped (SKIP LOCKED), on
    SQLite the statement holds the only write lock. Commit right after."""
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = text(_CLAIM.format(lock=" FOR UPDATE SKIP LOCKED" if postgres else "")).bindparams(
        bindparam("now", type_=UtcDateTime())
    )
    rows = session.execute(statement, {"now": now, "broadcast_id": broadcast_id, "limit": limit})
    return sorted(row[0] for row in rows)


def held(delivery_id: int, token: datetime):
    # The row is still this worker's: claimed, and by the claim (or send) it made at `token`.
    return (Delivery.id == delivery_id, Delivery.status == CLAIMED, Delivery.claimed_at == token)


def release(
    session: Session,
    broadcast_id: int,
    ids: list[int],
    token: datetime,
    not_before: datetime | None = None,
) -> int:
    """Gives back rows this worker claimed but did not send: pending again (not before
    `not_before`), or cancelled if the broadcast was cancelled meanwhile."""
    if not ids:
        return 0
    state = select(Broadcast.state).where(Broadcast.id == broadcast_id).scalar_subquery()
    status = case((state == Broadcast.STATE_CANCELLED, Delivery.STATUS_CANCELLED), else_=PENDING)
    return session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == CLAIMED, Delivery.claimed_at == token)
        .values(status=status, claimed_at=None, next_attempt_at=not_before)
        .execution_options(synchronize_session=False)
    ).rowcount


def record_sent(
    session: Session,
    delivery_id: int,
    message: Message | None,
    sid: str,
    status: str,
    now: datetime,
    claimed_at: datetime | None = None,
) -> bool:
    """Writes that Twilio took the row's text (its SID and status) and lets go of the row; True
    if this write was the one that did. A recovery passes the stale claim's `claimed_at`, so that
    of two workers recovering the same row only one writes."""
    # Whoever learns the SID first writes it (the sending worker, or a recovery that found the
    # text): a SID is never overwritten, and a row that has one is never sent again.
    row = held(delivery_id, claimed_at) if claimed_at is not None else (Delivery.id == delivery_id,)
    written = session.execute(
        update(Delivery)
        .where(*row, Delivery.twilio_sid.is_(None))
        .values(
            status=status,
            twilio_sid=sid,
            sent_at=now,
            attempts=Delivery.attempts + 1,
            claimed_at=None,
            next_attempt_at=None,
            error_code=None,
            error_message=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if written and message is not None and message.twilio_sid is None:
        message.twilio_sid = sid
        message.delivery_status = status
    return bool(written)
