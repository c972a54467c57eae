"""The background worker: a Huey consumer on SQLite by default, on Redis when REDIS_URL is set.

Huey objects are built from Settings on demand (never at import), and tasks are registered on them
by `build_huey`, in the worker and in the web process alike (the web process only enqueues:
Huey finds a task by the instance it was registered on); `bot worker` runs the consumer."""

from __future__ import annotations

import time

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from .broadcasting.tasks import enqueue_lanes, register_broadcast_tasks
from .config import Settings

HEARTBEAT_KEY = "family-line:worker-heartbeat"
# The heartbeat is written every minute; a worker silent for longer than this is reported down.
HEARTBEAT_STALE_AFTER = 150


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
    return huey


def register_reminder_clock(huey: Huey, settings: Settings) -> None:
    """Every minute: the reminders of tomorrow's Parent College sessions, once REMINDER_TIME
    has come (bot.reminders), each sent as a broadcast."""

    @huey.periodic_task(crontab(minute="*"), name="reminder_clock")
    def reminder_clock() -> None:
        from .db import engine_for, session_factory
        from .reminders import queue_due_reminders

        with session_factory(engine_for(settings.database_url))() as session:
            started = queue_due_reminders(
                session, settings.default_language, settings.reminder_time
            )
        for broadcast_id in started:
            enqueue_lanes(huey, broadcast_id)


def last_heartbeat_age(huey: Huey) -> float | None:
    """Seconds since the worker last said it was alive; None if it never did."""
    beat = huey.get(HEARTBEAT_KEY, peek=True)
    return None if beat is None else max(time.time() - float(beat), 0.0)


def run_worker(settings: Settings, workers: int = 2) -> None:
    consumer = Consumer(build_huey(settings), workers=workers, worker_type="thread")
    consumer.run()
