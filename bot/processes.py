"""The command lines of the line's four processes, shared by `bot run` and the end-to-end tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .training import PROJECT


@dataclass
class ProcessSpec:
    name: str
    argv: list[str]
    listens: str | None = None  # what to tell the operator
    ready_url: str | None = None  # answers 2xx once the process can do its job
    env: dict[str, str] = field(default_factory=dict)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def child_env(settings: Settings) -> dict[str, str]:
    """Settings every process must agree on, resolved once so all four use the same values."""
    return {
        "DATABASE_URL": settings.database_url,
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
    }


def rasa_server(settings: Settings, model: Path) -> ProcessSpec:
    return ProcessSpec(
        name="rasa",
        argv=[
            _bin("rasa"),
            "run",
            "--enable-api",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(settings.rasa_port),
            "--endpoints",
            str(PROJECT / "endpoints.yml"),
            "--credentials",
            str(PROJECT / "credentials.yml"),
        ],  # fmt: skip
        listens=f"Rasa server     {settings.rasa_url}  (family_line channel; HTTP API enabled)",
        ready_url=f"{settings.rasa_url}/status",
    )


def action_server(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        name="actions",
        argv=[
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(settings.action_port),
        ],  # fmt: skip
        listens=f"Action server   {settings.action_server_url}",
        ready_url=f"{settings.action_server_url}/health",
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
        ],  # fmt: skip
        listens=f"Web             {base}  (Twilio: {base}/twilio/sms, health: {base}/healthz)",
        ready_url=f"{base}/healthz",
    )


def worker(settings: Settings) -> ProcessSpec:
    queue = "Redis" if settings.redis_url else f"SQLite {settings.huey_path}"
    return ProcessSpec(
        name="worker", argv=[_bin("bot"), "worker"], listens=f"Worker          Huey on {queue}"
    )


def all_processes(settings: Settings, model: Path) -> list[ProcessSpec]:
    return [action_server(settings), rasa_server(settings, model), worker(settings), web(settings)]
