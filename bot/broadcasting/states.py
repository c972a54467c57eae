"""A broadcast's state: draft or scheduled, sending, paused, finished or cancelled; the moves
between them, and how far its deliveries have got. The workers' loop is bot/broadcasting/sending.py;
staff move a broadcast through bot/broadcasting/service.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.models import (
    Broadcast,
    Delivery,
    utcnow,
)

PENDING = Delivery.STATUS_PENDING
OUTSTANDING = (Delivery.STATUS_PENDING, Delivery.STATUS_CLAIMED)


class BroadcastStateError(ValueError):
    """The broadcast is not in a state that allows this (pausing a finished one...)."""


# --- the broadcast's state ------------------------------------------------------------------


def _move(session: Session, broadcast: Broadcast, allowed: set[str], to: str, **stamps) -> None:
    # A conditional UPDATE: a worker may finish the broadcast at the same moment.
    session.flush()
    moved = session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.state.in_(sorted(allowed)))
        .values(state=to, **stamps)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(broadcast)
    if not moved:
        raise BroadcastStateError(f"broadcast {broadcast.id} is {broadcast.state}, not {to}-able")


def start(session: Session, broadcast: Broadcast, now: datetime | None = None) -> None:
    """Draft or scheduled -> sending. Its delivery rows must exist (fanout.create_deliveries)."""
    allowed = {Broadcast.STATE_DRAFT, Broadcast.STATE_SCHEDULED}
    _move(session, broadcast, allowed, Broadcast.STATE_SENDING, started_at=now or utcnow())


def pause(session: Session, broadcast: Broadcast, now: datetime | None = None) -> None:
    """No more rows are claimed; texts being sent right now still go."""
    stamp = now or utcnow()
    _move(session, broadcast, {Broadcast.STATE_SENDING}, Broadcast.STATE_PAUSED, paused_at=stamp)


def resume(session: Session, broadcast: Broadcast, now: datetime | None = None) -> None:
    """Paused -> sending; the caller enqueues the workers (tasks.enqueue_lanes), or the
    worker's minute clock does."""
    _move(session, broadcast, {Broadcast.STATE_PAUSED}, Broadcast.STATE_SENDING, paused_at=None)


def cancel(session: Session, broadcast: Broadcast, now: datetime | None = None) -> int:
    """Stops the broadcast for good: every pending row is cancelled (texts being sent right now
    still go). Returns how many rows were cancelled."""
    allowed = {
        Broadcast.STATE_DRAFT,
        Broadcast.STATE_SCHEDULED,
        Broadcast.STATE_SENDING,
        Broadcast.STATE_PAUSED,
    }
    stamp = now or utcnow()
    _move(session, broadcast, allowed, Broadcast.STATE_CANCELLED, cancelled_at=stamp)
    return cancel_pending(session, broadcast.id)


def cancel_pending(session: Session, broadcast_id: int) -> int:
    return session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == PENDING)
        .values(status=Delivery.STATUS_CANCELLED, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def finish_if_done(session: Session, broadcast_id: int, now: datetime | None = None) -> bool:
    """Marks a sending broadcast done once no row is pending or claimed; True if it did."""
    outstanding = (
        select(Delivery.id)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status.in_(OUTSTANDING))
        .exists()
    )
    return bool(
        session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.state == Broadcast.STATE_SENDING,
                ~outstanding,
            )
            .values(state=Broadcast.STATE_DONE, finished_at=now or utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def progress(session: Session, broadcast_id: int) -> dict[str, int]:
    """Rows per status ("pending": 120, "queued": 800, "failed": 3...)."""
    rows = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.status)
    )
    return {status: count for status, count in rows}
