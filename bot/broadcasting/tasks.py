"""The worker's broadcast tasks (Huey): `send_broadcast` sends one broadcast's rows until it is
paused, cancelled or done, and a clock every minute starts scheduled broadcasts and restarts the
sending of any broadcast whose worker went away.

A broadcast is sent by a few "lanes" (tasks of the same broadcast, on whichever workers take
them); their rows never overlap (claims.claim) and the rate is global (pace), so more lanes
only mean more texts in flight. Each lane keeps a lease in Huey's key-value store: "lane 0 of
broadcast 12 is token T, and will be heard from by time X". A lane that finds another token on
its lease stops (it was replaced), and the clock replaces a lane whose lease ran out: the
consumer running it was killed, or restarted and lost it."""

from __future__ import annotations

import logging
import math
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from huey import Huey, crontab
from sqlalchemy import select

from bot.broadcasting import recovery, sending, states
from bot.broadcasting.pace import DEFAULT_NAME, Pace
from bot.config import Settings
from bot.db import engine_for, session_factory
from bot.models import Broadcast, Delivery, utcnow
from bot.sms.outbound import transport_for

log = logging.getLogger(__name__)

DEFAULT_LANES = 2
# A lane sends one text at a time and waits for Twilio's answer (about a tenth to a quarter of
# a second), so reaching SEND_RATE_PER_SECOND takes about rate x this many lanes: two lanes
# cap a broadcast near 8-20 texts a second whatever the account allows (bench/scale.py).
TWILIO_ANSWER_SECONDS = 0.25
MAX_LANES = 32
# A lane renews its lease before each batch (a batch takes about a second, at most about
# CLAIM_TIMEOUT); silent for this long past its lease, it is taken for dead.
LEASE_GRACE = 120.0
# A lane gives its worker back after this long (re-enqueued at once), so reminders and other
# broadcasts get a turn on a busy consumer.
RUN_BUDGET = 300.0
# The shortest wait before looking again (rows claimed by another lane just now, ...).
MIN_DELAY = 1.0
# How long to wait when a dead worker's claims cannot be checked (Twilio unreachable).
UNREACHABLE_DELAY = 30.0

LEASE_KEY = "family-line:broadcast-lane:{broadcast_id}:{lane}"
LANES_KEY = "family-line:broadcast-lanes:{broadcast_id}"


@dataclass
class BroadcastTasks:
    send_broadcast: object  # huey TaskWrapper: send_broadcast(broadcast_id, lane=0, token=None)
    broadcast_clock: object  # huey periodic TaskWrapper
    settings: Settings
    pace_name: str


_registered: WeakKeyDictionary[Huey, BroadcastTasks] = WeakKeyDictionary()


def register_broadcast_tasks(
    huey: Huey, settings: Settings, pace_name: str = DEFAULT_NAME
) -> BroadcastTasks:
    """Registers send_broadcast and the minute clock on `huey` (and a check when a consumer
    starts, so a restart resumes broadcasts without waiting for the clock)."""

    # Retried (same lane, same token) when the database or Twilio fails it: a lane that stayed
    # dead would only be replaced once its lease ran out.
    @huey.task(name="send_broadcast", retries=3, retry_delay=10)
    def send_broadcast(broadcast_id: int, lane: int = 0, token: str | None = None) -> str:
        return run_lane(huey, broadcast_id, lane, token)

    @huey.periodic_task(crontab(minute="*"), name="broadcast_clock")
    def broadcast_clock() -> None:
        tick(huey)

    def on_start() -> None:
        try:
            tick(huey)
        except Exception:  # the minute clock tries again; the consumer must still start
            log.exception("broadcast check at worker start failed")

    huey.on_startup("broadcasts-on-start")(on_start)
    tasks = BroadcastTasks(send_broadcast, broadcast_clock, settings, pace_name)
    _registered[huey] = tasks
    return tasks


def _tasks(huey: Huey) -> BroadcastTasks:
    try:
        return _registered[huey]
    except KeyError:
        raise LookupError("register_broadcast_tasks(huey, settings) was not called") from None


def _sessions(settings: Settings):
    return session_factory(engine_for(settings.database_url))


# --- lanes and their leases --------------------------------------------------------------


def _lease(huey: Huey, broadcast_id: int, lane: int) -> tuple[float, str] | None:
    return huey.get(LEASE_KEY.format(broadcast_id=broadcast_id, lane=lane), peek=True)


def _put_lease(huey: Huey, broadcast_id: int, lane: int, until: float, token: str) -> None:
    huey.put(LEASE_KEY.format(broadcast_id=broadcast_id, lane=lane), (until, token))


def _drop_lease(huey: Huey, broadcast_id: int, lane: int, token: str) -> None:
    lease = _lease(huey, broadcast_id, lane)
    if lease is not None and lease[1] == token:
        huey.delete(LEASE_KEY.format(broadcast_id=broadcast_id, lane=lane))


def _enqueue_lane(huey: Huey, broadcast_id: int, lane: int) -> str:
    token = uuid.uuid4().hex
    # Written before the task exists, so the clock does not start a second one meanwhile.
    _put_lease(huey, broadcast_id, lane, time.time() + LEASE_GRACE, token)
    _tasks(huey).send_broadcast(broadcast_id, lane, token)
    return token


def lanes_for(settings: Settings) -> int:
    """How many lanes send a broadcast: enough to reach the line's rate while each waits on
    Twilio, at least two (one may be between batches), at most MAX_LANES."""
    wanted = math.ceil(settings.send_rate_per_second * TWILIO_ANSWER_SECONDS)
    return max(DEFAULT_LANES, min(MAX_LANES, wanted))


def enqueue_lanes(huey: Huey, broadcast_id: int, lanes: int | None = None) -> list[str]:
    """Starts `lanes` tasks (default: lanes_for the line's settings) sending the broadcast,
    replacing any it had (a replaced lane stops at its next batch). Call after states.start or
    states.resume."""
    lanes = lanes or lanes_for(_tasks(huey).settings)
    huey.put(LANES_KEY.format(broadcast_id=broadcast_id), lanes)
    return [_enqueue_lane(huey, broadcast_id, lane) for lane in range(lanes)]


def restart_dead_lanes(huey: Huey, broadcast_id: int) -> int:
    """Replaces the lanes of a sending broadcast whose lease ran out; returns how many."""
    # Unknown after Redis lost its keys: as many as a new broadcast would get.
    lanes = huey.get(LANES_KEY.format(broadcast_id=broadcast_id), peek=True) or lanes_for(
        _tasks(huey).settings
    )
    restarted = 0
    for lane in range(lanes):
        lease = _lease(huey, broadcast_id, lane)
        if lease is None or lease[0] < time.time():
            _enqueue_lane(huey, broadcast_id, lane)
            restarted += 1
    if restarted:
        log.info("broadcast %s: %s lane(s) restarted", broadcast_id, restarted)
    return restarted


# --- the minute clock ----------------------------------------------------------------------


def tick(huey: Huey, now: datetime | None = None) -> None:
    """Starts the scheduled broadcasts whose time has come, restarts dead lanes, and settles
    dead workers' claims on broadcasts no lane sends any more."""
    settings = _tasks(huey).settings
    now = now or utcnow()
    sessions = _sessions(settings)
    with sessions() as session:
        due = session.execute(
            select(Broadcast).where(
                Broadcast.state == Broadcast.STATE_SCHEDULED, Broadcast.scheduled_at <= now
            )
        ).scalars()
        for broadcast in list(due):
            if _start_scheduled(session, broadcast, settings, now):
                enqueue_lanes(huey, broadcast.id)
        sending_ids = session.execute(
            select(Broadcast.id).where(Broadcast.state == Broadcast.STATE_SENDING)
        ).scalars()
        for broadcast_id in list(sending_ids):
            finished = states.finish_if_done(session, broadcast_id, now)
            # Committed either way: on SQLite even an UPDATE that changed nothing holds the
            # write lock, which the lanes started next need.
            session.commit()
            if not finished:
                restart_dead_lanes(huey, broadcast_id)
        _recover_stopped(session, settings, now)


def _recover_stopped(session, settings: Settings, now: datetime) -> None:
    # A worker that died mid-send of a broadcast paused or cancelled since has no lane left
    # to check its claims: the clock does (a cancelled one's unsent rows become cancelled).
    stale = session.execute(
        select(Delivery.broadcast_id)
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(
            Delivery.status == Delivery.STATUS_CLAIMED,
            Delivery.claimed_at < now - sending.CLAIM_TIMEOUT,
            Broadcast.state != Broadcast.STATE_SENDING,
        )
        .distinct()
    ).scalars()
    for broadcast_id in list(stale):
        recovery.recover_stale_claims(settings, session, broadcast_id, now)


def _start_scheduled(session, broadcast: Broadcast, settings: Settings, now: datetime) -> bool:
    try:
        if broadcast.recipients is None:
            # Scheduled without its rows: they are made now, from the audience as it is today.
            from bot.broadcasting.fanout import create_deliveries

            create_deliveries(session, broadcast, settings.default_language)
        states.start(session, broadcast, now)
        session.commit()
    except states.BroadcastStateError:
        session.rollback()  # another worker's clock started it first
        return False
    log.info("scheduled broadcast %s started", broadcast.id)
    return True


# --- one lane --------------------------------------------------------------------------------


def run_lane(huey: Huey, broadcast_id: int, lane: int = 0, token: str | None = None) -> str:
    """Sends the broadcast's due rows until it is paused, cancelled or done (returns its state),
    or until nothing is due now: then the lane re-enqueues itself for when something will be
    ("waiting"). Returns "replaced" when another task holds this lane."""
    tasks = _tasks(huey)
    settings = tasks.settings
    if token is None:  # called directly, not through enqueue_lanes
        token = uuid.uuid4().hex
        _put_lease(huey, broadcast_id, lane, time.time() + LEASE_GRACE, token)
    worker_id = f"{socket.gethostname()}:{broadcast_id}:{lane}:{token[:8]}"
    sessions = _sessions(settings)
    pace = Pace.for_settings(settings, engine_for(settings.database_url), tasks.pace_name)
    # One Twilio client for the lane's run: its HTTP connection is kept from text to text.
    transport = transport_for(settings)
    next_send_time = sending.quiet_hours_for(settings)
    started = time.monotonic()
    with sessions() as session:
        recovery.recover_stale_claims(settings, session, broadcast_id)
    while True:
        lease = _lease(huey, broadcast_id, lane)
        if lease is None or lease[1] != token:
            return "replaced"
        stopped = _stopped(huey, sessions, broadcast_id, lane, token)
        if stopped is not None:
            return stopped
        _put_lease(huey, broadcast_id, lane, time.time() + LEASE_GRACE, token)
        claimed = sending.send_batch(
            settings,
            sessions,
            broadcast_id,
            worker_id,
            pace=pace,
            transport=transport,
            next_send_time=next_send_time,
        )
        if claimed:
            if time.monotonic() - started > RUN_BUDGET:
                return _come_back(huey, broadcast_id, lane, token, MIN_DELAY)
            continue
        with sessions() as session:
            finished = states.finish_if_done(session, broadcast_id)
            session.commit()
            if finished:
                _drop_lease(huey, broadcast_id, lane, token)
                return Broadcast.STATE_DONE
            recovered = recovery.recover_stale_claims(settings, session, broadcast_id)
            if recovered.pending:
                continue
            broadcast = session.get(Broadcast, broadcast_id)
            now = utcnow()
            wake = sending.next_wake(session, broadcast, now, next_send_time)
        if wake is None:
            continue  # settled between the two looks: the next turn finishes it
        shortest = UNREACHABLE_DELAY if recovered.unknown else MIN_DELAY
        delay = max((wake - now).total_seconds(), shortest)
        return _come_back(huey, broadcast_id, lane, token, delay)


def _stopped(huey: Huey, sessions, broadcast_id: int, lane: int, token: str) -> str | None:
    """The broadcast's state when it is no longer sending (the lane then lets go of its lease),
    None while it is."""
    with sessions() as session:
        state = session.scalar(select(Broadcast.state).where(Broadcast.id == broadcast_id))
        if state == Broadcast.STATE_SENDING:
            return None
        if state == Broadcast.STATE_CANCELLED:
            # Rows a lane gave back after cancel() ran are cancelled too.
            states.cancel_pending(session, broadcast_id)
            session.commit()
    _drop_lease(huey, broadcast_id, lane, token)
    return state or "missing"


def _come_back(huey: Huey, broadcast_id: int, lane: int, token: str, delay: float) -> str:
    _put_lease(huey, broadcast_id, lane, time.time() + delay + LEASE_GRACE, token)
    _tasks(huey).send_broadcast.schedule(args=(broadcast_id, lane, token), delay=delay)
    return "waiting"
