"""Load on the SMS webhook: many families texting at once, through the gateway and straight to Rasa.

    .venv/bin/python -m bench.webhook_load [--seconds 60] [--families 200] [--concurrency 16]
                                           [--web-workers 2] [--web-threads N]
                                           [--database-url postgresql://...]

Starts its own stack on free ports (action server, Rasa server with the current model, gunicorn
with --web-workers x --web-threads, default WEB_THREADS's) against a fresh migrated and seeded
database: SQLite in a temporary folder, or, with --database-url, a new database created on that
PostgreSQL server (dropped afterwards).
Waits for a training already running instead of starting a second one; with no current model
and no training running it serves the newest model in models/ (--train trains instead,
--model PATH picks one).

Two phases with the same texts, concurrency and duration:
  1. gateway: `POST /twilio/sms`, every field Twilio sends, a unique MessageSid per message,
     signed with the stack's TWILIO_AUTH_TOKEN (X-Twilio-Signature);
  2. Rasa direct: `POST {rasa}/webhooks/rest/webhook` with sender, message and metadata.language.
Each family sends its own sequence (greeting, questions, thanks), one message in flight at a time.
An error is a non-200, a timeout, no reply, or the apology the line sends when Rasa fails.
Afterwards every inbound message of the gateway phase must be in `message` (direction 'in')
with its MessageSid. Prints a table with the targets next to the figures; exits 0 whatever the
figures (non-zero only when the stack cannot start).

Reading it: with --concurrency requests always in flight the stack is saturated, so p50 is about
concurrency / throughput and the gateway's added p50 mostly measures the extra CPU each gateway
message costs (the web process, two database commits, and Rasa reading the tracker back for the
message's intent in the family_line channel, bot/rasa/channel.py).
On a shared 2-core machine the figures are indicative only."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.nlu.training import MODEL_PREFIX, ensure_model, model_path
from bot.processes.command_lines import action_server, child_env, rasa_server, web
from bot.processes.supervisor import stop

# The stack and database helpers are the end-to-end tests' own (tests/support), so the benchmark
# starts the line exactly as they do.
from tests.support.databases import fresh_postgres_database
from tests.support.stack import StackNotReady, free_port, start_ready

from .load_phases import (
    Family,
    PhaseResult,
    gateway_sender,
    make_families,
    rasa_sender,
    run_phase,
)

TARGET_ADDED_P50 = 30.0  # % the gateway may add to Rasa's p50
TARGET_THROUGHPUT = 30.0  # messages/s through the gateway


# --- the stack --------------------------------------------------------------------------------


def training_running() -> bool:
    """A `rasa train` somewhere on this machine (another developer's, or `make test`'s)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"rasa") for a in argv) and b"train" in argv:
            return True
    return False


def current_model(train: bool) -> Path:
    """The model for the current training data. Waits for a training in progress rather than
    starting another; with none running and the current model missing, takes the newest model
    there is (a benchmark needs a model, not the latest one) unless --train asks for training."""
    target = model_path()
    announced = False
    while not target.exists() and training_running():
        if not announced:
            print(f"waiting for the running training ({target.name} missing) …", flush=True)
            announced = True
        time.sleep(10)
    if target.exists():
        return target
    models = sorted(target.parent.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if models and not train:
        print(f"note: {target.name} not trained; using the newest model, {models[-1].name}")
        return models[-1]
    return ensure_model()


@contextmanager
def fresh_database(admin_url: str | None, home: Path) -> Iterator[str]:
    """A new, migrated and seeded database; a PostgreSQL one is dropped afterwards."""
    if not admin_url:
        url = f"sqlite:///{home / 'family_line.db'}"
        _migrate_and_seed(url)
        yield url
        engine_for(url).dispose()
        return
    with fresh_postgres_database(admin_url, prefix="family_line_bench_") as url:
        try:
            _migrate_and_seed(url)
            yield url
        finally:
            engine_for(url).dispose()


def _migrate_and_seed(url: str) -> None:
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)


@contextmanager
def stack(model: Path, database_url: str, home: Path, web_workers: int, web_threads: int | None):
    settings = load_settings(
        environ={
            **({"WEB_THREADS": str(web_threads)} if web_threads else {}),
            "DATABASE_URL": database_url,
            "VAR_DIR": str(home / "var"),
            "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "SECRET_KEY": secrets.token_hex(16),
            "RASA_API_TOKEN": secrets.token_hex(16),  # as production runs: every call carries it
            "PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
        },
        dotenv_path=None,
    )
    base = f"http://127.0.0.1:{settings.port}"
    env = {
        **child_env(settings),
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "SECRET_KEY": settings.secret_key,
        "PUBLIC_BASE_URL": base,  # the URL signed below, whatever a developer's .env says
        "RASA_TIMEOUT": str(settings.rasa_timeout),
    }
    specs = [
        action_server(settings),
        rasa_server(settings, model),
        web(settings, workers=web_workers),
    ]
    log_path = home / "stack.log"
    with log_path.open("w", buffering=1) as log:
        try:
            processes = start_ready(specs, env, log, log_path)
        except StackNotReady as error:
            raise SystemExit(f"{error}\n(whole log: {log_path})") from error
        try:
            yield settings, base
        finally:
            stop(processes)


def warm_up(families: list[Family], gateway, rasa, concurrency: int) -> None:
    """A few messages per path first, outside the figures: TensorFlow's first calls are slow."""
    http = requests.Session()
    spare = [
        Family(-1 - i, f"+1213{5559000 + i:07d}", f.language, f.script)
        for i, f in enumerate(families[:concurrency])
    ]
    for family in spare:
        for body in family.script[:2]:
            gateway(http, family, body)
            rasa(http, family, body)


def logged_count(database_url: str, sids: list[str]) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = {
                row[0]
                for row in connection.execute(
                    text("SELECT twilio_sid FROM message WHERE direction = 'in'")
                )
            }
    finally:
        engine.dispose()
    return sum(1 for sid in sids if sid in stored)


# --- report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def report(
    args, settings, database_url: str, gateway: PhaseResult, direct: PhaseResult, logged: int
):
    backend = make_url(database_url).get_backend_name()
    print()
    print(
        f"webhook load: {args.seconds:g} s per phase, {args.families} families, "
        f"concurrency {args.concurrency}, "
        f"{args.web_workers} web worker(s) x {settings.web_threads} threads, {backend}, "
        f"{os.cpu_count()} CPUs"
    )
    rows = [
        ("messages sent", f"{gateway.sent}", f"{direct.sent}", ""),
        (
            "errors",
            f"{sum(gateway.errors.values())}",
            f"{sum(direct.errors.values())}",
            f"0   {verdict(not gateway.errors)}",
        ),
        ("p50 ms", f"{gateway.percentile(0.5):.0f}", f"{direct.percentile(0.5):.0f}", ""),
        ("p90 ms", f"{gateway.percentile(0.9):.0f}", f"{direct.percentile(0.9):.0f}", ""),
        ("p99 ms", f"{gateway.percentile(0.99):.0f}", f"{direct.percentile(0.99):.0f}", ""),
        (
            "throughput msg/s",
            f"{gateway.throughput:.1f}",
            f"{direct.throughput:.1f}",
            f">= {TARGET_THROUGHPUT:g}   {verdict(gateway.throughput >= TARGET_THROUGHPUT)}",
        ),
    ]
    print(f"{'':<18} {'gateway':>10} {'rasa direct':>12}   target (gateway)")
    for label, g, d, target in rows:
        print(f"{label:<18} {g:>10} {d:>12}   {target}")
    rasa_p50 = direct.percentile(0.5)
    added = (gateway.percentile(0.5) / rasa_p50 - 1) * 100 if rasa_p50 else float("nan")
    print(
        f"{'gateway adds p50':<18} {added:>+9.0f}% {'':>12}   "
        f"<= {TARGET_ADDED_P50:g}%   {verdict(added <= TARGET_ADDED_P50)}"
    )
    print(
        f"{'logged (in + sid)':<18} {f'{logged}/{gateway.sent}':>10} {'':>12}   "
        f"all   {verdict(logged == gateway.sent)}"
    )
    for result in (gateway, direct):
        if result.errors:
            kinds = ", ".join(f"{kind} x{n}" for kind, n in result.errors.most_common())
            print(f"errors ({result.name}): {kinds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each phase")
    parser.add_argument("--families", type=int, default=200, help="distinct phone numbers")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--web-threads", type=int, help="threads per worker (default: WEB_THREADS's)"
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to create a fresh database on, e.g. "
        "postgresql://postgres@127.0.0.1:5432/test (default: SQLite in a temp folder)",
    )
    parser.add_argument("--seed", type=int, default=7, help="which scripts families get")
    parser.add_argument("--model", type=Path, help="model to serve (default: current, see above)")
    parser.add_argument("--train", action="store_true", help="train when no model is current")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (stack.log)")
    args = parser.parse_args()
    if args.families < args.concurrency:
        parser.error("--families must be at least --concurrency (one message in flight each)")

    model = args.model or current_model(args.train)
    home = Path(tempfile.mkdtemp(prefix="webhook-load-"))
    families = make_families(args.families, args.seed)
    try:
        with (
            fresh_database(args.database_url, home) as database_url,
            stack(model, database_url, home, args.web_workers, args.web_threads) as (
                settings,
                base,
            ),
        ):
            url = f"{base}/twilio/sms"
            gateway = gateway_sender(url, settings.twilio_auth_token)
            direct = rasa_sender(settings.rasa_url, secrets.token_hex(3), settings.rasa_api_token)
            print(f"stack up ({model.name}); log: {home / 'stack.log'}; warming up …", flush=True)
            warm_up(families, gateway, direct, args.concurrency)
            print(f"gateway phase: {args.seconds:g} s …", flush=True)
            gateway_result = run_phase("gateway", families, gateway, args.seconds, args.concurrency)
            print(f"rasa direct phase: {args.seconds:g} s …", flush=True)
            direct_result = run_phase("rasa", families, direct, args.seconds, args.concurrency)
            sids = [o.sid for o in gateway_result.outcomes if o.sid]
            logged = logged_count(database_url, sids)
            report(args, settings, database_url, gateway_result, direct_result, logged)
    finally:
        if args.keep:
            print(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
