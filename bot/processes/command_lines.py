"""The command lines of the line's processes, shared by `bot run`, `bot run --scaled` and the
end-to-end and topology tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.nlu.training import PROJECT
from bot.processes.haproxy import ALL_UP_PATH, STATS_PATH, Balancer, find_haproxy, write_config
from bot.rasa.endpoints import rasa_environment, write_endpoints
from bot.rasa.token import with_token
from bot.rasa.venv import WORKDIR, rasa_program


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    listens: str | None = None  # what to tell the operator
    ready_url: str | None = None  # answers 2xx once the process can do its job
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = PROJECT  # where it runs


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def absolute_sqlite(database_url: str) -> str:
    """A relative SQLite path made absolute from the checkout, where the line's processes run:
    the Rasa server runs elsewhere (rasa_server/) and reads the same database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return database_url
    path = Path(url.database)
    if path.is_absolute():
        return database_url
    return url.set(database=str(PROJECT / path)).render_as_string(hide_password=False)


def child_env(settings: Settings) -> dict[str, str]:
    """Settings every process must agree on, resolved once so all four use the same values."""
    return {
        "DATABASE_URL": absolute_sqlite(settings.database_url),
        "RASA_URL": settings.rasa_url,
        "ACTION_SERVER_URL": settings.action_server_url,
        "PORT": str(settings.port),
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "VAR_DIR": str(settings.var_dir),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # Rasa's dependencies print screens of deprecation warnings that bury the useful lines.
        "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::PendingDeprecationWarning",
        **({"REDIS_URL": settings.redis_url} if settings.redis_url else {}),
        **(
            {"RASA_REPLICA_URLS": ",".join(settings.rasa_replica_urls)}
            if settings.rasa_replica_urls
            else {}
        ),
        **({"MODELS_DIR": str(settings.models_dir)} if settings.models_dir else {}),
        **({"RASA_API_TOKEN": settings.rasa_api_token} if settings.rasa_api_token else {}),
        **({"HEALTH_TOKEN": settings.health_token} if settings.health_token else {}),
        "ACTION_HOST": settings.action_host,
    }


def rasa_server(
    settings: Settings, model: Path, port: int | None = None, name: str = "rasa"
) -> ProcessSpec:
    port = port or settings.rasa_port
    url = f"http://127.0.0.1:{port}"
    guarded = ", token required" if settings.rasa_api_token else ", NO TOKEN: RASA_API_TOKEN unset"
    return ProcessSpec(
        name=name,
        argv=[
            rasa_program("rasa"),  # Rasa's own environment (.venv-rasa, Python 3.10)
            "run",
            "--enable-api",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            str(write_endpoints(settings)),
            "--credentials",
            str(PROJECT / "credentials.yml"),
        ],  # fmt: skip
        listens=f"Rasa server     {url}  (family_line channel; HTTP API enabled{guarded})",
        ready_url=with_token(f"{url}/status", settings.rasa_api_token),
        env=rasa_environment(settings),
        cwd=WORKDIR,
    )


def action_server(
    settings: Settings, port: int | None = None, name: str = "actions"
) -> ProcessSpec:
    port = port or settings.action_port
    url = f"http://127.0.0.1:{port}"
    return ProcessSpec(
        name=name,
        # rasa_sdk listens on every interface unless told otherwise, and it has no login.
        env={"SANIC_HOST": settings.action_host},
        argv=[
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(port),
        ],  # fmt: skip
        listens=f"Action server   http://{settings.action_host}:{port}",
        ready_url=f"{url}/health",
    )


def balancer(
    settings: Settings, kind: str, port: int, replica_ports: list[int], log_senders: bool = False
) -> ProcessSpec:
    """HAProxy in front of this machine's Rasa replicas or action servers, from a config written
    under VAR_DIR/haproxy/ (the one `bot haproxy-config` prints for production)."""
    addresses = [f"127.0.0.1:{replica_port}" for replica_port in replica_ports]
    front = Balancer.in_front_of(kind, port, addresses, log_senders=log_senders)
    config = write_config(front, settings.var_dir / "haproxy")
    url = local_url(port)
    return ProcessSpec(
        name=front.name,
        # -db: in the foreground, logging to stdout, stopped with the others.
        argv=[find_haproxy() or "haproxy", "-db", "-f", str(config)],
        listens=f"HAProxy         {url}  -> "
        + ", ".join(local_url(replica_port) for replica_port in replica_ports)
        + f"  (statistics: {url}{STATS_PATH})",
        ready_url=f"{url}{ALL_UP_PATH}",
    )


def web(settings: Settings, host: str = "127.0.0.1", workers: int = 2) -> ProcessSpec:
    base = f"http://{host}:{settings.port}"
    return ProcessSpec(
        name="web",
        argv=[
            _bin("gunicorn"),
            "webhooks:create_app()",
            "--bind",
            f"{host}:{settings.port}",
            "--workers",
            str(workers),
            "--threads",
            str(settings.web_threads),
            "--timeout",
            "30",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ],  # fmt: skip
        listens=f"Web             {base}  (Twilio: {base}/twilio/sms, health: {base}/healthz)",
        ready_url=f"{base}/healthz",
    )


# Gunicorn's default logs the request line and the referrer, query strings included: a door
# search by phone number or an inbox search by name would be written to the log in clear. This
# logs the path alone (%(U)s), never the query string or the referrer.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def worker(settings: Settings, name: str = "worker") -> ProcessSpec:
    queue = "Redis" if settings.redis_url else f"SQLite {settings.huey_path}"
    return ProcessSpec(
        name=name, argv=[_bin("bot"), "worker"], listens=f"Worker          Huey on {queue}"
    )


def all_processes(settings: Settings, model: Path) -> list[ProcessSpec]:
    return [action_server(settings), rasa_server(settings, model), worker(settings), web(settings)]


@dataclass
class Topology:
    """How many of each process the scaled line runs, and on which ports the replicas listen
    (HAProxy takes RASA_PORT and ACTION_PORT, so nothing else changes for the others)."""

    rasa_ports: list[int]
    action_ports: list[int]
    web_workers: int = 2
    workers: int = 2
    # HAProxy logs which Rasa replica served each conversation's requests (its random public id).
    log_senders: bool = False

    @classmethod
    def around(cls, settings: Settings, replicas: int = 2, **kwargs) -> Topology:
        # Replicas on the ports a hundred above the balancers': 5105, 5106... and 5155, 5156...
        return cls(
            rasa_ports=[settings.rasa_port + 100 + i for i in range(replicas)],
            action_ports=[settings.action_port + 100 + i for i in range(replicas)],
            **kwargs,
        )


def scaled_processes(settings: Settings, model: Path, topology: Topology) -> list[ProcessSpec]:
    """The production topology on one machine: action servers and Rasa replicas, each set
    behind HAProxy, the workers, and the web under gunicorn. Same code as `bot run`; only
    how many and where differ."""
    actions = [
        action_server(settings, port, f"actions-{i + 1}")
        for i, port in enumerate(topology.action_ports)
    ]
    rasas = [
        rasa_server(settings, model, port, f"rasa-{i + 1}")
        for i, port in enumerate(topology.rasa_ports)
    ]
    return [
        *actions,
        balancer(settings, "actions", settings.action_port, topology.action_ports),
        *rasas,
        balancer(settings, "rasa", settings.rasa_port, topology.rasa_ports, topology.log_senders),
        *[worker(settings, f"worker-{i + 1}") for i in range(topology.workers)],
        web(settings, workers=topology.web_workers),
    ]


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"
