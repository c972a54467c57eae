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
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from bot.broadcasting import states, tasks
from bot.broadcasting.pace import REDIS_KEY
from bot.config import load_settings
from bot.db import engine_for, session_factory
from bot.models import Delivery
from bot.sms.outbound import twilio_client

# The database helper is the tests' own.
from tests.support.databases import POSTGRES_ADMIN_URL, fresh_postgres_database

from .broadcast_audience import prepare_database
from .broadcast_probes import (
    claim_cost,
    claimed_before,
    outstanding,
    pause,
    sample_for,
    still_claimed,
    wait_until,
)
from .broadcast_report import Figures, print_comparison, print_header, print_size
from .broadcast_run import (
    ROOT,
    CpuMeter,
    FakeCounts,
    Run,
    Workers,
    fake_twilio,
    make_huey,
    run_environment,
)

# --- one size ------------------------------------------------------------------------------------


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
