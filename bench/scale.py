"""Scaling figures: SMS through one Rasa replica vs two, broadcasts with one worker vs two.

Signed SMS through one Rasa replica versus two, broadcasts with one worker process versus two,
and what the figures mean for a district of 500,000 families.

    .venv/bin/python -m bench.scale [--seconds 60] [--families 200] [--concurrency 16]
                                    [--skip-messages] [--skip-broadcast] [--skip-default-lanes]
                                    [--lanes-per-worker 10] [--latency-ms 50] [--send-rate 1000]
                                    [--district-families 500000] [--reply-share 0.10] ...

Three parts; every assumption of the third is an option with a default, printed with it.

1. Messages. The scaled topology (bot.processes.command_lines.scaled_processes, what
   `bot run --scaled` starts) twice, each on a fresh migrated and seeded PostgreSQL database
   (plus Rasa's tracker database `<name>_rasa`), with a Redis of the benchmark's own (Rasa's lock
   store, Huey): gunicorn web (--web-workers) -> HAProxy -> Rasa replicas -> HAProxy -> action
   servers, and one worker; first ONE Rasa replica + one action server, then TWO + two.
   --concurrency families text at once (bench/webhook_load.py's families, texts and load
   generator: signed `POST /twilio/sms` with every field Twilio sends, one message per family in
   flight) for --seconds after --warmup seconds left out. Prints messages/s, p50/p90/p99
   latency, errors (non-200, timeout, no reply, the apology the line sends when Rasa fails),
   what each Rasa replica served, whether every message was logged, and where the CPU went:
   each kind of process (all processes of its group), this run's PostgreSQL backends, the Redis
   and the whole machine (100% = one CPU), and how many CPU milliseconds each message cost.
   PostgreSQL's figure counts the backends alive at the end of the window: a connection a pool
   opens and closes within it (SQLAlchemy's default pool keeps 5; threads beyond that open and
   close their own under load) is not counted, so with many threads it is a lower bound.

2. Broadcast sending. bench/broadcast.py's pieces: the fake Twilio as its own process answering
   each text after --latency-ms, --recipients families loaded by COPY into a fresh database, an
   urgent broadcast made as the console's Send button makes it, and the line's own worker
   (bot.worker) under a Huey name and a send pace of the run's own, with SEND_RATE_PER_SECOND
   = --send-rate (high, so the workers are the limit, not the limiter). Each worker process runs
   --lanes-per-worker lanes (threads = lanes + 1, one spare for the clocks); first ONE worker,
   then TWO, each with a fresh database and fake. Then, unless --skip-default-lanes, two workers
   with the lanes the line itself gives every broadcast at --account-rate (tasks.lanes_for:
   what the console, `bot broadcast send`, the scheduler and reminders enqueue). The rate is
   what the fake accepted per second over --seconds, after --send-warmup seconds left out. The
   CPU rows are bench/broadcast.py's.

3. A district: from those figures, for --district-families families: how many text back after a
   broadcast, the messages per second at the peak, the Rasa replicas that takes at the measured
   per-replica rate (and the cores at the measured CPU per message), and how long a broadcast
   to every family takes at the measured per-worker rate, at the line's default lanes, and at
   the account's rate limit (--account-rate, SEND_RATE_PER_SECOND; Twilio counts segments).

Reading it: with --concurrency requests always in flight the line is saturated, so messages/s
is its capacity and p50 is about concurrency / throughput (latency under saturation, not for a
lone family). Everything runs on this machine: with 2 cores, two Rasa replicas share the same
two cores with the web, the balancers, the action servers and PostgreSQL, so the second replica
can only help as far as the first left CPU idle; the CPU rows say whether the machine was
saturated, and the per-message CPU cost is what carries over to a deployment where each replica
has cores of its own. On a shared machine (other work shows as "other" CPU; the load average is
printed) the figures are indicative only. Nothing is asserted: exits 0 whatever the figures,
non-zero only when the line cannot start.

Everything started is stopped, and every database made dropped, also on Ctrl-C; the scratch
folder (process logs) is under /tmp and removed unless --keep. Never trains a model: it waits
for a training in progress, else serves the newest model in models/ (or --model)."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy.engine import make_url

# The stack, database and Redis helpers are the tests' own, so the line starts exactly as the
# topology test starts it; the load and the worker setup are the other benchmarks'.
from bench import (
    broadcast_run,
    load_phases,
    webhook_load,
)
from bench.scale_figures import LineCpu, LineFigures, SendFigures, role_of
from bench.scale_report import load_text, plural, print_district, print_lines, print_sends
from bench.scale_sends import line_lanes_at, run_send
from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.nlu.training import MODEL_PREFIX, ensure_model, model_path
from bot.processes import haproxy
from bot.processes.command_lines import Topology, child_env, scaled_processes
from bot.processes.supervisor import stop
from tests.support.databases import POSTGRES_ADMIN_URL, drop_database, fresh_postgres_database
from tests.support.stack import StackNotReady, free_port, start_ready
from tests.topology.conftest import OwnRedis

ROOT = Path(__file__).resolve().parents[1]

# The embedded default's token shape: the line's own texts go through the console transport.
TOKEN = "local-scale-" + secrets.token_hex(8)
# The line's settings a developer's shell may hold: blanked for the line's processes, which
# get the run's own (the supervisor starts them with this environment underneath).
SHELL_VARIABLES = (*broadcast_run.LINE_VARIABLES, "RASA_TRACKER_STORE_URL", "RASA_URL")


# --- part 1: messages through one replica, then two -----------------------------------------------


def migrate_and_seed(url: str) -> None:
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)


def served(url: str) -> list[int]:
    """What each replica behind HAProxy served so far (its statistics as CSV)."""
    stats = requests.get(f"{url}{haproxy.STATS_PATH};csv", timeout=10)
    return [replica.served for replica in haproxy.replica_stats(stats.text)]


def spare_families(families: list, count: int) -> list:
    """Families of their own for the warm-up (other numbers, same kind of texts)."""
    return [
        load_phases.Family(-1 - i, f"+1213{5559000 + i:07d}", f.language, list(f.script))
        for i, f in enumerate(families[:count])
    ]


def run_line(args, model: Path, replicas: int, own_redis, families: list, home: Path):
    servers = f"{plural(replicas, 'Rasa replica')} + {plural(replicas, 'action server')}"
    print(f"\n{servers}: starting …", flush=True)
    figures = None
    with fresh_postgres_database(args.admin_url, prefix="family_line_scale_") as url:
        database = make_url(url).database
        try:
            migrate_and_seed(url)
            figures = start_and_measure(args, model, replicas, own_redis, families, home, url)
        finally:
            engine_for(url).dispose()
            drop_database(f"{database}_rasa", args.admin_url)
    return figures


def start_and_measure(args, model, replicas: int, own_redis, families, home: Path, url: str):
    settings = load_settings(
        environ={
            **({"WEB_THREADS": str(args.web_threads)} if args.web_threads else {}),
            "DATABASE_URL": url,
            "REDIS_URL": own_redis.url,
            "VAR_DIR": str(home / f"var-{replicas}"),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": secrets.token_hex(16),
            "RASA_API_TOKEN": secrets.token_hex(16),  # as production runs: every call carries it
            "PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
        },
        dotenv_path=None,
    )
    topology = Topology(
        rasa_ports=[free_port() for _ in range(replicas)],
        action_ports=[free_port() for _ in range(replicas)],
        web_workers=args.web_workers,
        workers=1,
    )
    specs = scaled_processes(settings, model, topology)
    base = f"http://127.0.0.1:{settings.port}"
    env = {
        **{name: "" for name in SHELL_VARIABLES},
        **child_env(settings),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_BASE_URL": base,  # the URL signed below
        "RASA_TIMEOUT": str(settings.rasa_timeout),
    }
    log_path = home / f"line-{replicas}.log"
    with log_path.open("w", buffering=1) as log:
        try:
            processes = start_ready(specs, env, log, log_path)
        except StackNotReady as error:
            raise SystemExit(f"{error}\n(whole log: {log_path})") from error
        try:
            return measure_line(args, settings, specs, processes, own_redis, families, url)
        finally:
            stop(processes)


def measure_line(args, settings, specs, processes, own_redis, families, url: str) -> LineFigures:
    replicas = sum(1 for spec in specs if role_of(spec.name) == "rasa")
    gateway = load_phases.gateway_sender(f"http://127.0.0.1:{settings.port}/twilio/sms", TOKEN)
    print(f"  up; warming up for {args.warmup:g} s …", flush=True)
    load_phases.run_phase(
        "warmup",
        spare_families(families, args.concurrency),
        gateway,
        args.warmup,
        args.concurrency,
    )
    groups: dict[str, list[int]] = {}
    for spec, process in zip(specs, processes, strict=True):
        groups.setdefault(role_of(spec.name), []).append(process.pid)
    database = make_url(url).database
    rasa_before = served(settings.rasa_url)
    actions_before = served(settings.action_server_url)
    meter = LineCpu(groups, [database, f"{database}_rasa"], own_redis.process.pid)
    print(f"  {args.concurrency} families texting for {args.seconds:g} s …", flush=True)
    result = load_phases.run_phase(
        f"line{replicas}", families, gateway, args.seconds, args.concurrency
    )
    figures = LineFigures(replicas, result, settings.web_threads, cpu=meter.percents())
    figures.load_average = os.getloadavg()
    rasa_after = served(settings.rasa_url)
    actions_after = served(settings.action_server_url)
    figures.rasa_served = [a - b for a, b in zip(rasa_after, rasa_before, strict=True)]
    figures.actions_served = [a - b for a, b in zip(actions_after, actions_before, strict=True)]
    sids = [outcome.sid for outcome in result.outcomes if outcome.sid]
    figures.logged = webhook_load.logged_count(url, sids)
    return figures


# --- main ----------------------------------------------------------------------------------------


def find_model(args) -> Path:
    """The current model; waits for a training in progress, never starts one."""
    if args.model:
        return args.model
    target = model_path()
    announced = False
    while not target.exists() and webhook_load.training_running():
        if not announced:
            print(f"waiting for the running training ({target.name} missing) …", flush=True)
            announced = True
        time.sleep(30)
    if target.exists():
        return ensure_model()  # exists: returns it, trains nothing
    models = sorted(target.parent.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if models:
        print(f"note: {target.name} not trained; serving the newest model, {models[-1].name}")
        return models[-1]
    raise SystemExit("no trained model in models/: run `bot train` first (this never trains)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    run = parser.add_argument_group("the run")
    run.add_argument("--seconds", type=float, default=60.0, help="measured seconds per phase")
    run.add_argument("--warmup", type=float, default=8.0, help="messages: seconds left out")
    run.add_argument("--families", type=int, default=200, help="distinct phone numbers")
    run.add_argument("--concurrency", type=int, default=16, help="messages in flight")
    run.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    run.add_argument("--web-threads", type=int, help="per gunicorn worker (default WEB_THREADS)")
    run.add_argument("--seed", type=int, default=7, help="which scripts the families get")
    run.add_argument("--model", type=Path, help="model to serve (default: the current one)")
    run.add_argument("--recipients", type=int, default=30_000, help="broadcast audience size")
    run.add_argument("--lanes-per-worker", type=int, default=10, help="lanes each worker runs")
    run.add_argument("--latency-ms", type=float, default=50.0, help="the fake Twilio's answer")
    run.add_argument("--send-rate", type=int, default=1000, help="SEND_RATE_PER_SECOND")
    run.add_argument("--send-warmup", type=float, default=3.0, help="sending: seconds left out")
    run.add_argument("--skip-messages", action="store_true", help="no replica comparison")
    run.add_argument("--skip-broadcast", action="store_true", help="no worker comparison")
    run.add_argument(
        "--skip-default-lanes", action="store_true", help="no run with the line's own lanes"
    )
    run.add_argument("--admin-url", default=POSTGRES_ADMIN_URL, help="PostgreSQL to use")
    run.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    district = parser.add_argument_group("the district (assumptions)")
    district.add_argument("--district-families", type=int, default=500_000)
    district.add_argument(
        "--reply-share",
        type=float,
        default=0.10,
        help="share of families who text within the window after a broadcast, at peak",
    )
    district.add_argument("--window-minutes", type=float, default=60.0)
    district.add_argument(
        "--messages-per-family", type=float, default=3.0, help="texts each of them sends"
    )
    district.add_argument(
        "--peak-factor", type=float, default=3.0, help="busiest minute / the window's average"
    )
    district.add_argument(
        "--utilisation", type=float, default=0.7, help="share of measured capacity to plan on"
    )
    district.add_argument(
        "--account-rate",
        type=float,
        default=100.0,
        help="the Twilio account's segments per second (a short code: 100; a long code: 1)",
    )
    district.add_argument("--segments", type=float, default=1.0, help="segments per text")
    args = parser.parse_args()
    if args.families < args.concurrency:
        parser.error("--families must be at least --concurrency (one message in flight each)")
    return args


def interrupted(*_) -> None:
    raise KeyboardInterrupt


def run_all(args, model: Path | None, home: Path) -> None:
    print(
        f"scale benchmark: {os.cpu_count()} CPUs, load average (1, 5, 15 min) before "
        f"{load_text(os.getloadavg())}; scratch {home}"
        + (f"; model {model.name}" if model else ""),
        flush=True,
    )
    print("(on a shared 2-core machine the figures are indicative: see the load average and the")
    print(" 'other work' CPU row)", flush=True)
    own_redis = OwnRedis(home)
    lines: list[LineFigures] = []
    sends: list[SendFigures] = []
    try:
        own_redis.start()
        if not args.skip_messages:
            families = load_phases.make_families(args.families, args.seed)
            for replicas in (1, 2):
                lines.append(run_line(args, model, replicas, own_redis, families, home))
        if not args.skip_broadcast:
            lanes = args.lanes_per_worker
            sends.append(run_send(args, own_redis, home, "1 worker", 1, lanes))
            sends.append(run_send(args, own_redis, home, "2 workers", 2, 2 * lanes))
            if not args.skip_default_lanes:
                line_lanes = line_lanes_at(args.account_rate)
                label = f"2 w, {line_lanes} lanes"
                sends.append(run_send(args, own_redis, home, label, 2, line_lanes))
    finally:
        own_redis.stop()
    print_lines(args, lines)
    print_sends(args, sends)
    print_district(args, lines, sends)
    print(f"\nload average (1, 5, 15 min) at the end: {load_text(os.getloadavg())}")


def main() -> None:
    args = arguments()
    # Ctrl-C and a plain kill both unwind through the finally blocks that stop and drop
    # everything; SIGINT explicitly, since a shell's background job ignores it otherwise.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        model = None if args.skip_messages else find_model(args)
        home = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        try:
            run_all(args, model, home)
        finally:
            if args.keep:
                print(f"kept {home}")
            else:
                shutil.rmtree(home, ignore_errors=True)
    except KeyboardInterrupt:
        print("\ninterrupted: everything started was stopped, the databases dropped", flush=True)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
