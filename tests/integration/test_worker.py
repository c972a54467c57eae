"""The worker's heartbeat, which /healthz reads, on Huey's SQLite storage and on Redis."""

import time

import pytest
import redis
from huey.consumer import Consumer

from bot.config import load_settings
from bot.worker import build_huey, last_heartbeat_age, make_huey


def _redis_reason():
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return f"Redis not reachable at 127.0.0.1:6379: {type(error).__name__}"


@pytest.fixture(params=["sqlite", "redis"])
def worker_settings(request, tmp_path):
    env = {"VAR_DIR": str(tmp_path)}
    if request.param == "redis":
        reason = _redis_reason()
        if reason:
            pytest.skip(reason)
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    return load_settings(environ=env, dotenv_path=None)


def test_a_running_worker_reports_its_heartbeat(worker_settings):
    assert last_heartbeat_age(make_huey(worker_settings)) is None
    consumer = Consumer(build_huey(worker_settings), workers=1, worker_type="thread")
    consumer.start()
    try:
        deadline = time.monotonic() + 10
        while last_heartbeat_age(make_huey(worker_settings)) is None:
            assert time.monotonic() < deadline, "no heartbeat within 10 s of starting"
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    assert last_heartbeat_age(make_huey(worker_settings)) < 60
