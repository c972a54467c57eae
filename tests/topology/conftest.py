"""The production topology on loopback (what `make run-scaled` starts): PostgreSQL for the data and
Rasa's trackers, a Redis of the test's own (so it can be stopped and started again), two Rasa
replicas and two action servers each behind HAProxy (bot/processes/haproxy.py), two workers,
gunicorn with two workers. Started once for the module; skipped with the reason where PostgreSQL,
Redis or HAProxy is missing."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from datetime import timedelta

import pytest
import redis
import requests
from sqlalchemy import select

from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.models import ParentCollegeSession, School
from bot.nlu.training import ensure_model
from bot.processes import haproxy
from bot.processes.command_lines import Topology, child_env, scaled_processes
from bot.processes.supervisor import start, stop
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form
from tests.conftest import make_settings
from tests.support.databases import (
    drop_database,
    fresh_postgres_database,
    postgres_unreachable_reason,
)
from tests.support.parent_college import next_saturday
from tests.support.stack import StackNotReady, free_port, start_ready, wait_until_ready

# The embedded default's token shape: the workers "send" through the console transport.
TOKEN = "local-topology-" + secrets.token_hex(8)


class OwnRedis:
    """A redis-server of the test's own on a free port, keeping nothing on disk."""

    def __init__(self, home):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.home = home
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.home)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class ScaledLine:
    """The running topology: post SMS to it, read its balancer, stop and restart a process."""

    def __init__(self, settings, specs, processes, env, log, log_path, own_redis):
        self.settings = settings
        self.specs = {spec.name: spec for spec in specs}
        self.processes = dict(zip(self.specs, processes, strict=True))
        self.env, self.log, self.log_path = env, log, log_path
        self.redis = own_redis
        self.base = f"http://127.0.0.1:{settings.port}"
        self.http = requests.Session()

    def text(self, phone: str, body: str) -> tuple[int, list[str]]:
        """One signed SMS into gunicorn; (HTTP status, the replies of its TwiML)."""
        url = self.base + "/twilio/sms"
        form = twilio_sms_form(body, phone)
        answer = requests.post(
            url, data=form, headers={"X-Twilio-Signature": sign(url, form, TOKEN)}, timeout=60
        )
        replies = replies_from_twiml(answer.text) if answer.status_code == 200 else []
        return answer.status_code, replies

    def rasa_replicas(self) -> list[haproxy.ReplicaStats]:
        """What HAProxy says of each Rasa replica: served, refused, taken out."""
        stats = self.http.get(f"{self.settings.rasa_url}{haproxy.STATS_PATH};csv", timeout=5)
        return haproxy.replica_stats(stats.text)

    def senders_served(self) -> list[tuple[str, str]]:
        """(Rasa replica, conversation's public id) of each message, from HAProxy's log lines."""
        self.log.flush()
        return haproxy.senders_served(self.log_path.read_text(encoding="utf-8"), "lb-rasa")

    def stop(self, name: str) -> None:
        stop([self.processes[name]])

    def kill(self, name: str) -> None:
        self.processes[name].kill()
        self.processes[name].wait()

    def restart(self, name: str) -> None:
        spec = self.specs[name]
        self.processes[name] = start(spec, self.env, out=self.log)
        wait_until_ready(spec, self.processes[name], self.log_path)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None


def _seed(database_url: str) -> None:
    upgrade(database_url)
    with session_scope(session_factory(engine_for(database_url))) as session:
        seed_database(session)
        for pc_session in session.execute(select(ParentCollegeSession)).scalars():
            pc_session.archived = True  # the seed's dates are placeholders that will pass
        markham = session.execute(select(School).filter_by(slug="markham")).scalar_one()
        starts = next_saturday(1)
        session.add(
            ParentCollegeSession(
                slug="topology-watts",
                title={"en": "Parent College", "es": "Parent College"},
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place=markham.address or markham.name,
                school=markham,
                neighborhood=markham.neighborhood,
                capacity=500,
            )
        )


@pytest.fixture(scope="module")
def scaled_line(tmp_path_factory):
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    if haproxy.find_haproxy() is None:
        pytest.skip(haproxy.INSTALL_HINT)
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: the topology test runs a Redis of its own")
    model = ensure_model()
    home = tmp_path_factory.mktemp("scaled")
    own_redis = OwnRedis(home)
    own_redis.start()
    with fresh_postgres_database(prefix="family_line_topology_") as database_url:
        _seed(database_url)
        settings = make_settings(
            database_url,
            home,
            TWILIO_AUTH_TOKEN=TOKEN,
            REDIS_URL=own_redis.url,
            PORT=str(free_port()),
            RASA_PORT=str(free_port()),
            ACTION_PORT=str(free_port()),
            RASA_TIMEOUT="20",
        )
        topology = Topology(
            rasa_ports=[free_port(), free_port()],
            action_ports=[free_port(), free_port()],
            log_senders=True,
        )
        specs = scaled_processes(settings, model, topology)
        log_path = home / "scaled.log"
        log = log_path.open("w", buffering=1)
        env = {**child_env(settings), "TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": "topology"}
        processes = []
        try:
            try:
                processes = start_ready(specs, env, log, log_path)
            except StackNotReady as error:
                pytest.fail(str(error))
            line = ScaledLine(settings, specs, processes, env, log, log_path, own_redis)
            yield line
            processes = list(line.processes.values())
        finally:
            stop(processes)
            log.close()
            own_redis.stop()
            engine_for(database_url).dispose()
            drop_database(database_url.rsplit("/", 1)[1] + "_rasa")
