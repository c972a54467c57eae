"""HAProxy from the config the line writes (bot/processes/haproxy.py), on loopback in front of
small replicas: per-request round robin, a replica that refuses connections skipped, no second
try for a request a replica already had, health checks that take a replica out, the log of which
replica served which conversation. Skipped with the way to install it where HAProxy is missing."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.processes import haproxy
from tests.support.stack import free_port

pytestmark = pytest.mark.skipif(haproxy.find_haproxy() is None, reason=haproxy.INSTALL_HINT)


class Replica:
    """A tiny HTTP server answering with its name and what it was sent; GET / is its health."""

    def __init__(self, name: str, hang_up: bool = False, healthy: bool = True):
        self.name = name
        self.hits = 0
        self.healthy = healthy
        replica = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Rasa's server does

            def do_GET(self):  # noqa: N802 (http.server's naming)
                self._answer(200 if replica.healthy else 500, b"ok")

            def do_POST(self):  # noqa: N802
                replica.hits += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if hang_up:  # took the request, then died before answering
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                echo = {
                    "replica": replica.name,
                    "path": self.path,
                    "body": body.decode(),
                    "header": self.headers.get("X-Test"),
                }
                self._answer(201, json.dumps(echo).encode())

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *args: None  # a hang-up or HAProxy's check closing
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Running:
    """HAProxy in the foreground from a config written the way `bot run --scaled` writes it."""

    def __init__(self, ports: dict[str, int], folder, log_senders: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        balancer = haproxy.Balancer(
            name="lb-test",
            port=self.port,
            replicas=[(name, f"127.0.0.1:{port}") for name, port in ports.items()],
            health_path="/",
            log_senders=log_senders,
        )
        config = haproxy.write_config(balancer, folder)
        self.log_path = folder / "haproxy.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [haproxy.find_haproxy(), "-db", "-f", str(config)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(self.url + haproxy.STATS_PATH + ";csv", timeout=1)
                break
            except requests.ConnectionError:
                assert self.process.poll() is None, self.log_path.read_text()
                assert time.monotonic() < deadline, "HAProxy did not start"
                time.sleep(0.05)

    def stats(self) -> dict[str, haproxy.ReplicaStats]:
        answer = requests.get(self.url + haproxy.STATS_PATH + ";csv", timeout=5)
        return {replica.name: replica for replica in haproxy.replica_stats(answer.text)}

    def log_text(self) -> str:
        time.sleep(0.2)  # HAProxy writes a request's line once it is done
        return self.log_path.read_text()

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def replicas():
    made = []

    def make(name, **kwargs):
        replica = Replica(name, **kwargs)
        made.append(replica)
        return replica

    yield make
    for replica in made:
        replica.close()


@pytest.fixture
def balanced(tmp_path):
    made = []

    def make(ports, log_senders=False):
        running = Running(ports, tmp_path / f"haproxy-{len(made)}", log_senders)
        made.append(running)
        return running

    yield make
    for running in made:
        running.close()


def post(url, sender="abc123", http=requests, **kwargs):
    return http.post(
        url + "/webhooks/family_line/webhook",
        json={"sender": sender, "message": "hola"},
        timeout=10,
        **kwargs,
    )


def test_each_request_goes_to_the_next_replica_on_one_connection(replicas, balanced):
    one, two = replicas("one"), replicas("two")
    running = balanced({"one": one.port, "two": two.port}, log_senders=True)

    with requests.Session() as kept_alive:  # as the web's RasaClient keeps its connection
        served = [post(running.url, http=kept_alive).json()["replica"] for _ in range(6)]

    assert served in (["one", "two"] * 3, ["two", "one"] * 3)
    stats = running.stats()
    assert (stats["one"].served, stats["two"].served) == (3, 3)
    logged = haproxy.senders_served(running.log_text(), "lb-test")
    assert logged == [(name, "abc123") for name in served]


def test_the_request_arrives_whole(replicas, balanced):
    one = replicas("one")
    running = balanced({"one": one.port})

    answer = post(running.url, headers={"X-Test": "kept"})

    assert answer.status_code == 201
    echoed = answer.json()
    assert echoed["path"] == "/webhooks/family_line/webhook"
    assert json.loads(echoed["body"]) == {"sender": "abc123", "message": "hola"}
    assert echoed["header"] == "kept"


def test_senders_are_not_logged_unless_asked(replicas, balanced):
    one = replicas("one")
    running = balanced({"one": one.port})

    post(running.url, sender="a-public-id")

    assert "a-public-id" not in running.log_text()


def test_a_replica_that_refuses_connections_is_skipped(replicas, balanced):
    alive = replicas("alive")
    running = balanced({"dead": free_port(), "alive": alive.port})  # nothing listens on "dead"

    served = [post(running.url) for _ in range(4)]

    assert all(answer.status_code == 201 for answer in served)
    assert alive.hits == 4
    stats = running.stats()
    assert stats["dead"].served == 0
    assert stats["dead"].refused >= 1 or stats["dead"].went_down >= 1


def test_a_request_a_replica_took_is_never_sent_to_another(replicas, balanced):
    dying = replicas("dying", hang_up=True)
    other = replicas("other")
    running = balanced({"dying": dying.port, "other": other.port})

    answers = [post(running.url) for _ in range(2)]  # round robin: one of them meets "dying"

    assert sorted(answer.status_code for answer in answers) == [201, 502]
    assert dying.hits == 1 and other.hits == 1, "a message Rasa may have acted on went twice"


def test_a_replica_failing_its_health_checks_is_taken_out_and_put_back(replicas, balanced):
    sick = replicas("sick", healthy=False)
    well = replicas("well")
    running = balanced({"sick": sick.port, "well": well.port})
    deadline = time.monotonic() + 10
    while running.stats()["sick"].up and time.monotonic() < deadline:
        time.sleep(0.2)

    served = [post(running.url).json()["replica"] for _ in range(4)]

    assert served == ["well"] * 4 and sick.hits == 0
    assert running.stats()["sick"].went_down == 1
    # Not every replica is in: what `bot run` waits on before it says the line is running.
    assert requests.get(running.url + haproxy.ALL_UP_PATH, timeout=5).status_code == 503
    sick.healthy = True
    deadline = time.monotonic() + 10
    while not running.stats()["sick"].up and time.monotonic() < deadline:
        time.sleep(0.2)
    assert requests.get(running.url + haproxy.ALL_UP_PATH, timeout=5).status_code == 200
    assert {post(running.url).json()["replica"] for _ in range(4)} == {"sick", "well"}


def test_no_replica_at_all_is_an_error_the_line_handles(balanced):
    running = balanced({"gone-1": free_port(), "gone-2": free_port()})

    answer = post(running.url)

    # The web's RasaClient treats any 5xx as "Rasa unavailable": an apology, staff told.
    assert answer.status_code in (502, 503)
