"""The line's one send rate, held by threads and by processes that share nothing but the limiter:
the database's send_pace row (SQLite, PostgreSQL) or Redis.

The limiter hands out slots on its own clock; the rate holds exactly when every slot handed out,
to whoever asked at the same time, is one interval after the one before. That is what these
tests check, without sleeping: they never measure elapsed time (the achieved send rate is
bench/broadcast.py's figure)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis

from bot.broadcasting.pace import DatabasePace, Pace, RedisPace
from bot.db import engine_for
from tests.conftest import make_settings

REDIS_URL = "redis://127.0.0.1:6379/11"
RATE = 20
PER_SENDER = 15
ROOT = Path(__file__).resolve().parents[2]


def _redis_reason() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return f"Redis not reachable at 127.0.0.1:6379: {type(error).__name__}"


@pytest.fixture(params=["database", "redis"])
def limiter(request, migrated_db, tmp_path):
    """(kind, url, name): a limiter no other test shares, on the database or on Redis."""
    name = "test-" + secrets.token_hex(4)
    if request.param == "database":
        yield "database", migrated_db, name
        return
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    yield "redis", REDIS_URL, name
    RedisPace(redis.Redis.from_url(REDIS_URL), RATE, name).forget()


def _pace(kind: str, url: str, name: str) -> Pace:
    if kind == "redis":
        return RedisPace(redis.Redis.from_url(url), RATE, name)
    return DatabasePace(engine_for(url), RATE, name)


def _assert_one_interval_apart(slots: list[float]) -> None:
    slots = sorted(slots)
    gaps = [b - a for a, b in zip(slots[:-1], slots[1:], strict=True)]
    # Redis counts whole microseconds; the databases' floats are exact to well under that.
    assert all(gap == pytest.approx(1 / RATE, abs=2e-6) for gap in gaps), gaps


def _reserve_together(pace: Pace, threads: int) -> list[float]:
    """`threads` senders each take PER_SENDER slots at once; returns every slot handed out."""
    slots: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(threads)

    def sender():
        ready.wait()
        for _ in range(PER_SENDER):
            slot, _delay = pace.reserve_slot()
            with lock:
                slots.append(slot)

    workers = [threading.Thread(target=sender) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return slots


def test_slots_are_one_interval_apart_and_an_idle_line_sends_at_once(limiter):
    pace = _pace(*limiter)
    first = pace.reserve_slot()
    assert first[1] <= 0.5, "an idle line made the first text wait"
    _assert_one_interval_apart([first[0], pace.reserve_slot()[0], pace.reserve_slot()[0]])


def test_four_threads_asking_at_once_share_the_rate(limiter):
    slots = _reserve_together(_pace(*limiter), threads=4)
    assert len(slots) == 4 * PER_SENDER
    _assert_one_interval_apart(slots)


def test_settings_choose_redis_when_the_line_has_it(limiter, tmp_path):
    kind, url, name = limiter
    environ = {"SEND_RATE_PER_SECOND": str(RATE)}
    if kind == "redis":
        environ["REDIS_URL"] = url
    database = url if kind == "database" else f"sqlite:///{tmp_path / 'unused.db'}"
    settings = make_settings(database, tmp_path, **environ)
    pace = Pace.for_settings(settings, engine_for(database), name)
    assert isinstance(pace, RedisPace if kind == "redis" else DatabasePace)
    _assert_one_interval_apart([pace.reserve_slot()[0], pace.reserve_slot()[0]])


def test_waiting_for_a_turn_sleeps_until_the_slot():
    class Fixed(Pace):
        def reserve_slot(self):
            return 100.0, 0.02

    assert Fixed().wait_turn() == 0.02


_PROCESS = """
import json, sys, threading
import redis
from bot.broadcasting.pace import DatabasePace, RedisPace
from bot.db import make_engine

kind, url, name, rate, count = sys.argv[1:6]
if kind == "redis":
    pace = RedisPace(redis.Redis.from_url(url), float(rate), name)
else:
    pace = DatabasePace(make_engine(url), float(rate), name)
sys.stdin.readline()  # both processes start asking together
slots, lock = [], threading.Lock()

def sender():
    for _ in range(int(count)):
        slot, _ = pace.reserve_slot()
        with lock:
            slots.append(slot)

threads = [threading.Thread(target=sender) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(slots))
"""


def test_two_processes_asking_at_once_share_the_rate(limiter):
    kind, url, name = limiter
    command = [sys.executable, "-c", _PROCESS, kind, url, name, str(RATE), str(PER_SENDER)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    slots = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        slots += json.loads(out)
    assert len(slots) == 2 * 2 * PER_SENDER
    _assert_one_interval_apart(slots)
