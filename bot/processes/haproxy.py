"""HAProxy in front of the line's replicas (Rasa servers, action servers): the config the line
writes for `bot run --scaled` and the topology test, which is also the one docs/deploy.md shows for
production, so the path an operator runs is the path the tests run.

What each config promises:
- round robin per request, not per connection: consecutive messages of one family land on
  different replicas, which the shared tracker and lock stores make safe;
- health checks: a replica that fails two checks in a row is taken out, and put back after two
  good ones;
- a retry only when the connection failed (the request never reached the replica, so another one
  may take it), never for a request a replica got: Rasa may have acted on the message, and a
  second try could answer it twice. The caller gets a 502 or 504 and handles it as "Rasa
  unavailable" (an apology; the message waits for staff).

Its statistics (what each replica served, how many requests it refused) are at /_haproxy on the
balancer's own port, as a page for an operator and as CSV (/_haproxy;csv) for the topology test
and bench/scale.py; /_haproxy/all-up answers 200 only while every replica is in."""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.rasa.token import HEALTH_PATH

STATS_PATH = "/_haproxy"
# Answers 200 once every replica passes its health checks, 503 until then: what `bot run` waits for
# before it says the line is running (a request before that would find no replica).
ALL_UP_PATH = "/_haproxy/all-up"
# Debian puts it in /usr/sbin, which is not on every user's PATH.
_PLACES = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")
INSTALL_HINT = (
    "HAProxy is not installed; the scaled line balances its replicas with it. "
    "Install it with `sudo apt-get install haproxy` (Debian, Ubuntu) or your system's package."
)
# Longer than any answer the line waits for (RASA_TIMEOUT, an action's database work).
SERVER_TIMEOUT_SECONDS = 60
# A replica on a machine that is down does not refuse the connection, it never answers: after
# this long the connection counts as failed (nothing was sent) and the next replica is tried.
CONNECT_TIMEOUT_SECONDS = 3


# What sits behind each kind of balancer: (its name, its replicas' names, their health path).
# Rasa's greeting is the one route its token check leaves open; rasa_sdk answers /health.
KINDS = {
    "rasa": ("lb-rasa", "rasa", HEALTH_PATH),
    "actions": ("lb-actn", "actions", "/health"),
}


@dataclass(frozen=True)
class Balancer:
    """One HAProxy: where it listens and the replicas behind it."""

    name: str  # lb-rasa, lb-actn: the frontend's name, first on each of its log lines
    port: int
    replicas: list[tuple[str, str]]  # (name, host:port)
    health_path: str  # "/" answers on a Rasa server, "/health" on an action server
    host: str = "127.0.0.1"
    # Log the `sender` of each Rasa channel payload: a contact's random public id, never a phone
    # number. The topology test reads it to see which replica served each conversation.
    log_senders: bool = False

    @classmethod
    def in_front_of(
        cls, kind: str, port: int, addresses: list[str], host: str = "127.0.0.1", **options
    ) -> Balancer:
        """The balancer for the Rasa replicas or the action servers at `addresses` (host:port),
        named rasa-1, rasa-2... as `bot run --scaled` names their processes."""
        name, replica, health_path = KINDS[kind]
        return cls(
            name=name,
            port=port,
            host=host,
            replicas=[(f"{replica}-{i + 1}", address) for i, address in enumerate(addresses)],
            health_path=health_path,
            **options,
        )


def config_text(balancer: Balancer) -> str:
    sender = " %[var(txn.sender)]" if balancer.log_senders else ""
    lines = [
        f"# HAProxy for {balancer.name}, as the family line writes it (bot/processes/haproxy.py,",
        "# `bot haproxy-config`): the config its tests run.",
        "global",
        "    log stdout format raw local0 info",
        "",
        "defaults",
        "    mode http",
        "    log global",
        f"    timeout connect {CONNECT_TIMEOUT_SECONDS}s",
        f"    timeout server {SERVER_TIMEOUT_SECONDS}s",
        f"    timeout client {SERVER_TIMEOUT_SECONDS + 5}s",
        "    timeout http-request 10s",
        "    timeout http-keep-alive 10s",
        "    # Retry only a connection that failed, and on another replica: a request that reached",
        "    # one may have been acted on.",
        "    retries 2",
        "    retry-on conn-failure",
        "    option redispatch 1",
        "",
        f"frontend {balancer.name}",
        f"    bind {balancer.host}:{balancer.port}",
        f'    log-format "{balancer.name} %s %ST %Tt{sender}"',
    ]
    if balancer.log_senders:
        lines += [
            "    option http-buffer-request",
            "    http-request set-var(txn.sender) req.body,json_query('$.sender')"
            " if { method POST }",
        ]
    lines += [
        f"    monitor-uri {ALL_UP_PATH}",
        f"    monitor fail if {{ nbsrv({balancer.name}-replicas) lt {len(balancer.replicas)} }}",
        "    stats enable",
        f"    stats uri {STATS_PATH}",
        f"    default_backend {balancer.name}-replicas",
        "",
        f"backend {balancer.name}-replicas",
        "    balance roundrobin",
        f"    option httpchk GET {balancer.health_path}",
        "    http-check expect status 200",
        "    default-server inter 1s fall 2 rise 2",
        *(f"    server {name} {address} check" for name, address in balancer.replicas),
    ]
    return "\n".join(lines) + "\n"


def write_config(balancer: Balancer, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{balancer.name}.cfg"
    path.write_text(config_text(balancer), encoding="utf-8")
    return path


def find_haproxy() -> str | None:
    found = shutil.which("haproxy")
    if found:
        return found
    return next((place for place in _PLACES if Path(place).is_file()), None)


@dataclass(frozen=True)
class ReplicaStats:
    name: str
    served: int  # requests it answered
    refused: int  # requests sent elsewhere because its connection failed
    went_down: int  # times its health checks took it out
    up: bool


def replica_stats(csv_text: str) -> list[ReplicaStats]:
    """The replicas' lines of HAProxy's statistics CSV (GET /_haproxy;csv)."""
    rows = csv.DictReader(io.StringIO(csv_text.removeprefix("# ")))
    return [
        ReplicaStats(
            name=row["svname"],
            served=int(row["req_tot"] or 0),
            refused=int(row["wredis"] or 0) + int(row["econ"] or 0),
            went_down=int(row["chkdown"] or 0),
            up=row["status"].startswith("UP"),
        )
        for row in rows
        if row["svname"] not in ("FRONTEND", "BACKEND")
    ]


def senders_served(log_text: str, balancer: str) -> list[tuple[str, str]]:
    """(replica, sender) for each request a balancer that logs senders passed on, in order, from
    its log lines ("lb-rasa rasa-2 200 41 2f9c..."); requests without a sender are left out."""
    line = re.compile(rf"\b{re.escape(balancer)} (\S+) \d{{3}} -?\d+ (\S+)$")
    found = (line.search(text) for text in log_text.splitlines())
    return [(m.group(1), m.group(2)) for m in found if m and m.group(2) != "-"]
