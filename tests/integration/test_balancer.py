"""bot/processes/balancer.py on loopback: per-request round robin, a replica that refuses
connections skipped, no second try for a request a replica already had, the journal of who served
whom."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from aiohttp import web

from bot.processes.balancer import Balancer, Upstream, make_app
from tests.support.stack import free_port


class Replica:
    """A tiny HTTP server answering with its name and what it was sent."""

    def __init__(self, name: str, hang_up: bool = False):
        self.name = name
        self.hits = 0
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                replica.hits += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if hang_up:  # took the request, then died before answering
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                answer = json.dumps(
                    {
                        "replica": replica.name,
                        "path": self.path,
                        "body": body.decode(),
                        "header": self.headers.get("X-Test"),
                    }
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Running:
    """The balancer's aiohttp app on a loop of its own in a thread."""

    def __init__(self, upstreams: list[str], journal: int = 0):
        self.balancer = Balancer([Upstream(url) for url in upstreams], journal_size=journal)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve():
            self.runner = web.AppRunner(make_app(self.balancer))
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
            ready.set()

        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop)
        assert ready.wait(10)

    def close(self):
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


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
def balanced():
    made = []

    def make(upstreams, journal=0):
        running = Running(upstreams, journal)
        made.append(running)
        return running

    yield make
    for running in made:
        running.close()


def post(url, sender="abc123", **kwargs):
    return requests.post(
        url + "/webhooks/family_line/webhook",
        json={"sender": sender, "message": "hola"},
        timeout=10,
        **kwargs,
    )


def test_each_request_goes_to_the_next_replica(replicas, balanced):
    one, two = replicas("one"), replicas("two")
    running = balanced([one.url, two.url], journal=10)

    served = [post(running.url).json()["replica"] for _ in range(6)]

    assert served in (["one", "two"] * 3, ["two", "one"] * 3)
    stats = running.balancer.stats()
    assert [u["served"] for u in stats["upstreams"]] == [3, 3]
    assert [entry["sender"] for entry in stats["journal"]] == ["abc123"] * 6
    assert {entry["upstream"] for entry in stats["journal"]} == {one.url, two.url}


def test_the_request_arrives_whole(replicas, balanced):
    one = replicas("one")
    running = balanced([one.url])

    answer = post(running.url + "", headers={"X-Test": "kept"})

    assert answer.status_code == 201
    echoed = answer.json()
    assert echoed["path"] == "/webhooks/family_line/webhook"
    assert json.loads(echoed["body"]) == {"sender": "abc123", "message": "hola"}
    assert echoed["header"] == "kept"


def test_a_replica_that_refuses_connections_is_skipped(replicas, balanced):
    alive = replicas("alive")
    dead_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    running = balanced([dead_url, alive.url])

    served = [post(running.url) for _ in range(4)]

    assert all(answer.status_code == 201 for answer in served)
    assert alive.hits == 4
    dead = running.balancer.upstreams[0]
    assert dead.refused >= 1 and dead.served == 0


def test_a_request_a_replica_took_is_never_sent_to_another(replicas, balanced):
    dying = replicas("dying", hang_up=True)
    other = replicas("other")
    running = balanced([dying.url, other.url])

    answer = post(running.url)

    assert answer.status_code == 502
    assert dying.hits == 1 and other.hits == 0, "a message Rasa may have acted on went twice"


def test_no_replica_at_all_is_a_502(balanced):
    running = balanced([f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"])

    answer = post(running.url)

    assert answer.status_code == 502
    assert "no replica" in answer.text


def test_only_a_connection_that_never_opened_counts_as_refused():
    from aiohttp.client_exceptions import ServerTimeoutError

    from bot.processes.balancer import _never_connected

    # What aiohttp raises when a replica's machine does not answer at all, and when a replica
    # took the request and then went quiet: only the first is safe to send elsewhere.
    assert _never_connected(ServerTimeoutError("Connection timeout to host http://10.0.0.9:5005"))
    assert not _never_connected(ServerTimeoutError("Timeout on reading data from socket"))
