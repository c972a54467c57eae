"""Runs several processes in the foreground as one: prefixed output, one Ctrl-C stops them all,
and if one dies the rest are stopped too (a half-running line is worse than a stopped one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import requests

from bot.processes.command_lines import ProcessSpec

COLORS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def _pump(name: str, color: str, stream, out) -> None:
    prefix = f"{color}{name:>8} |{RESET} " if out.isatty() else f"{name:>8} | "
    for line in iter(stream.readline, ""):
        out.write(prefix + line)
        out.flush()


def start(spec: ProcessSpec, env: dict[str, str], color: str = "", out=None):
    """Starts one process; its output goes to `out` (default stdout), each line prefixed."""
    process = subprocess.Popen(
        spec.argv,
        env={**os.environ, **env, **spec.env},
        cwd=str(spec.cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,  # its own group, so stopping it stops its children too
    )
    threading.Thread(
        target=_pump, args=(spec.name, color, process.stdout, out or sys.stdout), daemon=True
    ).start()
    return process


def stop(processes: list[subprocess.Popen], grace: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(url: str, timeout: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """True once `url` answers at all (any status: /healthz says 503 until everything is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            requests.get(url, timeout=2)
            return True
        except requests.RequestException:
            time.sleep(0.5)
    return False


def run_all(specs: list[ProcessSpec], env: dict[str, str], on_ready: Callable[[], None]) -> int:
    processes = [start(spec, env, COLORS[i % len(COLORS)]) for i, spec in enumerate(specs)]
    stopping = threading.Event()

    def request_stop(signum, _frame):
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    def announce():
        for spec in specs:
            if spec.ready_url and not wait_ready(
                spec.ready_url, 180, lambda: not stopping.is_set()
            ):
                return
        if not stopping.is_set():
            on_ready()

    threading.Thread(target=announce, daemon=True).start()
    exit_code = 0
    while not stopping.is_set():
        for spec, process in zip(specs, processes, strict=True):
            if process.poll() is not None:
                print(f"\n{spec.name} exited with code {process.returncode}; stopping the rest.")
                exit_code = process.returncode or 1
                stopping.set()
        time.sleep(0.3)
    print("\nStopping all processes…", flush=True)
    stop(processes)
    return exit_code
