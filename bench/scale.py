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
   store, Huey): gunicorn web (--web-workers) -> bot/processes/balancer.py -> Rasa replicas ->
   bot/processes/balancer.py -> action servers, and one worker; first ONE Rasa replica + one action
   server, then TWO + two.
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
import math
import os
import secrets
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import requests
from sqlalchemy.engine import make_url

# The stack, database and Redis helpers are the tests' own, so the line starts exactly as the
# topology test starts it; the load and the worker setup are the other benchmarks'.
from bench import broadcast, webhook_load
from bot.broadcasting import tasks
from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.nlu.training import MODEL_PREFIX, ensure_model, model_path
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
SHELL_VARIABLES = (*broadcast.LINE_VARIABLES, "RASA_TRACKER_STORE_URL", "RASA_URL")


# --- CPU, by kind of process -------------------------------------------------------------------


def group_cpu() -> dict[int, float]:
    """CPU seconds (user + system) of every live process, summed by process group: each of the
    line's processes is started in a group of its own (gunicorn's workers are in their
    master's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        group = int(fields[2])
        totals[group] = totals.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


def role_of(name: str) -> str:
    """The kind of a process spec: "rasa-2" -> "rasa", "lb-actn" -> "balancers"."""
    return "balancers" if name.startswith("lb-") else name.split("-")[0]


LINE_ROLES = ("web", "balancers", "rasa", "actions", "worker", "postgres", "redis")


class LineCpu:
    """Where the CPU went during a window (100% = one CPU): each kind of the line's processes,
    the PostgreSQL backends of its databases, its Redis, and the whole machine."""

    def __init__(self, groups: dict[str, list[int]], databases: list[str], redis_pid: int):
        self.groups, self.databases, self.redis_pid = groups, databases, redis_pid
        self.started = time.monotonic()
        self.marks = self._read()
        self.machine = broadcast.machine_ticks()

    def _read(self) -> dict[str, dict[int, float]]:
        by_group = group_cpu()
        seen = {role: {g: by_group.get(g, 0.0) for g in gs} for role, gs in self.groups.items()}
        backends = [pid for db in self.databases for pid in broadcast.database_backends(db)]
        seen["postgres"] = {pid: broadcast.cpu_seconds(pid) for pid in backends}
        seen["redis"] = {self.redis_pid: broadcast.cpu_seconds(self.redis_pid)}
        seen["client"] = {os.getpid(): broadcast.cpu_seconds(os.getpid())}
        return seen

    def percents(self) -> dict[str, float]:
        seconds = time.monotonic() - self.started
        now = self._read()
        percents = {}
        for role, seen in now.items():
            before = self.marks.get(role, {})
            used = sum(max(cpu - before.get(key, 0.0), 0.0) for key, cpu in seen.items())
            percents[role] = 100.0 * used / seconds
        busy, total = broadcast.machine_ticks()
        share = (busy - self.machine[0]) / max(total - self.machine[1], 1)
        percents["machine"] = 100.0 * share * (os.cpu_count() or 1)
        percents["line"] = sum(percents.get(role, 0.0) for role in LINE_ROLES)
        return percents


def other_work(cpu: dict[str, float]) -> float:
    """The machine's busy CPU that was neither the line nor the load generator."""
    return max(cpu.get("machine", 0) - cpu.get("line", 0) - cpu.get("client", 0), 0.0)


def ms_per(percent: float, rate: float) -> float:
    """% of one CPU at `rate` things per second -> CPU milliseconds per thing."""
    return percent * 10.0 / rate if rate else float("nan")


# --- part 1: messages through one replica, then two -----------------------------------------------


@dataclass
class LineFigures:
    replicas: int
    result: object  # webhook_load.PhaseResult
    web_threads: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    rasa_served: list[int] = field(default_factory=list)  # per replica, during the phase
    actions_served: list[int] = field(default_factory=list)
    logged: int = 0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)


def migrate_and_seed(url: str) -> None:
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)


def served(url: str) -> list[int]:
    """What each replica behind a balancer served so far (GET /_balancer)."""
    stats = requests.get(f"{url}/_balancer", timeout=10).json()
    return [upstream["served"] for upstream in stats["upstreams"]]


def spare_families(families: list, count: int) -> list:
    """Families of their own for the warm-up (other numbers, same kind of texts)."""
    return [
        webhook_load.Family(-1 - i, f"+1213{5559000 + i:07d}", f.language, list(f.script))
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
    gateway = webhook_load.gateway_sender(f"http://127.0.0.1:{settings.port}/twilio/sms", TOKEN)
    print(f"  up; warming up for {args.warmup:g} s …", flush=True)
    webhook_load.run_phase(
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
    result = webhook_load.run_phase(
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


# --- part 2: broadcast sending with one worker, then two -------------------------------------


@dataclass
class SendFigures:
    label: str
    workers: int
    lanes: int
    rate: float = float("nan")
    slowest_second: float = float("nan")
    fastest_second: float = float("nan")
    sent: int = 0  # accepted by the fake over the measured window
    ran_out: bool = False
    cpu: dict[str, float] = field(default_factory=dict)
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)


def broadcast_args(args, own_redis) -> SimpleNamespace:
    """What bench/broadcast.py's helpers read from its own command line."""
    return SimpleNamespace(
        token=secrets.token_hex(16),
        latency_ms=args.latency_ms,
        rate=args.send_rate,
        threads=args.lanes_per_worker + 1,
        huey="redis",
        redis_url=own_redis.url,
        lease_grace=None,
        claim_timeout=None,
    )


def line_lanes_at(rate: float) -> int:
    """The lanes the line gives a broadcast when SEND_RATE_PER_SECOND is `rate`."""
    settings = load_settings(environ={"SEND_RATE_PER_SECOND": str(int(rate))}, dotenv_path=None)
    return tasks.lanes_for(settings)


def run_send(args, own_redis, home: Path, label: str, workers: int, lanes: int) -> SendFigures:
    print(f"\nbroadcast, {label}: preparing …", flush=True)
    bargs = broadcast_args(args, own_redis)
    scratch = home / f"send-{workers}-{lanes}"
    scratch.mkdir()
    figures = SendFigures(label, workers, lanes)
    with (
        fresh_postgres_database(args.admin_url, prefix="family_line_scale_") as url,
        broadcast.fake_twilio(bargs, scratch) as (fake_url, fake),
    ):
        try:
            broadcast.prepare_database(url, args.recipients)
            env = broadcast.run_environment(bargs, url, fake_url, scratch)
            settings = load_settings(environ=env, dotenv_path=None)
            huey = broadcast.make_huey(env)
            run = broadcast.Run(
                args.recipients, scratch, url, env, settings, huey, env["BENCH_PACE_NAME"], fake.pid
            )
            tasks.register_broadcast_tasks(huey, settings, pace_name=run.pace_name)
            try:
                measure_send(args, run, figures)
            finally:
                broadcast.forget_queue(run)
        finally:
            engine_for(url).dispose()
    return figures


def measure_send(args, run, figures: SendFigures) -> None:
    workers = broadcast.Workers(run)
    broadcast_id = None
    try:
        for index in range(figures.workers):
            workers.start(f"worker-{index + 1}")
        for worker in workers.all:
            workers.wait_ready(worker)
        broadcast_id = broadcast.create_broadcast(run, broadcast.Figures(run.size))
        counts = broadcast.FakeCounts(run.env["TWILIO_API_BASE_URL"])
        tasks.enqueue_lanes(run.huey, broadcast_id, lanes=figures.lanes)
        print(
            f"  {plural(figures.workers, 'worker')}, {figures.lanes} lanes, sending for "
            f"{args.send_warmup:g} + {args.seconds:g} s …",
            flush=True,
        )
        going = broadcast.sample_for(counts, args.send_warmup, run, broadcast_id)
        started = time.monotonic()
        meter = broadcast.CpuMeter(run, workers.all)
        going = going and broadcast.sample_for(counts, args.seconds, run, broadcast_id)
        ended = time.monotonic()
        figures.ran_out = not going
        figures.cpu = meter.percents()
        figures.rate, figures.slowest_second, figures.fastest_second = counts.rate(started, ended)
        inside = [accepted for moment, accepted in counts.samples if started <= moment <= ended]
        figures.sent = inside[-1] - inside[0] if len(inside) > 1 else 0
        figures.load_average = os.getloadavg()
    finally:
        if broadcast_id is not None:
            broadcast.pause(run, broadcast_id)  # on Ctrl-C too: the lanes stop at their next text
        workers.stop_all()


# --- report ------------------------------------------------------------------------------------


def number(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:,.{digits}f}"  # nan: not measured


def duration(seconds: float) -> str:
    if seconds != seconds or seconds == math.inf:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def load_text(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.1f}" for v in load)


def print_rows(header: list[str], rows: list[tuple]) -> None:
    print(f"{header[0]:<40}" + "".join(f"{h:>16}" for h in header[1:]))
    for label, *values in rows:
        print(f"{label:<40}" + "".join(f"{v:>16}" for v in values))


def print_lines(args, lines: list[LineFigures]) -> None:
    if not lines:
        return
    first = lines[0].result
    print(
        f"\n=== messages: signed SMS -> gunicorn ({args.web_workers} workers x "
        f"{lines[0].web_threads} threads) -> balancer -> "
        f"Rasa -> balancer -> actions; {args.seconds:g} s each, {args.concurrency} in flight, "
        f"{args.families} families ==="
    )
    header = [""] + [plural(f.replicas, "replica") for f in lines]
    rows = [
        ("messages answered", *[f"{f.result.sent:,}" for f in lines]),
        ("errors", *[str(sum(f.result.errors.values())) for f in lines]),
        ("throughput msg/s", *[number(f.result.throughput) for f in lines]),
        ("  per Rasa replica msg/s", *[number(f.result.throughput / f.replicas) for f in lines]),
        ("p50 ms", *[number(f.result.percentile(0.5), 0) for f in lines]),
        ("p90 ms", *[number(f.result.percentile(0.9), 0) for f in lines]),
        ("p99 ms", *[number(f.result.percentile(0.99), 0) for f in lines]),
        ("Rasa requests per replica", *[" / ".join(map(str, f.rasa_served)) for f in lines]),
        ("action requests per server", *[" / ".join(map(str, f.actions_served)) for f in lines]),
        ("logged (inbound with its SID)", *[f"{f.logged}/{f.result.sent}" for f in lines]),
    ]
    capacity = 100 * (os.cpu_count() or 1)
    rows.append(("CPU, % of one CPU:", *["" for _ in lines]))
    for role in LINE_ROLES:
        rows.append((f"  {role}", *[f"{f.cpu.get(role, 0):.0f}%" for f in lines]))
    rows += [
        ("  the line, all of the above", *[f"{f.cpu.get('line', 0):.0f}%" for f in lines]),
        (
            f"  machine busy (of {capacity}%)",
            *[f"{f.cpu.get('machine', 0):.0f}%" for f in lines],
        ),
        ("  load generator (this process)", *[f"{f.cpu.get('client', 0):.0f}%" for f in lines]),
        ("  other work on the machine", *[f"{other_work(f.cpu):.0f}%" for f in lines]),
        ("CPU ms per message:", *["" for _ in lines]),
    ]
    for role in ("web", "balancers", "rasa", "actions", "postgres"):
        rows.append(
            (
                f"  {role}",
                *[number(ms_per(f.cpu.get(role, 0), f.result.throughput)) for f in lines],
            )
        )
    rows.append(
        (
            "  the whole line",
            *[number(ms_per(f.cpu.get("line", 0), f.result.throughput)) for f in lines],
        )
    )
    rows.append(("load average after (1, 5, 15)", *[load_text(f.load_average) for f in lines]))
    print_rows(header, rows)
    if len(lines) == 2 and first.throughput:
        ratio = lines[1].result.throughput / first.throughput
        print(f"two replicas vs one: x{ratio:.2f} the messages per second")
    for f in lines:
        if f.result.errors:
            kinds = ", ".join(f"{kind} x{n}" for kind, n in f.result.errors.most_common())
            print(f"errors ({plural(f.replicas, 'replica')}): {kinds}")


def print_sends(args, sends: list[SendFigures]) -> None:
    if not sends:
        return
    print(
        f"\n=== broadcast sending: fake Twilio {args.latency_ms:g} ms per text, "
        f"SEND_RATE_PER_SECOND={args.send_rate}, {args.lanes_per_worker + 1} threads per worker, "
        f"rate over {args.seconds:g} s after {args.send_warmup:g} s ==="
    )
    header = [""] + [f.label for f in sends]
    rows = [
        ("worker processes / lanes in all", *[f"{f.workers} / {f.lanes}" for f in sends]),
        ("texts accepted by Twilio (window)", *[f"{f.sent:,}" for f in sends]),
        ("send rate texts/s", *[number(f.rate) for f in sends]),
        ("  per worker texts/s", *[number(f.rate / f.workers) for f in sends]),
        (
            "  per lane texts/s",
            *[number(f.rate / f.lanes) for f in sends],
        ),
        (
            "  slowest / fastest second",
            *[f"{number(f.slowest_second, 0)} / {number(f.fastest_second, 0)}" for f in sends],
        ),
        ("  a lane's ceiling at this latency", *[number(1000 / args.latency_ms) for f in sends]),
        (
            "CPU: workers / PostgreSQL / fake",
            *[
                f"{f.cpu.get('workers', 0):.0f}/{f.cpu.get('postgres', 0):.0f}/"
                f"{f.cpu.get('fake', 0):.0f}%"
                for f in sends
            ],
        ),
        (
            f"  machine busy (of {100 * (os.cpu_count() or 1)}%)",
            *[f"{f.cpu.get('machine', 0):.0f}%" for f in sends],
        ),
        (
            "  worker CPU ms per text",
            *[number(ms_per(f.cpu.get("workers", 0), f.rate)) for f in sends],
        ),
        ("load average after (1, 5, 15)", *[load_text(f.load_average) for f in sends]),
    ]
    print_rows(header, rows)
    if len(sends) >= 2 and sends[0].rate:
        print(f"two workers vs one: x{sends[1].rate / sends[0].rate:.2f} the texts per second")
    for f in sends:
        if f.ran_out:
            print(f"note ({f.label}): every row was sent before the window ended (--recipients)")


def print_district(args, lines: list[LineFigures], sends: list[SendFigures]) -> None:
    families = args.district_families
    print(f"\n=== a district of {families:,} families (assumptions in [--options]) ===")
    texting = families * args.reply_share
    messages = texting * args.messages_per_family
    hour = args.window_minutes * 60
    average = messages / hour
    peak = average * args.peak_factor
    texts_per_second_at_limit = args.account_rate / args.segments
    broadcast_seconds = families / texts_per_second_at_limit
    spread_peak = messages / (broadcast_seconds + hour) * args.peak_factor
    rows = [
        (
            f"text back within {args.window_minutes:g} min of a broadcast",
            f"{args.reply_share:.0%} = {texting:,.0f} families",
            "[--reply-share, --window-minutes]",
        ),
        (
            "messages each, in all",
            f"{args.messages_per_family:g} = {messages:,.0f}",
            "[--messages-per-family]",
        ),
        ("average over the window", f"{average:,.1f} msg/s", ""),
        (
            "peak (busiest minute), all texted at once",
            f"{peak:,.1f} msg/s",
            f"[--peak-factor {args.peak_factor:g}]",
        ),
        (
            "peak, broadcast sent at the account rate",
            f"{spread_peak:,.1f} msg/s",
            f"replies spread over {duration(broadcast_seconds)} + the window",
        ),
    ]
    if lines:
        one = lines[0]
        per_replica = one.result.throughput / one.replicas
        usable = per_replica * args.utilisation
        rows += [
            (
                f"per-replica rate (measured, {one.replicas} replica)",
                f"{number(per_replica)} msg/s",
                f"run at {args.utilisation:.0%} of it [--utilisation]",
            ),
            (
                "Rasa replicas for the peak (all at once)",
                replicas_for(peak, usable),
                "at the rate the 1-replica line reached here",
            ),
            ("Rasa replicas for the peak (spread)", replicas_for(spread_peak, usable), ""),
        ]
        if len(lines) > 1:
            two = lines[-1]
            per = two.result.throughput / two.replicas
            rows.append(
                (
                    f"  at the {two.replicas}-replica per-replica rate",
                    f"{number(per)} msg/s -> {replicas_for(peak, per * args.utilisation)}",
                    "(this machine's 2 cores shared by both)",
                )
            )
        line_ms = ms_per(one.cpu.get("line", 0), one.result.throughput)
        rasa_ms = ms_per(one.cpu.get("rasa", 0), one.result.throughput)
        if line_ms == line_ms:
            rows += [
                (
                    "CPU per message (measured, whole line)",
                    f"{line_ms:.0f} ms ({rasa_ms:.0f} in Rasa)",
                    "",
                ),
                (
                    "cores for the peak (all at once)",
                    f"{peak * line_ms / 1000 / args.utilisation:,.1f} "
                    f"({peak * rasa_ms / 1000 / args.utilisation:,.1f} for Rasa)",
                    f"at {args.utilisation:.0%} busy",
                ),
            ]
    rows += [
        (
            "a broadcast to all at the account rate",
            duration(broadcast_seconds),
            f"{args.account_rate:g}/s, {args.segments:g} segment(s) per text "
            "[--account-rate, --segments]",
        ),
    ]
    per_worker = sends[0].rate / sends[0].workers if sends and sends[0].rate else float("nan")
    if sends:
        first = sends[0]
        rows += [
            (
                f"per-worker rate (measured, {first.lanes} lanes)",
                f"{number(per_worker)} texts/s",
                f"fake Twilio at {args.latency_ms:g} ms",
            ),
            (
                "workers to keep up with the account rate",
                str(math.ceil(texts_per_second_at_limit / per_worker)) if per_worker else "-",
                f"{args.lanes_per_worker} lanes each, if workers add up",
            ),
        ]
        for f in sends:
            rate = min(f.rate, texts_per_second_at_limit) if f.rate == f.rate else float("nan")
            rows.append(
                (
                    f"  all {families:,}: {plural(f.workers, 'worker')}, {f.lanes} lanes",
                    duration(families / rate) if rate else "-",
                    f"measured {number(f.rate)} texts/s; the account allows "
                    f"{number(texts_per_second_at_limit)}",
                )
            )
    rows.append(
        (
            "status callbacks to the web while sending",
            f"{2 * texts_per_second_at_limit:,.0f} req/s",
            "sent + delivered per text (not measured here)",
        )
    )
    for label, value, note in rows:
        print(f"{label:<44} {value:>26}   {note}")


def replicas_for(rate: float, per_replica: float) -> str:
    if not per_replica or per_replica != per_replica:
        return "-"
    return str(max(1, math.ceil(rate / per_replica)))


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
            families = webhook_load.make_families(args.families, args.seed)
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
