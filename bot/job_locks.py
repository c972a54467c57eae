"""A periodic job that one worker at a time may run (a model's training, the retention purge),
however many workers' clocks fire at the same minute."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from huey import Huey
from huey.exceptions import TaskLockedException


@contextmanager
def one_at_a_time(huey: Huey, name: str, stale_after: float) -> Iterator[None]:
    """Like Huey's lock_task, but a lock left by a worker that died holding it is taken over
    once older than `stale_after` seconds (Huey's SQLite storage cannot expire a key)."""
    key = f"family-line:lock:{name}"
    if not huey.put_if_empty(key, time.time()):
        taken_at = huey.get(key, peek=True)
        if taken_at is not None and time.time() - float(taken_at) < stale_after:
            raise TaskLockedException(f"{name} is running in another worker")
        huey.put(key, time.time())
    try:
        yield
    finally:
        huey.delete(key)
