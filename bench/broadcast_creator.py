"""The console's Send button (bot.broadcasting.compose.create) in a process of its own, so its
peak memory is the broadcast's. bench/broadcast.py runs it as `python -m bench.broadcast_creator`
with BENCH_TEXTS in the environment; it prints one line of JSON: the broadcast, its recipients,
how long creating it and its delivery rows took, and the process's memory before and at peak."""

from __future__ import annotations

import json
import os
import time

from sqlalchemy import text

from bot.broadcasting import compose
from bot.broadcasting.audience import Audience
from bot.config import load_settings
from bot.db import engine_for, session_factory


def resident_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    settings = load_settings(dotenv_path=None)
    sessions = session_factory(engine_for(settings.database_url))
    timings = {}
    make_rows = compose.create_deliveries

    def timed_create_deliveries(*args, **kwargs):
        started = time.perf_counter()
        added = make_rows(*args, **kwargs)
        timings["deliveries"] = time.perf_counter() - started
        return added

    compose.create_deliveries = timed_create_deliveries
    # Connecting and mapping are the process's cost, not the broadcast's.
    with sessions() as session:
        session.execute(text("SELECT 1"))
    before_kb = resident_kb("VmRSS")
    started = time.perf_counter()
    with sessions() as session:
        created = compose.create(
            session, json.loads(os.environ["BENCH_TEXTS"]), Audience(kind="everyone"), settings,
            title="bench", urgent=True,
        )  # fmt: skip
        session.commit()
        broadcast_id, recipients = created.broadcast.id, created.broadcast.recipients
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "broadcast_id": broadcast_id,
        "recipients": recipients,
        "seconds": elapsed,
        "deliveries_seconds": timings["deliveries"],
        "before_kb": before_kb,
        # Not getrusage's ru_maxrss: Linux carries the parent's peak over into it at exec.
        "peak_kb": resident_kb("VmHWM"),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
