"""In the scaled topology every web process counts web chat's limits in the same Redis, so a
visitor cannot get more by landing on another process (issue 15, point 2)."""

from __future__ import annotations

import secrets

import pytest
import redis

from tests.conftest import make_settings
from webhooks import rate_limits

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def two_web_processes(seeded_db, tmp_path, fake_rasa):
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    from webhooks import create_app

    settings = make_settings(seeded_db, tmp_path, RASA_URL=fake_rasa.url, REDIS_URL=REDIS_URL)
    return create_app(settings), create_app(settings)


def test_a_visitor_gets_no_more_by_alternating_between_web_processes(two_web_processes):
    first, second = (app.test_client() for app in two_web_processes)
    # Counts outlive the test in Redis: an address of its own keeps runs apart.
    address = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"}
    for client in (first, second):
        client.environ_base.update(address)
    assert first.post("/chat/messages", json={"text": "hola"}).status_code == 200
    # The same browser, its cookie signed with the line's one SECRET_KEY, on the other process.
    second.set_cookie("session", first.get_cookie("session").value)
    allowed = int(rate_limits.PER_VISITOR.split()[0])
    statuses = [
        (first if i % 2 else second).post("/chat/messages", json={"text": "hola"}).status_code
        for i in range(allowed + 1)
    ]
    assert statuses.count(200) == allowed
    assert statuses[-1] == 429
