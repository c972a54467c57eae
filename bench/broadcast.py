"""A broadcast to 10,000 and 100,000 families through the fake Twilio: delivery rows, memory, send
rate, and what a worker killed mid-send leaves behind.

    .venv/bin/python -m bench.broadcast [--sizes 10000,100000] [--send-seconds 40] [--rate 100]
                                        [--latency-ms 50] [--lanes 12] [--threads N]
                                        [--huey redis|sqlite] [--redis-url redis://...]
                                        [--admin-url postgresql://...] [--no-kill] [--keep]

For each size, on a new PostgreSQL database (migrated, seeded, dropped afterwards):
  1. loads that many textable families by COPY (about 60% Spanish, some without a language,
     most with a school), plus 2% opted-out and invalid numbers the audience must leave out;
  2. starts the fake Twilio (tests/support/fake_twilio.py) as its own process, answering each
     text after --latency-ms, and two worker processes: the line's own worker (bot.worker's
     build_huey and run_worker, what `bot worker` runs) under a Huey name and a send-pace name of
     this run's own, with the run's environment (TWILIO_API_BASE_URL = the fake,
     SEND_RATE_PER_SECOND = --rate, REDIS_URL unless --huey sqlite);
  3. in a separate "web" process (what the console's Send button runs), bot.broadcasting.compose
     .create for an urgent English + Spanish broadcast to everyone: the delivery rows are made
     there; its time and that process's peak memory are measured;
  4. enqueues --lanes lanes (tasks.enqueue_lanes) and lets the workers send for --send-seconds:
     the send rate is what the fake accepted per second after the first --warmup seconds;
  5. SIGKILLs the busier worker (the one that used more CPU: it holds more lanes), starts a
     replacement as an operator would, and waits until the rows the dead worker held are
     settled (its lanes' leases run out after tasks.LEASE_GRACE, the minute clock restarts
     them, and the new lanes look each stale claim up in Twilio's message list), then measures
     the rate again for --after-seconds;
  6. pauses the broadcast, stops the workers and compares the fake's messages with the rows:
     no number got the text twice, and every row the database has as sent is exactly one of
     the fake's messages (same SID, same number).

Peak memory is each process's VmHWM (the kernel's high-water mark of its resident set): the web
process that made the rows, and each worker; the target is the same peak for both sizes.
Sending all 100,000 texts at 100 a second takes about 17 minutes, so the rate and the workers'
memory are measured over the send window, not to the end of the broadcast.

Reading the rate: the CPU rows say where the CPU went while sending (each worker, this
database's PostgreSQL backends, the fake Twilio, the whole machine; 100% = one CPU) and how many
milliseconds of it each text cost; when the rate misses its target a "why" line says whether the
machine's CPUs were saturated (then the rate is bounded by CPU, not by the lanes or the limiter).
The claim row shows how PostgreSQL chose the next batch's rows at the end of the window.

The scratch folder (worker and fake logs) is under /tmp and removed unless --keep. Everything
started is stopped, and the database and this run's Redis keys removed, also on Ctrl-C.
On a shared 2-core machine the figures are indicative: the load average is printed with them."""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.broadcasting import sending, states, tasks
from bot.broadcasting.pace import REDIS_KEY
from bot.config import Settings, load_settings
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.models import Broadcast, Delivery, School
from bot.sms.outbound import twilio_client

# The fake Twilio and the database helper are the tests' own.
from tests.support.databases import POSTGRES_ADMIN_URL, fresh_postgres_database
from tests.support.fake_twilio import ACCOUNT

ROOT = Path(__file__).resolve().parents[1]

TARGET_CREATE_SECONDS = 10.0  # 100,000 delivery rows
TARGET_CREATE_SIZE = 100_000
TARGET_MEMORY_SPREAD = 0.20  # peak memory at the largest size vs the smallest
TARGET_RATE_SPREAD = 0.05  # achieved rate vs SEND_RATE_PER_SECOND
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


# --- the data ----------------------------------------------------------------------------------


def prepare_database(url: str, families: int) -> tuple[int, float]:
    """Migrates, seeds and loads the families; returns (contacts loaded, seconds)."""
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)
    started = time.monotonic()
    loaded = load_contacts(url, families)
    return loaded, time.monotonic() - started


def contact_lines(families: int, school_ids: list[int], seed: int = 7) -> Iterator[str]:
    """`families` textable contacts, then 1% opted out and 1% with an invalid number (the
    audience leaves those out, so the broadcast has exactly `families` recipients)."""
    import random

    rng = random.Random(seed)
    now = datetime.now(timezone.utc).isoformat()
    extras = max(1, families // 100)
    for index in range(families + 2 * extras):
        roll = rng.random()
        language = "es" if roll < 0.58 else ("en" if roll < 0.95 else "\\N")
        source = "\\N" if language == "\\N" else rng.choice(("explicit", "detected"))
        school = str(rng.choice(school_ids)) if school_ids and rng.random() < 0.7 else "\\N"
        opted_out = "t" if families <= index < families + extras else "f"
        valid = "f" if index >= families + extras else "t"
        phone = f"+1323{2000000 + index:07d}" if valid == "t" else f"323-55-{index:07d}"
        yield (
            f"{secrets.token_hex(16)}\t{phone}\t{valid}\t{language}\t{source}\t{school}\t"
            f"{opted_out}\t{now}\n"
        )


def load_contacts(url: str, families: int, chunk: int = 50_000) -> int:
    with session_scope(session_factory(engine_for(url))) as session:
        school_ids = list(session.execute(select(School.id)).scalars())
    raw = engine_for(url).raw_connection()
    loaded = 0
    try:
        cursor = raw.cursor()
        lines: list[str] = []
        for line in contact_lines(families, school_ids):
            lines.append(line)
            if len(lines) >= chunk:
                loaded += _copy_contacts(cursor, lines)
                lines = []
        loaded += _copy_contacts(cursor, lines)
        raw.commit()
        # A table of 100,000 families on a live line has its statistics (autovacuum).
        cursor.execute("ANALYZE contact")
        raw.commit()
    finally:
        raw.close()
    return loaded


def _copy_contacts(cursor, lines: list[str]) -> int:
    if lines:
        columns = "public_id, phone, phone_valid, language, language_source, school_id, "
        columns += "opted_out, created_at"
        cursor.copy_expert(f"COPY contact ({columns}) FROM STDIN", io.StringIO("".join(lines)))
    return len(lines)


# --- the processes -----------------------------------------------------------------------------


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


def end(process: subprocess.Popen, how: int = signal.SIGINT, timeout: float = 20.0) -> None:
    """Stops a process this benchmark started: politely, then for sure."""
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def status_kb(pid: int, field_name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of every CPU since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def database_backends(database: str) -> list[int]:
    """PostgreSQL's processes serving this database (their title names it)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f" {database} ".encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


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


# --- the send -----------------------------------------------------------------------------------


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


def sample_for(counts: FakeCounts, seconds: float, run: Run, broadcast_id: int) -> bool:
    """Samples the fake every second for `seconds`; False if the broadcast ran out of rows."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts.sample()
        if not outstanding(run, broadcast_id):
            return False
        time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
    counts.sample()
    return True


def outstanding(run: Run, broadcast_id: int) -> bool:
    """Rows left to send (EXISTS, not a count: asked every second, beside the workers)."""
    with session_factory(engine_for(run.database_url))() as session:
        return session.scalar(
            select(
                select(Delivery.id)
                .where(
                    Delivery.broadcast_id == broadcast_id,
                    Delivery.status.in_(states.OUTSTANDING),
                )
                .exists()
            )
        )


# The claim's row choice (bot.broadcasting.sending._CLAIM, without its locking), as the
# workers run it several times a second.
CLAIM_CHOICE = """
EXPLAIN (ANALYZE, FORMAT JSON)
SELECT d.id FROM delivery d
WHERE d.broadcast_id = :broadcast_id AND d.status = 'pending'
  AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
ORDER BY d.id LIMIT :limit
"""


def claim_cost(run: Run, broadcast_id: int) -> tuple[float, str]:
    """(milliseconds, how PostgreSQL found the rows) for one claim's row choice, now."""
    limit = sending.batch_size(run.settings)
    with session_factory(engine_for(run.database_url))() as session:
        plan = session.execute(
            text(CLAIM_CHOICE), {"broadcast_id": broadcast_id, "limit": limit}
        ).scalar_one()
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return plan["Execution Time"], " > ".join(_plan_steps(plan["Plan"]))


def _plan_steps(node: dict) -> list[str]:
    step = node["Node Type"]
    if node.get("Index Name"):
        step += f" {node['Index Name']}"
    if node.get("Sort Method"):
        step += f" ({node['Sort Method']})"
    for child in node.get("Plans", []):
        return [step, *_plan_steps(child)]
    return [step]


def claimed_before(run: Run, broadcast_id: int, moment: datetime) -> list[tuple[int, str]]:
    """(id, phone) of the rows still claimed by a claim (or send) made before `moment`."""
    with session_factory(engine_for(run.database_url))() as session:
        rows = session.execute(
            select(Delivery.id, Delivery.phone).where(
                Delivery.broadcast_id == broadcast_id,
                Delivery.status == Delivery.STATUS_CLAIMED,
                Delivery.claimed_at < moment,
            )
        )
        return [(row.id, row.phone) for row in rows]


def still_claimed(run: Run, ids: list[int]) -> int:
    if not ids:
        return 0
    with session_factory(engine_for(run.database_url))() as session:
        return session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == Delivery.STATUS_CLAIMED)
        )


def pause(run: Run, broadcast_id: int) -> None:
    with session_factory(engine_for(run.database_url))() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast.state == Broadcast.STATE_SENDING:
            states.pause(session, broadcast)
            session.commit()


def wait_until(condition, timeout: float, step: float = 1.0) -> float | None:
    """Seconds it took for condition() to hold, or None after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(step)
    return time.monotonic() - started


# --- one size ------------------------------------------------------------------------------------


@dataclass
class Figures:
    size: int
    load_seconds: float = 0.0
    recipients: int = 0
    create_seconds: float = 0.0
    deliveries_seconds: float = 0.0
    creator_before_kb: int = 0
    creator_peak_kb: int = 0
    rate: float = float("nan")
    slowest_second: float = float("nan")
    fastest_second: float = float("nan")
    peak_per_second: float = 0.0
    window: float = 0.0
    ran_out: bool = False
    worker_peaks: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # % of one CPU while sending
    whole_rate: float = float("nan")
    claim_ms: float = 0.0
    claim_plan: str = ""
    killed: str = ""
    orphaned: int = 0
    orphaned_at_twilio: int = 0
    recovery_seconds: float | None = None
    rate_after: float = float("nan")
    accepted: int = 0
    duplicates: dict = field(default_factory=dict)
    rows_sent: int = 0
    mismatches: list[str] = field(default_factory=list)
    claimed_left: int = 0
    progress: dict[str, int] = field(default_factory=dict)
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)
    home: Path | None = None


def create_broadcast(run: Run, figures: Figures) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "bench.broadcast_creator"],
        cwd=ROOT,
        env=run.env,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"creating the broadcast failed:\n{done.stderr.decode()[-3000:]}")
    made = json.loads(done.stdout.decode().strip().splitlines()[-1])
    figures.recipients = made["recipients"]
    figures.create_seconds = made["seconds"]
    figures.deliveries_seconds = made["deliveries_seconds"]
    figures.creator_before_kb = made["before_kb"]
    figures.creator_peak_kb = made["peak_kb"]
    return made["broadcast_id"]


def send_and_measure(args, run: Run, workers: Workers, broadcast_id: int, figures: Figures):
    counts = FakeCounts(run.env["TWILIO_API_BASE_URL"])
    first, second = workers.all[:2]
    tasks.enqueue_lanes(run.huey, broadcast_id, lanes=args.lanes)
    started = time.monotonic()
    meter = CpuMeter(run, [first, second])
    print(f"  sending for {args.send_seconds:g} s with {args.lanes} lanes …", flush=True)
    figures.ran_out = not sample_for(counts, args.send_seconds, run, broadcast_id)
    ended = time.monotonic()
    figures.window = ended - started - args.warmup
    figures.rate, figures.slowest_second, figures.fastest_second = counts.rate(
        started + args.warmup, ended
    )
    figures.cpu = meter.percents()
    figures.whole_rate = counts.rate(started, ended)[0]  # over the same time as the CPU
    figures.claim_ms, figures.claim_plan = claim_cost(run, broadcast_id)
    if figures.ran_out or args.no_kill:
        return counts
    kill_and_recover(args, run, workers, broadcast_id, figures, counts)
    return counts


def kill_and_recover(args, run, workers: Workers, broadcast_id: int, figures: Figures, counts):
    first, second = workers.all[:2]
    victim = max((first, second), key=lambda w: figures.cpu[w.label])
    killed_at = datetime.now(timezone.utc)
    killed = time.monotonic()
    workers.kill(victim)
    figures.killed = victim.label
    replacement = workers.start("worker-3")
    print(f"  killed {victim.label} (SIGKILL); {replacement.label} started …", flush=True)
    # A live worker's rows claimed before the kill are sent within a batch (a few seconds):
    # what is still claimed from before the kill after that is the dead worker's.
    sample_for(counts, 6.0, run, broadcast_id)
    orphans = claimed_before(run, broadcast_id, killed_at)
    figures.orphaned = len(orphans)
    client = twilio_client(run.settings)
    figures.orphaned_at_twilio = sum(
        1 for _, phone in orphans if client.messages.list(to=phone, limit=5)
    )
    print(
        f"  the kill left {figures.orphaned} rows claimed, {figures.orphaned_at_twilio} of "
        f"them already accepted by Twilio; waiting for their recovery …",
        flush=True,
    )
    ids = [row_id for row_id, _ in orphans]

    def settled() -> bool:
        counts.sample()
        return still_claimed(run, ids) == 0

    waited = wait_until(settled, args.recovery_timeout)
    figures.recovery_seconds = None if waited is None else time.monotonic() - killed
    if waited is not None and outstanding(run, broadcast_id):
        after = time.monotonic()
        sample_for(counts, args.after_seconds, run, broadcast_id)
        figures.rate_after = counts.rate(after, time.monotonic())[0]


def settle_and_compare(run: Run, workers: Workers, broadcast_id: int, figures: Figures):
    pause(run, broadcast_id)
    # Lanes give their batch back at the next text; the dead worker's claims are settled.
    wait_until(lambda: not claimed_before(run, broadcast_id, datetime.now(timezone.utc)), 30)
    workers.stop_all()
    time.sleep(1.0)  # answers in flight when the last worker stopped
    for worker in workers.all:
        figures.worker_peaks[worker.label] = worker.peak_kb or worker.sampled_kb
    stats = FakeCounts(run.env["TWILIO_API_BASE_URL"]).stats()
    figures.accepted = stats["accepted"]
    figures.duplicates = stats["duplicates"]
    figures.peak_per_second = stats["peak_per_second"]
    messages = twilio_client(run.settings).messages.list(page_size=1000)
    with session_factory(engine_for(run.database_url))() as session:
        rows = session.execute(
            select(Delivery.phone, Delivery.twilio_sid).where(
                Delivery.broadcast_id == broadcast_id, Delivery.twilio_sid.isnot(None)
            )
        ).all()
        figures.progress = states.progress(session, broadcast_id)
    figures.rows_sent = len(rows)
    figures.claimed_left = figures.progress.get(Delivery.STATUS_CLAIMED, 0)
    figures.mismatches = compare(rows, messages)


def compare(rows, messages) -> list[str]:
    """What differs between the rows with a SID and the fake's messages (empty: nothing)."""
    by_sid = {m.sid: m.to for m in messages}
    problems = []
    unknown = [sid for _, sid in rows if sid not in by_sid]
    if unknown:
        problems.append(f"{len(unknown)} rows have a SID the fake never gave, e.g. {unknown[0]}")
    recorded = {sid: phone for phone, sid in rows}
    unrecorded = [sid for sid in by_sid if sid not in recorded]
    if unrecorded:
        problems.append(f"{len(unrecorded)} texts Twilio accepted are on no row as sent")
    wrong = [sid for sid, phone in recorded.items() if sid in by_sid and by_sid[sid] != phone]
    if wrong:
        problems.append(f"{len(wrong)} rows carry another number's SID")
    per_phone: dict[str, int] = {}
    for message in messages:
        per_phone[message.to] = per_phone.get(message.to, 0) + 1
    twice = sum(1 for count in per_phone.values() if count > 1)
    if twice:
        problems.append(f"{twice} numbers got more than one text")
    return problems


def run_size(args, size: int) -> Figures:
    figures = Figures(size)
    home = Path(tempfile.mkdtemp(prefix=f"bench-broadcast-{size}-"))
    figures.home = home
    print(f"\n{size:,} recipients (scratch: {home})", flush=True)
    try:
        with (
            fresh_postgres_database(args.admin_url, prefix="family_line_bench_") as url,
            fake_twilio(args, home) as (fake_url, fake),
        ):
            try:
                loaded, figures.load_seconds = prepare_database(url, size)
                print(f"  {loaded:,} contacts loaded in {figures.load_seconds:.1f} s", flush=True)
                env = run_environment(args, url, fake_url, home)
                settings = load_settings(environ=env, dotenv_path=None)
                huey = make_huey(env)
                run = Run(size, home, url, env, settings, huey, env["BENCH_PACE_NAME"], fake.pid)
                tasks.register_broadcast_tasks(huey, settings, pace_name=run.pace_name)
                try:
                    measure(args, run, figures)
                finally:
                    forget_queue(run)
            finally:
                engine_for(url).dispose()
    finally:
        if args.keep:
            print(f"  kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return figures


def measure(args, run: Run, figures: Figures) -> None:
    workers = Workers(run)
    broadcast_id = None
    try:
        for label in ("worker-1", "worker-2"):
            workers.start(label)
        for worker in workers.all:
            workers.wait_ready(worker)
        broadcast_id = create_broadcast(run, figures)
        print(
            f"  {figures.recipients:,} deliveries created in {figures.deliveries_seconds:.2f} s "
            f"(compose.create with preview and commit: {figures.create_seconds:.2f} s)",
            flush=True,
        )
        send_and_measure(args, run, workers, broadcast_id, figures)
        settle_and_compare(run, workers, broadcast_id, figures)
        figures.load_average = os.getloadavg()
    finally:
        if broadcast_id is not None:
            pause(run, broadcast_id)  # on Ctrl-C too: the lanes then stop at their next text
        workers.stop_all()


def forget_queue(run: Run) -> None:
    """This run's queue, leases, heartbeat and send pace, whatever state it ended in."""
    run.huey.flush()
    if run.env.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(run.env["REDIS_URL"]).delete(REDIS_KEY.format(name=run.pace_name))


# --- report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "-"


def print_size(args, figures: Figures) -> None:
    f = figures
    print(f"\n=== {f.size:,} recipients ===")
    rows = [("contacts loaded (COPY)", f"{f.load_seconds:.1f} s", "")]
    create_target = ""
    if f.size >= TARGET_CREATE_SIZE:
        ok = f.deliveries_seconds < TARGET_CREATE_SECONDS * f.size / TARGET_CREATE_SIZE
        create_target = f"< {TARGET_CREATE_SECONDS:g} s per 100,000   {verdict(ok)}"
    rows += [
        ("deliveries created", f"{f.recipients:,} in {f.deliveries_seconds:.2f} s", create_target),
        ("compose.create (+preview, commit)", f"{f.create_seconds:.2f} s", ""),
        ("web process peak RSS", mb(f.creator_peak_kb), f"(before: {mb(f.creator_before_kb)})"),
    ]
    for label, kb in f.worker_peaks.items():
        cpu = f.cpu.get(label)
        note = f"CPU {cpu:.0f}% while sending" if cpu is not None else "replacement"
        if label == f.killed:
            note += ", killed"
        rows.append((f"{label} peak RSS", mb(kb), note))
    low, high = args.rate * (1 - TARGET_RATE_SPREAD), args.rate * (1 + TARGET_RATE_SPREAD)
    rows += [
        (
            f"send rate ({f.window:.0f} s after {args.warmup:g} s)",
            f"{f.rate:.1f}/s",
            f"{args.rate}/s +-5%   {verdict(low <= f.rate <= high)}",
        ),
        ("  slowest / fastest second", f"{f.slowest_second:.0f} / {f.fastest_second:.0f}", ""),
        ("  peak in any 1 s (whole run)", f"{f.peak_per_second:.0f}", ""),
        (
            "  CPU: workers / PostgreSQL / fake",
            f"{f.cpu.get('workers', 0):.0f}% / {f.cpu.get('postgres', 0):.0f}% / "
            f"{f.cpu.get('fake', 0):.0f}%",
            f"machine busy {f.cpu.get('machine', 0):.0f}% of {100 * (os.cpu_count() or 1)}%",
        ),
        ("  CPU ms per text: same order", per_text(f), ""),
    ]
    rows.append(("  a claim's row choice at the end", f"{f.claim_ms:.1f} ms", f.claim_plan))
    if f.ran_out:
        rows.append(("  note", "every row was sent before the window ended", ""))
    rows += kill_rows(f)
    for label, value, target in rows:
        print(f"{label:<36} {value:>22}   {target}")
    if not low <= f.rate <= high:
        print(f"  why: {rate_diagnosis(args, f)}")
    print(f"row statuses: {dict(sorted(f.progress.items()))}")
    for problem in f.mismatches:
        print(f"  MISMATCH: {problem}")
    load = ", ".join(f"{v:.1f}" for v in f.load_average)
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} CPUs")


def rate_diagnosis(args, f: Figures) -> str:
    capacity = 100 * (os.cpu_count() or 1)
    busy = f.cpu.get("machine", 0)
    if f.rate > args.rate:
        return "faster than the limit: the limiter did not hold"
    ours = sum(f.cpu.get(role, 0) for role in ("workers", "postgres", "fake"))
    # Past about 85% the threads of the two workers wait for a CPU more than for Twilio.
    if busy >= 0.85 * capacity and f.whole_rate == f.whole_rate and f.whole_rate:
        need = ours * args.rate / f.whole_rate
        return (
            f"the CPUs were saturated ({busy:.0f}% of {capacity}%, this run {ours:.0f}%, other "
            f"work {max(busy - ours, 0):.0f}%): the rate is bounded by CPU, not by the lanes or "
            f"the limiter; {args.rate}/s would need about {need:.0f}% of one CPU for this run alone"
        )
    return (
        f"the CPUs were not saturated ({busy:.0f}% of {capacity}%): too few lanes in flight "
        f"(--lanes {args.lanes}, each sends one text at a time) or a slow step per text"
    )


def per_text(f: Figures) -> str:
    # % of one CPU / texts per second * 10 = milliseconds of CPU per text.
    if not f.whole_rate or f.whole_rate != f.whole_rate:
        return "-"
    roles = ("workers", "postgres", "fake")
    return " / ".join(f"{f.cpu.get(role, 0) * 10 / f.whole_rate:.1f}" for role in roles)


def kill_rows(f: Figures) -> list[tuple[str, str, str]]:
    if not f.killed:
        return [("duplicates", str(len(f.duplicates)), f"0   {verdict(not f.duplicates)}")]
    recovery = "not in time" if f.recovery_seconds is None else f"{f.recovery_seconds:.0f} s"
    consistent = not f.mismatches and f.claimed_left == 0
    after = "-" if f.rate_after != f.rate_after else f"{f.rate_after:.1f}/s"  # nan: all sent
    return [
        (f"rows claimed by the killed {f.killed}", str(f.orphaned), ""),
        ("  of them already at Twilio", str(f.orphaned_at_twilio), ""),
        ("  settled after the kill in", recovery, verdict(f.recovery_seconds is not None)),
        ("send rate after recovery", after, ""),
        ("texts Twilio accepted", f"{f.accepted:,}", ""),
        ("rows recorded as sent", f"{f.rows_sent:,}", f"one text each   {verdict(consistent)}"),
        (
            "numbers texted twice (duplicates)",
            str(len(f.duplicates)),
            f"0   {verdict(not f.duplicates)}",
        ),
    ]


def print_comparison(results: list[Figures]) -> None:
    if len(results) < 2:
        return
    small, large = results[0], results[-1]
    print(f"\n=== peak memory, {large.size:,} vs {small.size:,} recipients ===")
    pairs = [("web process (made the rows)", small.creator_peak_kb, large.creator_peak_kb)]
    for label in ("worker-1", "worker-2", "worker-3"):
        pairs.append((label, small.worker_peaks.get(label), large.worker_peaks.get(label)))
    # The replacement's peak follows how much sending was left for it: at the small size the
    # broadcast can end during the recovery (no rate after it), leaving it a few lanes' work.
    comparable = all(f.rate_after == f.rate_after for f in (small, large))  # not NaN
    for label, low, high in pairs:
        if not low or not high:
            continue
        ratio = high / low
        if label == "worker-3" and not comparable:
            note = "replacement: sent little at the small size, not compared"
            print(f"{label:<30} {mb(low):>8} {mb(high):>8}   x{ratio:.2f}   {note}")
            continue
        ok = abs(ratio - 1) <= TARGET_MEMORY_SPREAD
        print(f"{label:<30} {mb(low):>8} {mb(high):>8}   x{ratio:.2f}   within 20%   {verdict(ok)}")


def print_header(args) -> None:
    minutes = max(args.sizes) / args.rate / 60
    print(
        f"broadcast benchmark: sizes {', '.join(f'{s:,}' for s in args.sizes)}; fake Twilio "
        f"latency {args.latency_ms:g} ms; SEND_RATE_PER_SECOND={args.rate}; 2 workers x "
        f"{args.threads} threads, {args.lanes} lanes; Huey on {args.huey}; PostgreSQL"
    )
    print(
        f"(sending all {max(args.sizes):,} at {args.rate}/s would take ~{minutes:.0f} min: the "
        f"rate and the workers' memory are measured over {args.send_seconds:g} s of sending, "
        f"not to completion)"
    )
    grace = args.lease_grace if args.lease_grace is not None else tasks.LEASE_GRACE
    timeout = (
        args.claim_timeout
        if args.claim_timeout is not None
        else sending.CLAIM_TIMEOUT.total_seconds()
    )
    print(
        f"(recovery after the kill: lease grace {grace:g} s, claim timeout {timeout:g} s, "
        f"then the minute clock)"
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min) before: {load} on {os.cpu_count()} CPUs", flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="recipients, comma-separated")
    parser.add_argument("--send-seconds", type=float, default=40.0)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds left out of the rate")
    parser.add_argument("--after-seconds", type=float, default=10.0, help="rate after recovery")
    parser.add_argument("--rate", type=int, default=100, help="SEND_RATE_PER_SECOND")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the fake's answer time")
    parser.add_argument("--lanes", type=int, default=12, help="lanes sending the broadcast")
    parser.add_argument("--threads", type=int, help="threads per worker (default: lanes / 2 + 2)")
    parser.add_argument("--huey", choices=("redis", "sqlite"), default="redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--lease-grace", type=float, help="seconds (default: the code's)")
    parser.add_argument("--claim-timeout", type=float, help="seconds (default: the code's)")
    parser.add_argument("--recovery-timeout", type=float, default=360.0)
    parser.add_argument("--no-kill", action="store_true", help="only the rate and the memory")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (logs)")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # Few enough that neither worker can take every lane, and one spare for the clocks.
    args.threads = args.threads or args.lanes // 2 + 2
    args.token = secrets.token_hex(16)
    return args


def interrupted(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    args = arguments()
    # Ctrl-C and a plain kill both unwind through the finally blocks that clean up; SIGINT
    # explicitly, since a shell that starts a job in the background makes it ignore SIGINT.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    print_header(args)
    results = []
    for size in args.sizes:
        figures = run_size(args, size)
        print_size(args, figures)
        results.append(figures)
    print_comparison(results)


if __name__ == "__main__":
    main()
