"""The line's worker (bot.worker.make_huey / run_worker, as `bot worker` runs it) under a
benchmark run's own Huey and send-pace names, so a run never shares a queue or a rate with
anyone. bench/broadcast.py starts it as `python -m bench.broadcast_worker` with its settings in
the environment (BENCH_HUEY_NAME, BENCH_PACE_NAME, BENCH_THREADS; BENCH_CLAIM_TIMEOUT and
BENCH_LEASE_GRACE to see a dead worker's rows recovered sooner)."""

from __future__ import annotations

import functools
import logging
import os
from datetime import timedelta

from huey import RedisHuey, SqliteHuey

from bot import worker
from bot.broadcasting import sending, tasks
from bot.config import load_settings


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("huey").setLevel(logging.INFO)
    if os.environ.get("BENCH_CLAIM_TIMEOUT"):
        sending.CLAIM_TIMEOUT = timedelta(seconds=float(os.environ["BENCH_CLAIM_TIMEOUT"]))
    if os.environ.get("BENCH_LEASE_GRACE"):
        tasks.LEASE_GRACE = float(os.environ["BENCH_LEASE_GRACE"])
    name = os.environ["BENCH_HUEY_NAME"]

    def make_huey(settings):
        if settings.redis_url:
            return RedisHuey(name, url=settings.redis_url)
        return SqliteHuey(name, filename=str(settings.huey_path))

    worker.make_huey = make_huey
    worker.register_broadcast_tasks = functools.partial(
        tasks.register_broadcast_tasks, pace_name=os.environ["BENCH_PACE_NAME"]
    )
    worker.run_worker(load_settings(dotenv_path=None), workers=int(os.environ["BENCH_THREADS"]))


if __name__ == "__main__":
    main()
