"""A worker killed mid-send (SIGKILL) loses nothing and sends nothing twice: a real Huey consumer
process sends a broadcast through the fake Twilio REST API (slow enough that texts are in
flight), is killed, and a second consumer finishes the broadcast. Huey on a SQLite file and on
Redis; the data on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from bot.broadcasting import states, tasks
from bot.db import engine_for, session_factory
from bot.models import Broadcast, Contact, Delivery
from bot.sms.outbound import twilio_client
from tests.conftest import make_settings
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/11"
TOKEN = "fake-twilio-auth-token-0123456789"
LINE_NUMBER = "+13235550199"
FAMILIES = 40
RATE = 10
# Short enough for a test, in the consumer only: a claim is stale after 3 s, a lane silent
# for 2 s past its lease is dead.
CLAIM_TIMEOUT_SECONDS = 3
LEASE_GRACE_SECONDS = 2

CONSUMER = """
import logging, os
from datetime import timedelta
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer
from bot.broadcasting import sending, tasks
from bot.config import load_settings

logging.basicConfig(level=logging.INFO)
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
sending.CLAIM_TIMEOUT = timedelta(seconds=float(os.environ["TEST_CLAIM_TIMEOUT"]))
tasks.LEASE_GRACE = float(os.environ["TEST_LEASE_GRACE"])
settings = load_settings(dotenv_path=None)
name = os.environ["TEST_HUEY_NAME"]
if settings.redis_url:
    huey = RedisHuey(name, url=settings.redis_url)
else:
    huey = SqliteHuey(name, filename=os.environ["TEST_HUEY_PATH"])
tasks.register_broadcast_tasks(huey, settings, pace_name=os.environ["TEST_PACE_NAME"])
Consumer(huey, workers=2, worker_type="thread").run()
"""


def _redis_reason() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
        return None
    except redis.RedisError as error:
        return f"Redis not reachable at 127.0.0.1:6379: {type(error).__name__}"


@pytest.fixture(params=["sqlite-huey", "redis-huey"])
def queue(request, tmp_path):
    """(environment for the consumer, the same Huey for the test to enqueue with)."""
    name = "crash-test-" + secrets.token_hex(4)
    pace_name = "crash-" + secrets.token_hex(4)
    env = {"TEST_HUEY_NAME": name, "TEST_PACE_NAME": pace_name}
    if request.param == "sqlite-huey":
        path = tmp_path / "huey.db"
        env["TEST_HUEY_PATH"] = str(path)
        yield env, SqliteHuey(name, filename=str(path))
        return
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    env["REDIS_URL"] = REDIS_URL
    huey = RedisHuey(name, url=REDIS_URL)
    yield env, huey
    huey.flush()
    redis.Redis.from_url(REDIS_URL).delete(f"family-line:send-pace:{pace_name}")


@pytest.fixture
def fake():
    # Twilio takes each text at once and answers 0.3 s later: a kill finds texts in flight.
    fake = FakeTwilio(token=TOKEN, latency=0.3)
    yield fake
    fake.close()


def new_broadcast(db) -> tuple[int, list[str]]:
    phones = [f"+1323555{2000 + n:04d}" for n in range(FAMILIES)]
    with db() as session:
        broadcast = Broadcast(
            texts={"en": "Markham is closed today.", "es": "Markham está cerrada hoy."},
            audience={"kind": "everyone"},
            urgent=True,  # whatever the hour the test runs at
        )
        session.add(broadcast)
        session.flush()
        for n, phone in enumerate(phones):
            contact = Contact(phone=phone, language="es" if n % 2 else "en")
            session.add(contact)
            session.flush()
            session.add(
                Delivery(
                    broadcast_id=broadcast.id,
                    contact_id=contact.id,
                    phone=phone,
                    language=contact.language,
                )
            )
        broadcast.recipients = FAMILIES
        states.start(session, broadcast)
        session.commit()
        return broadcast.id, phones


def start_consumer(environ: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "-c", CONSUMER],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, timeout: float, what: str, consumer: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while not condition():
        if consumer is not None and consumer.poll() is not None:
            raise AssertionError(f"the consumer exited ({consumer.returncode}) before {what}")
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.01)


def stop(consumer: subprocess.Popen) -> None:
    if consumer.poll() is None:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    migrated_db, queue, fake, tmp_path
):
    environ, huey = queue
    settings = make_settings(
        migrated_db,
        tmp_path,
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER=LINE_NUMBER,
        TWILIO_API_BASE_URL=fake.url,
        SEND_RATE_PER_SECOND=str(RATE),
        **({"REDIS_URL": environ["REDIS_URL"]} if "REDIS_URL" in environ else {}),
    )
    consumer_env = {
        **environ,
        "DATABASE_URL": migrated_db,
        "VAR_DIR": str(tmp_path / "var"),
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": LINE_NUMBER,
        "TWILIO_API_BASE_URL": fake.url,
        "SEND_RATE_PER_SECOND": str(RATE),
        "TEST_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT_SECONDS),
        "TEST_LEASE_GRACE": str(LEASE_GRACE_SECONDS),
    }
    db = session_factory(engine_for(migrated_db))
    broadcast_id, phones = new_broadcast(db)
    tasks.register_broadcast_tasks(huey, settings, pace_name=environ["TEST_PACE_NAME"])
    log_path = tmp_path / "consumers.log"

    first = start_consumer(consumer_env, log_path)
    try:
        tasks.enqueue_lanes(huey, broadcast_id, lanes=2)
        wait_for(lambda: fake.accepted_count >= 12, 60, "texts sent by the first worker", first)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        stop(first)

    # What the kill left behind: claimed rows, some of them already in Twilio's hands.
    with db() as session:
        claimed = session.execute(
            select(Delivery.phone).filter_by(broadcast_id=broadcast_id, status="claimed")
        ).scalars()
        claimed = list(claimed)
    in_flight = [phone for phone in claimed if fake.sent_to(phone)]
    assert claimed, "the kill found no text mid-send: the test proves nothing"
    assert in_flight, "no killed send had reached Twilio: recovery was not exercised"
    assert fake.accepted_count < FAMILIES

    time.sleep(LEASE_GRACE_SECONDS + 0.5)  # the dead lanes' leases run out
    second = start_consumer(consumer_env, log_path)
    try:

        def done():
            with db() as session:
                return session.get(Broadcast, broadcast_id).state == Broadcast.STATE_DONE

        wait_for(done, 90, "finished broadcast after the restart", second)
    finally:
        stop(second)

    assert {phone: fake.sent_to(phone) for phone in phones} == dict.fromkeys(phones, 1), (
        f"see {log_path}"
    )
    assert fake.duplicates() == {} and fake.accepted_count == FAMILIES
    with db() as session:
        rows = session.execute(select(Delivery).filter_by(broadcast_id=broadcast_id)).scalars()
        by_phone = {row.phone: row for row in rows}
    by_sid = {m.sid: m.to for m in fake.messages}
    for phone, row in by_phone.items():
        assert row.status in ("queued", "sent", "delivered"), (phone, row.status)
        # The SID recorded is the one Twilio gave this family's text, found again after the
        # kill for the texts that were in flight.
        assert by_sid[row.twilio_sid] == phone
    # The recovered rows are those the fake answered after the kill: their SIDs came from
    # Twilio's message list, not from an answer.
    listed = twilio_client(settings).messages.list(to=in_flight[0], limit=5)
    assert [m.sid for m in listed] == [by_phone[in_flight[0]].twilio_sid]
