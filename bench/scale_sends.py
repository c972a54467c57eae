"""bench/scale.py's broadcast part: a broadcast sent by one or more workers with the line's lanes,
measured the way bench/broadcast.py measures one."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from types import SimpleNamespace

from bench import (
    broadcast,
    broadcast_audience,
    broadcast_probes,
    broadcast_report,
    broadcast_run,
)
from bench.scale_figures import SendFigures
from bench.scale_report import plural
from bot.broadcasting import tasks
from bot.config import load_settings
from bot.db import engine_for
from tests.support.databases import fresh_postgres_database


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
        broadcast_run.fake_twilio(bargs, scratch) as (fake_url, fake),
    ):
        try:
            broadcast_audience.prepare_database(url, args.recipients)
            env = broadcast_run.run_environment(bargs, url, fake_url, scratch)
            settings = load_settings(environ=env, dotenv_path=None)
            huey = broadcast_run.make_huey(env)
            run = broadcast_run.Run(
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
    workers = broadcast_run.Workers(run)
    broadcast_id = None
    try:
        for index in range(figures.workers):
            workers.start(f"worker-{index + 1}")
        for worker in workers.all:
            workers.wait_ready(worker)
        broadcast_id = broadcast.create_broadcast(run, broadcast_report.Figures(run.size))
        counts = broadcast_run.FakeCounts(run.env["TWILIO_API_BASE_URL"])
        tasks.enqueue_lanes(run.huey, broadcast_id, lanes=figures.lanes)
        print(
            f"  {plural(figures.workers, 'worker')}, {figures.lanes} lanes, sending for "
            f"{args.send_warmup:g} + {args.seconds:g} s …",
            flush=True,
        )
        going = broadcast_probes.sample_for(counts, args.send_warmup, run, broadcast_id)
        started = time.monotonic()
        meter = broadcast_run.CpuMeter(run, workers.all)
        going = going and broadcast_probes.sample_for(counts, args.seconds, run, broadcast_id)
        ended = time.monotonic()
        figures.ran_out = not going
        figures.cpu = meter.percents()
        figures.rate, figures.slowest_second, figures.fastest_second = counts.rate(started, ended)
        inside = [accepted for moment, accepted in counts.samples if started <= moment <= ended]
        figures.sent = inside[-1] - inside[0] if len(inside) > 1 else 0
        figures.load_average = os.getloadavg()
    finally:
        if broadcast_id is not None:
            broadcast_probes.pause(
                run, broadcast_id
            )  # on Ctrl-C too: the lanes stop at their next text
        workers.stop_all()
