"""One size's run of bench/broadcast.py: its environment, the fake Twilio as its own process,
the worker processes (started, killed, replaced) and the CPU each of them used."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

from bot.config import Settings

# The fake Twilio is the tests' own.
from tests.support.fake_twilio import ACCOUNT

from .process_meters import cpu_seconds, database_backends, end, machine_ticks, status_kb

ROOT = Path(__file__).resolve().parents[1]

LINE_NUMBER = "+13235550199"

TEXTS = {
    "en": "Partnership: all our schools are closed tomorrow, Friday, for the storm. Stay safe!",
    "es": "Partnership: mañana viernes todas nuestras escuelas estarán cerradas por la tormenta.",
}

# The line's settings a developer's shell may hold: the children get the run's own instead.
LINE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_API_BASE_URL",
    "SEND_RATE_PER_SECOND",
    "SEND_WINDOW",
    "HUEY_SQLITE_PATH",
    "VAR_DIR",
)


@dataclass
class Run:
    """One size's run: where everything is and what it is called."""

    size: int
    home: Path
    database_url: str
    env: dict
    settings: Settings
    huey: Huey
    pace_name: str
    fake_pid: int


def run_environment(args, database_url: str, fake_url: str, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in LINE_VARIABLES}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "VAR_DIR": str(home / "var"),
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": args.token,
            "TWILIO_FROM_NUMBER": LINE_NUMBER,
            "TWILIO_API_BASE_URL": fake_url,
            "SEND_RATE_PER_SECOND": str(args.rate),
            "BENCH_HUEY_NAME": "bench-broadcast-" + secrets.token_hex(4),
            "BENCH_PACE_NAME": "bench-" + secrets.token_hex(4),
            "BENCH_THREADS": str(args.threads),
            "BENCH_TEXTS": json.dumps(TEXTS),
        }
    )
    if args.huey == "redis":
        env["REDIS_URL"] = args.redis_url
    else:
        env["HUEY_SQLITE_PATH"] = str(home / "huey.db")
    if args.lease_grace is not None:
        env["BENCH_LEASE_GRACE"] = str(args.lease_grace)
    if args.claim_timeout is not None:
        env["BENCH_CLAIM_TIMEOUT"] = str(args.claim_timeout)
    return env


def make_huey(env: dict) -> Huey:
    """The same queue as the workers', for enqueueing lanes from here."""
    if env.get("REDIS_URL"):
        return RedisHuey(env["BENCH_HUEY_NAME"], url=env["REDIS_URL"])
    return SqliteHuey(env["BENCH_HUEY_NAME"], filename=env["HUEY_SQLITE_PATH"])


@contextmanager
def fake_twilio(args, home: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    log = open(home / "fake_twilio.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fake_twilio",
            "--token",
            args.token,
            "--latency-ms",
            str(args.latency_ms),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        url = process.stdout.readline().decode().strip()
        if not url.startswith("http://"):
            raise SystemExit(f"the fake Twilio did not start; see {home / 'fake_twilio.log'}")
        yield url, process
    finally:
        end(process, signal.SIGTERM)
        log.close()


@dataclass
class Worker:
    label: str
    process: subprocess.Popen
    log: Path
    peak_kb: int | None = None  # VmHWM, read just before the process ends
    sampled_kb: int = 0  # the largest VmRSS seen by the sampler

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def note_peak(self) -> None:
        found = status_kb(self.pid, "VmHWM")
        if found is not None:
            self.peak_kb = found

    def sample(self) -> None:
        found = status_kb(self.pid, "VmRSS")
        if found is not None:
            self.sampled_kb = max(self.sampled_kb, found)


class Workers:
    """The worker processes of a run, and a sampler of their memory every second."""

    def __init__(self, run: Run):
        self.run = run
        self.all: list[Worker] = []
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def start(self, label: str) -> Worker:
        log_path = self.run.home / f"{label}.log"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.broadcast_worker"],
                cwd=ROOT,
                env=self.run.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(label, process, log_path)
        self.all.append(worker)
        return worker

    def wait_ready(self, worker: Worker, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while b"Huey consumer started" not in worker.log.read_bytes():
            if not worker.alive():
                raise SystemExit(f"{worker.label} exited; see {worker.log}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{worker.label} not started in {timeout:.0f} s; see {worker.log}")
            time.sleep(0.2)

    def kill(self, worker: Worker) -> None:
        worker.note_peak()
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait()

    def stop_all(self) -> None:
        """SIGINT to every worker at once (Huey's graceful stop: a lane finishes its text),
        then SIGKILL for any still running after 20 s."""
        alive = [worker for worker in self.all if worker.alive()]
        for worker in alive:
            worker.note_peak()
            worker.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 20.0
        for worker in alive:
            end(worker.process, timeout=max(deadline - time.monotonic(), 0.1))
        self._stop.set()

    def _sample(self) -> None:
        while not self._stop.wait(1.0):
            for worker in list(self.all):
                if worker.alive():
                    worker.sample()


class FakeCounts:
    """What the fake accepted, sampled once a second: (monotonic time, accepted so far)."""

    def __init__(self, url: str):
        self.url = url
        self.samples: list[tuple[float, int]] = []
        self.http = requests.Session()

    def stats(self) -> dict:
        return self.http.get(f"{self.url}/_fake/stats", timeout=30).json()

    def sample(self) -> dict:
        stats = self.stats()
        self.samples.append((time.monotonic(), stats["accepted"]))
        return stats

    def rate(self, start: float, stop: float) -> tuple[float, float, float]:
        """(accepted per second between the samples nearest start and stop, slowest and fastest
        second in between)."""
        inside = [s for s in self.samples if start <= s[0] <= stop]
        if len(inside) < 2:
            return float("nan"), float("nan"), float("nan")
        (t0, a0), (t1, a1) = inside[0], inside[-1]
        seconds = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(inside, inside[1:], strict=False)]
        return (a1 - a0) / (t1 - t0), min(seconds), max(seconds)


class CpuMeter:
    """Where the CPU went during a window: each worker, this database's PostgreSQL backends,
    the fake Twilio, and the whole machine (100% = one CPU)."""

    def __init__(self, run: Run, workers: list[Worker]):
        self.run = run
        self.workers = workers
        self.database = make_url(run.database_url).database
        self.started = time.monotonic()
        self.marks = self._read()
        self.machine = machine_ticks()

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            "workers": {w.pid: cpu_seconds(w.pid) for w in self.workers},
            "postgres": {pid: cpu_seconds(pid) for pid in database_backends(self.database)},
            "fake": {self.run.fake_pid: cpu_seconds(self.run.fake_pid)},
        }

    def percents(self) -> dict[str, float]:
        seconds = time.monotonic() - self.started
        now = self._read()
        used = {}
        for role, pids in now.items():
            before = self.marks[role]
            used[role] = sum(max(cpu - before.get(pid, 0.0), 0.0) for pid, cpu in pids.items())
        for worker in self.workers:
            used[worker.label] = cpu_seconds(worker.pid) - self.marks["workers"][worker.pid]
        busy, total = machine_ticks()
        share = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        percents = {role: 100.0 * value / seconds for role, value in used.items()}
        percents["machine"] = 100.0 * share * (os.cpu_count() or 1)
        return percents
