"""The real stack for end-to-end tests: trained model (cached by fingerprint), real action server
and Rasa server, started once per test session on free ports against a seeded SQLite database."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from bot.db import engine_for
from bot.migrate import upgrade
from bot.processes import action_server, child_env, rasa_server, web
from bot.supervisor import start, stop
from bot.training import ensure_model
from tests.conftest import make_settings

STARTUP_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process, log_path, ok=lambda r: r.ok) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if ok(requests.get(url, timeout=2)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} not ready after {STARTUP_SECONDS}s:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    model = ensure_model()
    home = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{home / 'family_line.db'}"
    upgrade(database_url)
    from bot.db import session_factory, session_scope
    from bot.seed import seed_database

    with session_scope(session_factory(engine_for(database_url))) as session:
        seed_database(session)
    settings = make_settings(
        database_url,
        home,
        PORT=str(_free_port()),
        RASA_PORT=str(_free_port()),
        ACTION_PORT=str(_free_port()),
        RASA_TIMEOUT="12",
    )
    log_path = home / "stack.log"
    log = log_path.open("w", buffering=1)
    env = {**child_env(settings), "TWILIO_AUTH_TOKEN": settings.twilio_auth_token}
    specs = [action_server(settings), rasa_server(settings, model), web(settings, workers=1)]
    processes = [start(spec, env, out=log) for spec in specs]
    try:
        _wait(specs[0].ready_url, processes[0], log_path)
        _wait(
            specs[1].ready_url,
            processes[1],
            log_path,
            ok=lambda r: r.ok and r.json().get("model_file"),
        )
        _wait(specs[2].ready_url, processes[2], log_path, ok=lambda r: True)
        yield settings
    finally:
        stop(processes)
        log.close()
        engine_for(database_url).dispose()
