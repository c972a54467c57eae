"""What bench/broadcast.py looks at while a broadcast sends: how far the fake Twilio got, which rows
are still claimed, how PostgreSQL picks the next batch, and pausing the broadcast at the end."""

from __future__ import annotations

import json
import time
from datetime import datetime

from sqlalchemy import func, select, text

from bot.broadcasting import sending, states
from bot.db import engine_for, session_factory
from bot.models import Broadcast, Delivery

from .broadcast_run import FakeCounts, Run


def sample_for(counts: FakeCounts, seconds: float, run: Run, broadcast_id: int) -> bool:
    """Samples the fake every second for `seconds`; False if the broadcast ran out of rows."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts.sample()
        if not outstanding(run, broadcast_id):
            return False
        time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
    counts.sample()
    return True


def outstanding(run: Run, broadcast_id: int) -> bool:
    """Rows left to send (EXISTS, not a count: asked every second, beside the workers)."""
    with session_factory(engine_for(run.database_url))() as session:
        return session.scalar(
            select(
                select(Delivery.id)
                .where(
                    Delivery.broadcast_id == broadcast_id,
                    Delivery.status.in_(states.OUTSTANDING),
                )
                .exists()
            )
        )


# The claim's row choice (bot.broadcasting.sending._CLAIM, without its locking), as the
# workers run it several times a second.
CLAIM_CHOICE = """
EXPLAIN (ANALYZE, FORMAT JSON)
SELECT d.id FROM delivery d
WHERE d.broadcast_id = :broadcast_id AND d.status = 'pending'
  AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
ORDER BY d.id LIMIT :limit
"""


def claim_cost(run: Run, broadcast_id: int) -> tuple[float, str]:
    """(milliseconds, how PostgreSQL found the rows) for one claim's row choice, now."""
    limit = sending.batch_size(run.settings)
    with session_factory(engine_for(run.database_url))() as session:
        plan = session.execute(
            text(CLAIM_CHOICE), {"broadcast_id": broadcast_id, "limit": limit}
        ).scalar_one()
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return plan["Execution Time"], " > ".join(_plan_steps(plan["Plan"]))


def _plan_steps(node: dict) -> list[str]:
    step = node["Node Type"]
    if node.get("Index Name"):
        step += f" {node['Index Name']}"
    if node.get("Sort Method"):
        step += f" ({node['Sort Method']})"
    for child in node.get("Plans", []):
        return [step, *_plan_steps(child)]
    return [step]


def claimed_before(run: Run, broadcast_id: int, moment: datetime) -> list[tuple[int, str]]:
    """(id, phone) of the rows still claimed by a claim (or send) made before `moment`."""
    with session_factory(engine_for(run.database_url))() as session:
        rows = session.execute(
            select(Delivery.id, Delivery.phone).where(
                Delivery.broadcast_id == broadcast_id,
                Delivery.status == Delivery.STATUS_CLAIMED,
                Delivery.claimed_at < moment,
            )
        )
        return [(row.id, row.phone) for row in rows]


def still_claimed(run: Run, ids: list[int]) -> int:
    if not ids:
        return 0
    with session_factory(engine_for(run.database_url))() as session:
        return session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == Delivery.STATUS_CLAIMED)
        )


def pause(run: Run, broadcast_id: int) -> None:
    with session_factory(engine_for(run.database_url))() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast.state == Broadcast.STATE_SENDING:
            states.pause(session, broadcast)
            session.commit()


def wait_until(condition, timeout: float, step: float = 1.0) -> float | None:
    """Seconds it took for condition() to hold, or None after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(step)
    return time.monotonic() - started
