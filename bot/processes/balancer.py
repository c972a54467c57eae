"""A small HTTP load balancer for the line's own replicas (Rasa servers, action servers) where
nginx is not installed: `bot balance --port 5005 --upstream http://127.0.0.1:5105 ...`.

Each request goes to the next replica in turn (round robin per request, not per connection:
consecutive messages of one family land on different replicas, which the shared tracker and
lock stores make safe). A replica that refuses the connection is skipped for a few seconds
and the request goes to the next one: nothing was delivered, so trying again is safe. A
replica that fails after it got the request (reset, timeout) is not retried: Rasa may have
acted on the message, and a second try could answer it twice. The caller gets a 502 and
handles it as "Rasa unavailable" (an apology; the message waits for staff).

`GET /_balancer` tells an operator (and the topology test) what each replica served and, with
--journal N, which replica served the last N conversations' requests (the `sender` of Rasa's
channel payload: a contact's random public id, never a phone number)."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web
from aiohttp.client_exceptions import ClientConnectorError, ServerTimeoutError

log = logging.getLogger(__name__)

# A replica that refused a connection is left alone this long before it is tried again.
DOWN_FOR_SECONDS = 3.0
# Longer than any answer the line waits for (RASA_TIMEOUT, an action's database work).
UPSTREAM_TIMEOUT_SECONDS = 60.0
# A replica on a machine that is down does not refuse the connection, it never answers: after
# this long the connection counts as refused (nothing was sent) and the next replica is tried.
CONNECT_TIMEOUT_SECONDS = 3.0
# Hop-by-hop headers (RFC 9110 7.6.1) and those aiohttp sets itself.
DROPPED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
STATS_PATH = "/_balancer"
CLIENT = web.AppKey("client", ClientSession)


@dataclass
class Upstream:
    url: str
    served: int = 0
    refused: int = 0  # connections refused: skipped, the request went elsewhere
    failed: int = 0  # failed after the request was sent: answered 502
    down_until: float = 0.0

    def available(self, now: float) -> bool:
        return now >= self.down_until


@dataclass
class Balancer:
    upstreams: list[Upstream]
    journal_size: int = 0
    journal: deque = field(init=False)
    _turns: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.journal = deque(maxlen=max(self.journal_size, 1))

    def order(self) -> list[Upstream]:
        """Every replica, starting with the next one's turn; those marked down go last."""
        start = next(self._turns) % len(self.upstreams)
        turn = self.upstreams[start:] + self.upstreams[:start]
        now = time.monotonic()
        return [u for u in turn if u.available(now)] + [u for u in turn if not u.available(now)]

    def note(self, upstream: Upstream, body: bytes) -> None:
        upstream.served += 1
        if self.journal_size:
            self.journal.append({"sender": _sender_of(body), "upstream": upstream.url})

    def stats(self) -> dict:
        now = time.monotonic()
        return {
            "upstreams": [
                {
                    "url": u.url,
                    "served": u.served,
                    "refused": u.refused,
                    "failed": u.failed,
                    "up": u.available(now),
                }
                for u in self.upstreams
            ],
            "journal": list(self.journal) if self.journal_size else None,
        }


def _sender_of(body: bytes) -> str | None:
    # Only Rasa channel payloads have one; anything else is journaled without a sender.
    if not body or body[:1] != b"{":
        return None
    try:
        sender = json.loads(body).get("sender")
    except (ValueError, AttributeError):
        return None
    return sender if isinstance(sender, str) else None


# aiohttp 3.9 raises ServerTimeoutError for a connect timeout and a read timeout alike (newer
# versions have ConnectionTimeoutError); only its words tell them apart.
_CONNECT_TIMEOUTS = (ServerTimeoutError,)


def _never_connected(error: Exception) -> bool:
    if isinstance(error, ClientConnectorError):
        return True
    return str(error).startswith("Connection timeout")


def _forwarded_headers(request: web.Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
    headers["X-Forwarded-For"] = request.remote or ""
    return headers


def make_app(balancer: Balancer) -> web.Application:
    async def start_client(app: web.Application) -> None:
        app[CLIENT] = ClientSession(
            connector=TCPConnector(limit=0),
            timeout=ClientTimeout(
                total=UPSTREAM_TIMEOUT_SECONDS, sock_connect=CONNECT_TIMEOUT_SECONDS
            ),
            auto_decompress=False,
        )

    async def close_client(app: web.Application) -> None:
        await app[CLIENT].close()

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(balancer.stats())

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = _forwarded_headers(request)
        client = request.app[CLIENT]
        for upstream in balancer.order():
            try:
                async with client.request(
                    request.method,
                    upstream.url + request.path_qs,
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                ) as answer:
                    payload = await answer.read()
                    balancer.note(upstream, body)
                    kept = {
                        k: v for k, v in answer.headers.items() if k.lower() not in DROPPED_HEADERS
                    }
                    return web.Response(status=answer.status, body=payload, headers=kept)
            except (ClientConnectorError, *_CONNECT_TIMEOUTS) as error:
                if not _never_connected(error):
                    upstream.failed += 1
                    log.warning("%s failed mid-request: %s", upstream.url, error)
                    return web.Response(status=502, text=f"upstream failed: {error}")
                # Never reached the replica: try the next one.
                upstream.refused += 1
                upstream.down_until = time.monotonic() + DOWN_FOR_SECONDS
                log.warning("%s refused the connection (%s); trying the next", upstream.url, error)
            except (ClientError, asyncio.TimeoutError) as error:
                upstream.failed += 1
                log.warning("%s failed mid-request: %s", upstream.url, error)
                return web.Response(status=502, text=f"upstream failed: {error}")
        return web.Response(status=502, text="no replica is reachable")

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.on_startup.append(start_client)
    app.on_cleanup.append(close_client)
    app.router.add_get(STATS_PATH, stats)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def serve(host: str, port: int, upstreams: list[str], journal: int = 0) -> None:
    """Runs the balancer in the foreground until SIGINT/SIGTERM."""
    balancer = Balancer([Upstream(url.rstrip("/")) for url in upstreams], journal_size=journal)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    print(f"balancing http://{host}:{port} over {', '.join(upstreams)}", flush=True)
    web.run_app(make_app(balancer), host=host, port=port, print=None, access_log=None)
