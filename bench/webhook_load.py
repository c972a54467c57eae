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
import itertools
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from bot.rasa.token import with_token
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form

# The stack and database helpers are the end-to-end tests' own (tests/support), so the benchmark
# starts the line exactly as they do.
from tests.support.databases import fresh_postgres_database
from tests.support.stack import StackNotReady, free_port, start_ready

REQUEST_TIMEOUT = 30
APOLOGIES = ("Sorry, our text line is having trouble", "Disculpe, nuestra línea")
TARGET_ADDED_P50 = 30.0  # % the gateway may add to Rasa's p50
TARGET_THROUGHPUT = 30.0  # messages/s through the gateway

# What families text, by language; "es" includes no-accent Spanish and Spanglish.
GREETINGS = {
    "en": ["hi", "hello good morning", "hey there"],
    "es": ["hola", "buenas tardes", "hola buenos dias"],
}
THANKS = {
    "en": ["thank you!", "thanks so much", "ok thanks bye"],
    "es": ["gracias", "muchas gracias, bendiciones", "ok gracias bye"],
}
QUESTIONS = {
    "en": [
        "what's the address of jordan high?",
        "where is markham middle school",
        "what is the phone number for roosevelt",
        "address for 99th street elementary pls",
        "are there any events this saturday?",
        "when is the next college night",
        "what programs do you have for my kids",
        "tell me about parent college",
        "when is the next parent college class",
        "what is the partnership for la schools",
        "does my son's school have summer programs",
        "what is st math",
    ],
    "es": [
        "¿dónde queda la escuela Markham?",
        "cual es la direccion de jordan",
        "donde esta la secundaria gompers",
        "el telefono de la escuela roosevelt porfa",
        "¿hay eventos este sábado?",
        "cuando es la noche de universidad",
        "que programas tienen para mis hijos",
        "que es parent college",
        "cuando es la proxima clase de parent college",
        "hay programas de verano?",
        "que es la partnership",
        "oye donde queda la school de mi hija, grape street",
        "my son va a mendez, what's the address?",
        "hay algun event para parents este mes",
    ],
}


@dataclass
class Family:
    index: int
    phone: str
    language: str
    script: list[str]
    sent: int = 0

    def next_text(self) -> str:
        body = self.script[self.sent % len(self.script)]
        self.sent += 1
        return body


def make_families(count: int, seed: int) -> list[Family]:
    """About 60% Spanish-speaking families (as the Partnership's), each with its own script."""
    families = []
    for index in range(count):
        rng = random.Random(seed * 100_003 + index)
        language = "es" if rng.random() < 0.6 else "en"
        questions = rng.sample(QUESTIONS[language], k=min(5, len(QUESTIONS[language])))
        script = [rng.choice(GREETINGS[language]), *questions, rng.choice(THANKS[language])]
        families.append(Family(index, f"+1323{5550000 + 1000 + index:07d}", language, script))
    return families


def schedule(families: list[Family]) -> Iterator[tuple[Family, str]]:
    """Round-robin over the families: with more families than in-flight requests, a family's
    next message only goes out once its previous one was answered, as on a real phone."""
    for family in itertools.cycle(families):
        yield family, family.next_text()


@dataclass
class Outcome:
    latency_ms: float
    error: str | None = None  # None when the family got a real answer
    sid: str | None = None


@dataclass
class PhaseResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.outcomes)

    @property
    def errors(self) -> Counter:
        return Counter(o.error for o in self.outcomes if o.error)

    def percentile(self, share: float) -> float:
        ordered = sorted(o.latency_ms for o in self.outcomes)
        if not ordered:
            return float("nan")
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)]

    @property
    def throughput(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0


def classify(status: int, replies: list[str]) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not replies:
        return "no reply"
    if any(reply.startswith(APOLOGIES) for reply in replies):
        return "apology"
    return None


def run_phase(
    name: str,
    families: list[Family],
    send: Callable[[requests.Session, Family, str], Outcome],
    seconds: float,
    concurrency: int,
) -> PhaseResult:
    for family in families:
        family.sent = 0  # the same texts in the same order in every phase
    result = PhaseResult(name)
    work = schedule(families)
    lock = threading.Lock()
    local = threading.local()
    started = time.perf_counter()
    stop_at = started + seconds

    def worker() -> None:
        local.http = requests.Session()
        while time.perf_counter() < stop_at:
            with lock:
                family, body = next(work)
            outcome = send(local.http, family, body)
            with lock:
                result.outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    result.elapsed = time.perf_counter() - started
    return result


def gateway_sender(url: str, auth_token: str):
    def send(http: requests.Session, family: Family, body: str) -> Outcome:
        form = twilio_sms_form(body, family.phone)
        headers = {"X-Twilio-Signature": sign(url, form, auth_token)}
        t0 = time.perf_counter()
        try:
            response = http.post(url, data=form, headers=headers, timeout=REQUEST_TIMEOUT)
            status = response.status_code
            replies = replies_from_twiml(response.text) if status == 200 else []
            error = classify(status, replies)
        except (requests.RequestException, ValueError) as exc:  # ValueError: bad TwiML
            error = type(exc).__name__
        return Outcome((time.perf_counter() - t0) * 1000, error, form["MessageSid"])

    return send


def rasa_sender(rasa_url: str, run_id: str, token: str | None = None):
    url = with_token(f"{rasa_url}/webhooks/rest/webhook", token)

    def send(http: requests.Session, family: Family, body: str) -> Outcome:
        payload = {
            "sender": f"bench-{run_id}-{family.index}",
            "message": body,
            "metadata": {"language": family.language, "channel": "sms"},
        }
        t0 = time.perf_counter()
        try:
            response = http.post(url, json=payload, timeout=REQUEST_TIMEOUT)
            status = response.status_code
            answer = response.json() if status == 200 else []
            replies = [m["text"] for m in answer if isinstance(m, dict) and m.get("text")]
            error = classify(status, replies)
        except (requests.RequestException, ValueError) as exc:
            error = type(exc).__name__
        return Outcome((time.perf_counter() - t0) * 1000, error)

    return send


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
