"""The background worker: a Huey consumer on SQLite by default, on Redis when REDIS_URL is set.

Huey objects are built from Settings on demand (never at import), and tasks are registered on them
by `build_huey`, in the worker and in the web process alike (the web process only enqueues:
Huey finds a task by the instance it was registered on); `bot worker` runs the consumer."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as clock_time

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from bot.broadcasting.tasks import enqueue_lanes, lanes_for, register_broadcast_tasks
from bot.config import Settings
from bot.job_locks import one_at_a_time
from bot.nlu.review_training import register_training_task
from bot.text.dates import local

HEARTBEAT_KEY = "family-line:worker-heartbeat"
# The heartbeat is written every minute; a worker silent for longer than this is reported down.
HEARTBEAT_STALE_AFTER = 150
# Los Angeles time of the daily retention purge: the line's quietest hour, when no broadcast
# goes out (SEND_WINDOW) and families are asleep.
RETENTION_PURGE_AT = clock_time(3, 30)
# A purge holding its lock longer than this died with its worker: the next one takes over.
RETENTION_LOCK_SECONDS = 6 * 3600


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("family-line", url=settings.redis_url)
    settings.huey_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("family-line", filename=str(settings.huey_path))


def build_huey(settings: Settings) -> Huey:
    huey = make_huey(settings)

    def beat() -> None:
        huey.put(HEARTBEAT_KEY, time.time())

    huey.on_startup("heartbeat-on-start")(beat)
    huey.periodic_task(crontab(minute="*"), name="heartbeat")(beat)
    register_broadcast_tasks(huey, settings)
    register_reminder_clock(huey, settings)
    register_retention_purge(huey, settings)
    register_training_task(huey, settings)
    return huey


def register_reminder_clock(huey: Huey, settings: Settings) -> None:
    """Every minute: the reminders of tomorrow's Parent College sessions, once REMINDER_TIME
    has come (bot.parent_college.reminders), each sent as a broadcast."""

    @huey.periodic_task(crontab(minute="*"), name="reminder_clock")
    def reminder_clock() -> None:
        from bot.db import engine_for, session_factory
        from bot.parent_college.reminders import queue_due_reminders

        with session_factory(engine_for(settings.database_url))() as session:
            started = queue_due_reminders(
                session, settings.default_language, settings.reminder_time
            )
        for broadcast_id in started:
            enqueue_lanes(huey, broadcast_id)


def at_los_angeles_time(at: clock_time):
    """A Huey schedule: every day at `at`, Los Angeles time. Huey's crontab reads its clock in
    UTC, where a fixed hour would move by one with daylight saving time."""

    def due(timestamp: datetime) -> bool:
        here = local(timestamp)  # Huey's clock is naive UTC
        return (here.hour, here.minute) == (at.hour, at.minute)

    return due


def register_retention_purge(huey: Huey, settings: Settings) -> None:
    """Every day at RETENTION_PURGE_AT: what is older than RETENTION_DAYS goes
    (bot.privacy.retention). Each consumer runs the periodic tasks, so a lock keeps it to one purge
    at a time."""

    @huey.periodic_task(at_los_angeles_time(RETENTION_PURGE_AT), name="retention_purge")
    def retention_purge() -> None:
        from bot.privacy.retention import scheduled_purge

        with one_at_a_time(huey, "retention_purge", RETENTION_LOCK_SECONDS):
            scheduled_purge(settings)


def last_heartbeat_age(huey: Huey) -> float | None:
    """Seconds since the worker last said it was alive; None if it never did."""
    beat = huey.get(HEARTBEAT_KEY, peek=True)
    return None if beat is None else max(time.time() - float(beat), 0.0)


def default_threads(settings: Settings) -> int:
    """Threads for one consumer: every lane of a broadcast (if the other workers are gone) and
    two more, so reminders and the clocks never wait behind a broadcast."""
    return lanes_for(settings) + 2


def run_worker(settings: Settings, workers: int | None = None) -> None:
    threads = workers or default_threads(settings)
    consumer = Consumer(build_huey(settings), workers=threads, worker_type="thread")
    consumer.run()
