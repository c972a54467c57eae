"""The background worker: a Huey consumer on SQLite by default, on Redis when REDIS_URL is set.

Huey objects are built from Settings on demand (never at import), and tasks are registered on them
by `build_huey`; `bot worker` runs the consumer. Broadcasts and reminders join here later."""

from __future__ import annotations

import time

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

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
    return huey


def last_heartbeat_age(huey: Huey) -> float | None:
    """Seconds since the worker last said it was alive; None if it never did."""
    beat = huey.get(HEARTBEAT_KEY, peek=True)
    return None if beat is None else max(time.time() - float(beat), 0.0)


def run_worker(settings: Settings, workers: int = 2) -> None:
    consumer = Consumer(build_huey(settings), workers=workers, worker_type="thread")
    consumer.run()
