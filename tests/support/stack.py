"""The line's processes on free ports, started in order and waited for until each can do its job.
The end-to-end tests and bench/webhook_load.py both run the real stack this way."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import requests

from bot.processes.command_lines import ProcessSpec
from bot.processes.supervisor import start, stop

STARTUP_SECONDS = 240

# When each process is ready: Rasa once its model is loaded, the web process once it answers at
# all (/healthz says 503 while the worker is missing, which these stacks leave out).
# Replicas are named "rasa-1", "rasa-2"...: the part before the dash says which check.
_READY = {
    "rasa": lambda r: r.ok and r.json().get("model_file"),
    "web": lambda r: True,
}


class StackNotReady(RuntimeError):
    """A process exited or did not get ready in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(spec: ProcessSpec, process, log_path: Path) -> None:
    ready = _READY.get(spec.name.split("-")[0], lambda r: r.ok)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackNotReady(f"{spec.name} exited early:\n{_tail(log_path)}")
        if spec.ready_url is None:  # a worker: nothing to ask, alive is ready
            return
        try:
            if ready(requests.get(spec.ready_url, timeout=2)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise StackNotReady(f"{spec.name} not ready after {STARTUP_SECONDS}s:\n{_tail(log_path)}")


def start_ready(specs: list[ProcessSpec], env: dict[str, str], log, log_path: Path) -> list:
    """Starts every process, then waits for each; the caller stops them
    (bot.processes.supervisor.stop)."""
    processes = [start(spec, env, out=log) for spec in specs]
    try:
        for spec, process in zip(specs, processes, strict=True):
            wait_until_ready(spec, process, log_path)
    except BaseException:
        stop(processes)
        raise
    return processes


def _tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:]
