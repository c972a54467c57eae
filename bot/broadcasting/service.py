"""What staff do to a broadcast: create it, pause, resume or cancel it.

The console, the JSON API and `bot broadcast` all call these, so every action is written to the
audit log in the same transaction as the change and the workers are queued the same way,
whichever door staff came in by. The callers only turn the outcome into their own words (a
flash, JSON, a line on the terminal)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from huey import Huey
from sqlalchemy.orm import Session

from bot.broadcasting import sending, states, tasks
from bot.broadcasting.audience import Audience
from bot.broadcasting.compose import create
from bot.config import Settings
from bot.models import Broadcast, StaffUser, utcnow
from bot.staff import audit

log = logging.getLogger(__name__)

# The states each change may start from, and the word for what it did.
CHANGES = {
    "pause": ({Broadcast.STATE_SENDING}, "paused"),
    "resume": ({Broadcast.STATE_PAUSED}, "resumed"),
    "cancel": (
        {
            Broadcast.STATE_DRAFT,
            Broadcast.STATE_SCHEDULED,
            Broadcast.STATE_SENDING,
            Broadcast.STATE_PAUSED,
        },
        "cancelled",
    ),
}


@dataclass(frozen=True)
class Actor:
    """Who asked, as the audit log records it: a staff account (console, API) or none (the
    command line, which names the operator's login instead)."""

    user: StaffUser | None
    via: str  # "console", "api" or "cli"

    def audit(self, session: Session, action: str, broadcast_id: int, **detail) -> None:
        if self.via == "cli":
            audit.record_cli(session, action, "broadcast", broadcast_id, **detail)
            return
        if self.via != "console":  # the console's entries have always gone without a "via"
            detail["via"] = self.via
        audit.record(session, self.user, action, "broadcast", broadcast_id, **detail)


@dataclass
class Outcome:
    broadcast: Broadcast
    # Created: False when it waits for its scheduled time. Changed: always True.
    started: bool = True
    # How many families it goes to (created now), or will not go to (cancelled).
    families: int = 0
    # Whether its workers were queued: None when nothing needed queueing; False when the queue
    # did not answer and the worker's minute clock starts it a little late instead.
    queued: bool | None = None
    # When quiet hours hold the texts of a broadcast that started now, until when.
    quiet_until: datetime | None = None


def create_broadcast(
    session: Session,
    huey: Huey,
    settings: Settings,
    actor: Actor,
    texts: dict[str, str | None],
    audience: Audience,
    *,
    title: str | None = None,
    scheduled_at: datetime | None = None,
    urgent: bool = False,
    previewed_families: int | None = None,
) -> Outcome:
    """Makes the broadcast, audits and commits it, then queues its workers if it goes now.
    Raises compose.ComposeError for texts staff must fix; nothing is kept then."""
    created = create(
        session,
        texts,
        audience,
        settings,
        title=title,
        scheduled_at=scheduled_at,
        urgent=urgent,
        created_by=actor.user,
    )
    broadcast = created.broadcast
    families = broadcast.recipients if broadcast.recipients is not None else previewed_families
    actor.audit(
        session,
        "broadcast.create",
        broadcast.id,
        recipients=families,
        estimated_cost=broadcast.estimated_cost,
        audience=audience.describe(),
        scheduled_at=scheduled_at.isoformat() if scheduled_at and not created.send_now else None,
        urgent=urgent,
    )
    session.commit()
    outcome = Outcome(broadcast, started=created.send_now, families=families or 0)
    if created.send_now:
        outcome.queued = start_sending(huey, broadcast.id)
        outcome.quiet_until = quiet_until(settings, broadcast)
    return outcome


def change_broadcast(
    session: Session, huey: Huey, actor: Actor, broadcast: Broadcast, change: str
) -> Outcome:
    """Pauses, resumes or cancels it, audits and commits, and queues the workers again after a
    resume. Raises states.BroadcastStateError, with nothing changed, when its state does not
    allow the change."""
    before = broadcast.state
    try:
        cancelled = getattr(states, change)(session, broadcast)
    except states.BroadcastStateError:
        session.rollback()
        raise
    detail = {"from_state": before}
    if change == "cancel":
        detail["deliveries_cancelled"] = cancelled
    actor.audit(session, f"broadcast.{change}", broadcast.id, **detail)
    session.commit()
    outcome = Outcome(broadcast, families=cancelled or 0)
    if change == "resume":
        outcome.queued = start_sending(huey, broadcast.id)
    return outcome


def start_sending(huey: Huey, broadcast_id: int) -> bool:
    """Queues the workers that send a broadcast now sending (after create or resume). False when
    the queue could not take them: the broadcast is "sending" in the database all the same, and
    the worker's minute clock starts the lanes of any such broadcast that has none, so it goes
    out a minute late, never not at all."""
    try:
        tasks.enqueue_lanes(huey, broadcast_id)
    except LookupError:
        log.warning("broadcast %s: no send task on this Huey; the clock starts it", broadcast_id)
        return False
    except Exception:  # Redis or the queue's file unreachable: the change is already committed
        log.exception("broadcast %s: could not queue its workers", broadcast_id)
        return False
    return True


def quiet_until(
    settings: Settings, broadcast: Broadcast, now: datetime | None = None
) -> datetime | None:
    """When the texts of a broadcast that is starting now will go, if quiet hours hold them."""
    now = now or utcnow()
    start = sending.quiet_hours_for(settings)(now, bool(broadcast.urgent))
    return start if start > now else None
