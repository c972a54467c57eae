"""`bot`: everything an operator does, from the command line. Errors are one clear line, exit 1."""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
from pathlib import Path

import click

from bot.config import ConfigError, load_settings


def _settings():
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """The Partnership family text line."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


# --- environment ---------------------------------------------------------------------------


@main.group()
def env() -> None:
    """Local configuration (.env)."""


def _owner_only(path: Path) -> None:
    """An older .env readable by others is made the owner's alone, and the operator told."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        path.chmod(0o600)
        click.echo(f"{path} was readable by others (mode {mode:o}); it is now 600.")


# Secrets `bot env init` makes, and how; an older .env missing one of them gets it added.
GENERATED_SECRETS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(32),
    "HEALTH_TOKEN": lambda: secrets.token_urlsafe(24),
    "RASA_API_TOKEN": lambda: secrets.token_urlsafe(24),
}


def _add_missing_secrets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    added = []
    for name, make in GENERATED_SECRETS.items():
        line = re.search(rf"^{name}=(.*)$", text, re.M)
        if line is None:
            text += ("" if text.endswith("\n") or not text else "\n") + f"{name}={make()}\n"
        elif not line.group(1).strip():
            text = text[: line.start()] + f"{name}={make()}" + text[line.end() :]
        else:
            continue
        added.append(name)
    if added:
        path.write_text(text, encoding="utf-8")
        click.echo(f"Added to {path}: {', '.join(added)}.")


@env.command("init")
@click.option("--path", default=".env", type=click.Path(dir_okay=False, path_type=Path))
def env_init(path: Path) -> None:
    """Write a .env for local use from .env.example, with fresh local secrets."""
    if path.exists():
        _owner_only(path)
        _add_missing_secrets(path)
        click.echo(f"{path} already exists; the rest of it is left as it is.")
        return
    text = Path(".env.example").read_text(encoding="utf-8")
    for name, make in GENERATED_SECRETS.items():
        text = text.replace(f"\n{name}=\n", f"\n{name}={make()}\n", 1)
    text = text.replace("TWILIO_AUTH_TOKEN=", f"TWILIO_AUTH_TOKEN=local-{secrets.token_hex(16)}", 1)
    # Created readable by its owner alone: it holds SECRET_KEY, which signs every staff login.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(text)
    click.echo(
        f"Wrote {path} (readable by you only) with a random SECRET_KEY, HEALTH_TOKEN and "
        "RASA_API_TOKEN, and a local-only TWILIO_AUTH_TOKEN."
    )


# --- database ------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema and seed data."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    from sqlalchemy.exc import OperationalError

    from bot.migrate import create_database_if_missing, upgrade

    settings = _settings()
    try:
        if create_database_if_missing(settings.database_url):
            click.echo("Created the database.")
        upgrade(settings.database_url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig}") from None
    click.echo("Database is up to date.")


@db.command("seed")
@click.option("--dir", "seed_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def db_seed(seed_dir: Path | None) -> None:
    """Load seed/*.yaml (schools, programs, sessions, events). Safe to run again."""
    from bot.db import engine_for, session_factory, session_scope
    from bot.directory.seed import SEED_DIR, SeedError, seed_database

    settings = _settings()
    try:
        with session_scope(session_factory(engine_for(settings.database_url))) as session:
            report = seed_database(session, seed_dir or SEED_DIR)
    except SeedError as error:
        raise click.ClickException(f"seed data not loaded, nothing changed: {error}") from None
    click.echo(f"Seeded: {report.summary()}")


# --- Rasa model ----------------------------------------------------------------------------


@main.command()
def train() -> None:
    """Train the Rasa model if config, domain or training data changed since the last one."""
    from bot.nlu.training import ensure_model, model_path

    target = model_path()
    if target.exists():
        click.echo(f"Model is current: {target}")
        return
    click.echo(f"Training {target.name} (about three minutes on two cores)…")
    click.echo(f"Model ready: {ensure_model()}")


# --- processes -----------------------------------------------------------------------------


@main.command()
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker threads (default: a broadcast's lanes at SEND_RATE_PER_SECOND, plus 2).",
)
def worker(workers: int | None) -> None:
    """Run the background worker (Huey consumer)."""
    from bot.worker import run_worker

    run_worker(_settings(), workers=workers)


@main.command()
@click.option(
    "--scaled",
    is_flag=True,
    help="The production topology on this machine: replicas behind balancers (docs/deploy.md).",
)
@click.option(
    "--replicas", default=2, show_default=True, help="Rasa and action servers (--scaled)."
)
@click.option("--workers", default=2, show_default=True, help="Worker processes (--scaled).")
@click.option("--web-workers", default=2, show_default=True, help="gunicorn workers (--scaled).")
def run(scaled: bool, replicas: int, workers: int, web_workers: int) -> None:
    """Start web, Rasa server, action server and worker in the foreground. Ctrl-C stops all."""
    from bot.processes.command_lines import (
        Topology,
        all_processes,
        child_env,
        local_url,
        scaled_processes,
    )
    from bot.processes.supervisor import run_all

    settings = _settings()
    if scaled:
        _check_shared_state(settings)
    model = _model_to_serve(settings)
    if scaled:
        topology = Topology.around(
            settings, replicas, web_workers=web_workers, workers=workers, journal=1000
        )
        # A model staff choose on the Training page must reach each replica, not the balancer.
        settings = settings.with_overrides(
            rasa_replica_urls=tuple(local_url(port) for port in topology.rasa_ports)
        )
        specs = scaled_processes(settings, model, topology)
    else:
        specs = all_processes(settings, model)

    def ready() -> None:
        lines = ["", "The family text line is running:"] + [f"  {s.listens}" for s in specs]
        lines += [
            f"  Database        {mask_url(settings.database_url)}",
            '  Try it:         .venv/bin/bot sms try "hola, donde queda markham?"',
            "  Ctrl-C stops everything.",
            "",
        ]
        click.echo("\n".join(lines))

    sys.exit(run_all(specs, child_env(settings), ready))


def _model_to_serve(settings):
    """The model staff last chose on the Training page, or the project's (`bot train`)."""
    from bot.db import engine_for, session_factory
    from bot.nlu.review_training import active_model

    with session_factory(engine_for(settings.database_url))() as session:
        model = active_model(session, settings)
    if not model.exists():
        raise click.ClickException(f"no trained model at {model}: run `bot train` first")
    return model


def _check_shared_state(settings) -> None:
    # Replicas share conversations through PostgreSQL (Rasa's trackers) and Redis (its locks,
    # Huey's queue): on SQLite and in-memory stores each replica would have its own.
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL=postgresql://user@host:5432/family_line")
    if not settings.redis_url:
        problems.append("REDIS_URL=redis://host:6379/0")
    if problems:
        raise click.ClickException(
            "the scaled topology keeps conversations in PostgreSQL and Redis; set "
            + " and ".join(problems)
            + " (make run-scaled sets local ones)"
        )


def mask_url(url: str) -> str:
    """A database or Redis URL with its password hidden, for the console."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show nothing of it rather than a secret
        return "(set)"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, required=True, help="Where the balancer listens.")
@click.option("--upstream", "upstreams", multiple=True, required=True, help="A replica's URL.")
@click.option("--journal", default=0, show_default=True, help="Remember who served the last N.")
def balance(host: str, port: int, upstreams: tuple[str, ...], journal: int) -> None:
    """A small HTTP load balancer in front of Rasa or action server replicas (no nginx needed)."""
    from bot.processes.balancer import serve

    serve(host, port, list(upstreams), journal)


# --- SMS -----------------------------------------------------------------------------------


@main.group()
def sms() -> None:
    """Talk to the running line as a family would."""


@sms.command("try")
@click.argument("text")
@click.option("--from", "from_number", default="+13235550100", show_default=True)
@click.option(
    "--url", default=None, help="Webhook URL (default: http://127.0.0.1:$PORT/twilio/sms)"
)
def sms_try(text: str, from_number: str, url: str | None) -> None:
    """Send TEXT as a Twilio-signed SMS to the running web process and print the reply."""
    from bot.sms.inbound_request import send_signed_sms

    settings = _settings()
    if not settings.twilio_auth_token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set (run `bot env init`).")
    url = url or f"http://127.0.0.1:{settings.port}/twilio/sms"
    try:
        status, replies = send_signed_sms(url, settings.twilio_auth_token, from_number, text)
    except OSError as error:
        raise click.ClickException(
            f"cannot reach {url}: is `make run` running? ({error})"
        ) from None
    if status != 200:
        raise click.ClickException(f"{url} answered HTTP {status}")
    if not replies:
        click.echo("(no reply)")
    for reply in replies:
        click.echo(reply)


# --- staff accounts ------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Staff accounts for the console and the API."""


def _staff_session():
    from bot.db import engine_for, session_factory

    return session_factory(engine_for(_settings().database_url))()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line from stdin, for scripts:
        #   echo "$PASSWORD" | bot user create EMAIL --password-stdin
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["admin", "staff"]),
    default="staff",
    show_default=True,
    help="admin: staff accounts, data and broadcasts too; staff: conversations and sign-ups.",
)
@click.option("--name", default=None, help="How the console shows this person.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_create(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a console account for EMAIL (the password is asked for, or read from stdin)."""
    from bot.staff import audit
    from bot.staff.accounts import AccountError, create_user

    password = _read_password(password_stdin)
    with _staff_session() as session:
        try:
            account = create_user(session, email, password, role, name)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        audit.record(session, None, "staff_user.create", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"Created {role} account {account.email}. Log in at /console/login.")


def _account(session, email: str):
    from bot.staff.accounts import find_by_email

    account = find_by_email(session, email)
    if account is None:
        raise click.ClickException(f"There is no account for {email}.")
    return account


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL (and unlock it)."""
    from bot.staff import audit
    from bot.staff.accounts import AccountError, set_password

    with _staff_session() as session:
        account = _account(session, email)
        try:
            set_password(account, _read_password(password_stdin))
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        audit.record(session, None, "staff_user.password", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"New password set for {account.email}.")


@user.command("unlock")
@click.argument("email")
def user_unlock(email: str) -> None:
    """Unlock EMAIL after too many wrong passwords."""
    from bot.staff import audit
    from bot.staff.accounts import unlock

    with _staff_session() as session:
        account = _account(session, email)
        unlock(session, account.email)
        audit.record(session, None, "staff_user.unlock", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"{account.email} is unlocked.")


@user.command("token")
@click.argument("email")
def user_token(email: str) -> None:
    """Make a new API token for EMAIL (the old one stops working); printed once."""
    from bot.staff import audit
    from bot.staff.accounts import issue_api_token

    with _staff_session() as session:
        account = _account(session, email)
        token = issue_api_token(account)
        audit.record(session, None, "staff_user.api_token", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(token)
    click.echo(
        "Send it as 'Authorization: Bearer <token>' to /api. It is not shown again.", err=True
    )


@user.command("list")
def user_list() -> None:
    """Every account, its role and whether it is active or locked."""
    from sqlalchemy import select

    from bot.models import StaffUser
    from bot.staff.accounts import is_locked

    with _staff_session() as session:
        for account in session.execute(select(StaffUser).order_by(StaffUser.email)).scalars():
            state = "active" if account.active else "switched off"
            if is_locked(session, account.email):
                state += ", locked"
            click.echo(f"{account.email}\t{account.role}\t{state}")


# --- NLU training data ---------------------------------------------------------------------


@main.group()
def nlu() -> None:
    """The bot's training data."""


@nlu.command("corrections")
@click.option(
    "--dir",
    "nlu_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Training data folder (default: the project's nlu_data).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; change nothing.")
def nlu_corrections(nlu_dir: Path | None, dry_run: bool) -> None:
    """Write staff corrections from the console into nlu_data/<lang>/corrections.yml."""
    from bot.db import engine_for, session_factory, session_scope
    from bot.models import utcnow
    from bot.nlu.corrections import export_corrections
    from bot.nlu.training import PROJECT

    nlu_dir = nlu_dir or PROJECT / "nlu_data"
    sessions = session_factory(engine_for(_settings().database_url))
    with session_scope(sessions) as session:
        summary = export_corrections(session, nlu_dir, utcnow(), dry_run=dry_run)
    verb = "Would add" if dry_run else "Added"
    for language, by_intent in sorted(summary.written.items()):
        for intent, count in sorted(by_intent.items()):
            plural = "s" if count != 1 else ""
            click.echo(f"{verb} {count} example{plural} to {intent} ({language})")
    for skipped in summary.skipped:
        click.echo(
            f"Skipped message {skipped.message_id} ({skipped.language}, {skipped.intent}): "
            f"{skipped.reason}"
        )
    if not summary.files:
        click.echo("No new corrections to write." if not summary.skipped else "Nothing written.")
        return
    files = ", ".join(str(path) for path in summary.files)
    if dry_run:
        click.echo(f"Would write {files}. Nothing was changed.")
        return
    click.echo(f"Wrote {files}.")
    click.echo(
        "Next: review the changes (git diff nlu_data), remove anything personal, then run "
        "`bot train` and `make nlu-eval` to compare the new model with the old one."
    )


# --- broadcasts ----------------------------------------------------------------------------


@main.group()
def broadcast() -> None:
    """Announcements to many families at once: preview, send, follow, pause, cancel."""


AUDIENCE_HELP = (
    "Who gets it: everyone | school:SLUG | neighborhood:SLUG | language:en|es | session:ID "
    "| list:FILE (a CSV or text file of numbers)."
)


def _audience(session, to: str, waitlist: bool):
    from bot.broadcasting.audience import Audience, AudienceError, parse_numbers

    kind, _, value = to.partition(":")
    data: dict = {"kind": kind}
    try:
        if kind in ("school", "neighborhood", "language"):
            data[kind] = value
        elif kind == "session":
            if not value.isdigit():
                raise AudienceError("Give the session's number: session:12 (see the console).")
            data.update(session_id=int(value), include_waitlist=waitlist)
        elif kind == "list":
            path = Path(value)
            if not path.is_file():
                raise AudienceError(f"There is no file {value!r}.")
            return Audience.from_list(parse_numbers(path.read_bytes()))
        return Audience.parse(data, session=session)
    except AudienceError as error:
        raise click.ClickException(str(error)) from None


def _print_preview(result) -> None:
    from bot.text.languages import name_of

    click.echo(f"To: {result.audience}: {_families(result.recipients)}")
    skipped = result.exclusions
    if skipped.total or skipped.rejected:
        click.echo(
            f"Left out: {skipped.opted_out:,} opted out, {skipped.invalid:,} invalid numbers, "
            f"{skipped.duplicates:,} repeated; {len(skipped.rejected):,} lines were no number"
        )
    for figures in result.by_language.values():
        click.echo(
            f"{name_of(figures.language)}: {_families(figures.recipients)}, "
            f"{figures.characters} characters, "
            f"{figures.segments} segment{'s' if figures.segments != 1 else ''} "
            f"({figures.encoding}), ${figures.cost:,.2f}"
        )
    click.echo(f"Cost: ${result.total_cost:,.2f} at ${result.price_per_segment} a segment")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}")


def _broadcast_options(command):
    for option in reversed(
        [
            click.option("--en", "english", default="", help="The English text."),
            click.option("--es", "spanish", default="", help="The Spanish text."),
            click.option("--to", "to", required=True, help=AUDIENCE_HELP),
            click.option(
                "--waitlist", is_flag=True, help="With session:ID, the waitlist gets it too."
            ),
        ]
    ):
        command = option(command)
    return command


@broadcast.command("preview")
@_broadcast_options
def broadcast_preview(english: str, spanish: str, to: str, waitlist: bool) -> None:
    """Who would get it, segments per language and cost; sends nothing."""
    from bot.broadcasting.compose import ComposeError, clean_texts, preview_for

    settings = _settings()
    with _staff_session() as session:
        audience = _audience(session, to, waitlist)
        try:
            result = preview_for(
                session, clean_texts({"en": english, "es": spanish}), audience, settings
            )
        except ComposeError as error:
            raise click.ClickException(str(error)) from None
        session.rollback()  # a list's new numbers are not kept by a preview
    _print_preview(result)


def _local_time(text: str):
    from bot.broadcasting.compose import ComposeError, parse_when

    try:
        return parse_when(text)
    except ComposeError as error:
        raise click.ClickException(f"--at must be a Los Angeles time: {error}") from None


@broadcast.command("send")
@_broadcast_options
@click.option("--title", default=None, help="Your label for it in the history.")
@click.option("--at", "at", default=None, help="Send later: Los Angeles time, 2026-12-01 09:00.")
@click.option("--urgent", is_flag=True, help="Send outside the send window (SEND_WINDOW) too.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def broadcast_send(
    english: str,
    spanish: str,
    to: str,
    waitlist: bool,
    title: str | None,
    at: str | None,
    urgent: bool,
    yes: bool,
) -> None:
    """Send now (or --at a time): the workers send at SEND_RATE_PER_SECOND."""
    from bot.broadcasting import service
    from bot.broadcasting.compose import ComposeError, clean_texts, preview_for
    from bot.worker import build_huey

    settings = _settings()
    when = _local_time(at) if at else None
    with _staff_session() as session:
        audience = _audience(session, to, waitlist)
        texts = {"en": english, "es": spanish}
        try:
            previewed = preview_for(session, clean_texts(texts), audience, settings)
            _print_preview(previewed)
            if not yes:
                click.confirm("Send it?", abort=True)
            created = service.create_broadcast(
                session,
                build_huey(settings),
                settings,
                service.Actor(None, "cli"),
                texts,
                audience,
                title=title,
                scheduled_at=when,
                urgent=urgent,
                previewed_families=previewed.recipients,
            )
        except ComposeError as error:
            raise click.ClickException(str(error)) from None
        broadcast_id = created.broadcast.id
    if created.started:
        click.echo(
            f"Broadcast {broadcast_id} is sending. Follow it: bot broadcast status {broadcast_id}"
        )
        if created.queued is False:
            click.echo(QUEUE_LATE)
        _say_if_quiet_hours(created.quiet_until)
    else:
        click.echo(f"Broadcast {broadcast_id} is scheduled for {at} (Los Angeles time).")


# What the operator is told when the send queue (Redis, or Huey's SQLite file) did not answer.
QUEUE_LATE = "The send queue did not answer: the worker starts sending within a minute or two."


def _find_broadcast(session, broadcast_id: int):
    from bot.models import Broadcast

    found = session.get(Broadcast, broadcast_id)
    if found is None:
        raise click.ClickException(f"There is no broadcast {broadcast_id}.")
    return found


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
def broadcast_status(broadcast_id: int) -> None:
    """Progress of one broadcast: queued, sent, delivered, failed (by error code and language)."""
    from bot.broadcasting.compose import BUCKET_ORDER, report
    from bot.broadcasting.service import quiet_until

    with _staff_session() as session:
        found = _find_broadcast(session, broadcast_id)
        progress = report(session, found)
    click.echo(f"Broadcast {found.id} ({found.title or 'no title'}): {found.state}")
    click.echo(_families(progress.total))
    for bucket in BUCKET_ORDER:
        count = progress.buckets.get(bucket, 0)
        click.echo(
            f"  {bucket.replace('_', ' '):<10} {count:>8,}  {progress.percent(bucket):5.1f}%"
        )
    for code, count in progress.failures_by_code:
        click.echo(f"  failed with error {code}: {count:,}")
    for language, count in progress.failures_by_language.items():
        click.echo(f"  failed in {language}: {count:,}")
    if found.state == "sending" and progress.buckets.get("queued"):
        _say_if_quiet_hours(quiet_until(_settings(), found))


def _families(count: int) -> str:
    return f"{count:,} famil{'y' if count == 1 else 'ies'}"


def _say_if_quiet_hours(held) -> None:
    """Tells the operator when the texts wait for SEND_WINDOW (the console says it too)."""
    from bot.text.dates import day_and_time

    if held is not None:
        click.echo(
            f"It is quiet hours: the texts wait until {day_and_time(held, 'en')} "
            "(Los Angeles time). Only an urgent broadcast (--urgent) goes out now."
        )


def _change_state(broadcast_id: int, change: str) -> None:
    from bot.broadcasting import sending, service
    from bot.worker import build_huey

    settings = _settings()
    done = service.CHANGES[change][1]
    with _staff_session() as session:
        found = _find_broadcast(session, broadcast_id)
        try:
            changed = service.change_broadcast(
                session, build_huey(settings), service.Actor(None, "cli"), found, change
            )
        except sending.BroadcastStateError:
            raise click.ClickException(
                f"Broadcast {broadcast_id} is {found.state}: it cannot be {done}."
            ) from None
    click.echo(f"Broadcast {broadcast_id}: {done}.")
    if changed.queued is False:
        click.echo(QUEUE_LATE)


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
def broadcast_pause(broadcast_id: int) -> None:
    """Stop sending for now (texts on their way still go)."""
    _change_state(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
def broadcast_resume(broadcast_id: int) -> None:
    """Go on sending a paused broadcast."""
    _change_state(broadcast_id, "resume")


@broadcast.command("cancel")
@click.argument("broadcast_id", type=int)
def broadcast_cancel(broadcast_id: int) -> None:
    """Stop for good: no family still waiting gets it."""
    _change_state(broadcast_id, "cancel")


@broadcast.command("list")
def broadcast_list() -> None:
    """The latest broadcasts and their state."""
    from bot.broadcasting.history import history

    with _staff_session() as session:
        latest, _ = history(session, 30)
        for found in latest:
            click.echo(
                f"{found.id}\t{found.state}\t{_families(found.recipients or 0)}\t"
                f"{found.title or (found.texts or {}).get('es', '')[:40]}"
            )


# --- a family's data -----------------------------------------------------------------------


@main.group()
def family() -> None:
    """What the line holds about one family: hand it over, or forget it (docs/privacy.md)."""


def _sessions(settings):
    from bot.db import engine_for, session_factory

    return session_factory(engine_for(settings.database_url))


def _find_family(session, number: str):
    from bot.privacy.family_records import FamilyNotFound, find_family

    try:
        return find_family(session, number)
    except FamilyNotFound as error:
        raise click.ClickException(str(error)) from None


def _write_private(path: Path, text: str) -> None:
    import os

    # Readable by the operator's account only: it is a family's whole history with the line.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror}.") from None


@family.command("export")
@click.argument("number")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON to this file (readable by you only) instead of printing it.",
)
def family_export(number: str, out: Path | None) -> None:
    """Everything the line holds about the family at NUMBER, as JSON."""
    import json

    from bot.privacy.family_records import export_family
    from bot.staff import audit
    from bot.text.phone import mask

    with _sessions(_settings())() as session:
        contact = _find_family(session, number)
        text = json.dumps(export_family(session, contact), ensure_ascii=False, indent=2) + "\n"
        if out:
            _write_private(out, text)
        else:
            click.echo(text, nl=False)
        audit.record_cli(
            session,
            "family.export",
            "contact",
            contact.id,
            phone=mask(contact.phone),
            to="file" if out else "screen",
        )
        session.commit()
    if out:
        click.echo(f"Wrote everything the line holds about {contact.phone} to {out}.", err=True)


def _rasa_warning(error: str) -> None:
    click.echo(
        f"Warning: {error}. Rasa may still hold this family's conversation (under a random id, "
        "never the number). Run this command again once Rasa is up, or let the daily retention "
        "purge do it.",
        err=True,
    )


def _finish_earlier_forgets(session, settings):
    """Empties Rasa's copy left by earlier forgets while Rasa was down (TrackerOutcome)."""
    from bot.privacy.family_records import clear_pending_trackers

    earlier = clear_pending_trackers(session, settings, via="cli")
    if earlier.cleared:
        families = "family" if earlier.cleared == 1 else "families"
        click.echo(
            f"Emptied Rasa's copy of the conversations of {earlier.cleared} {families} "
            "forgotten while Rasa was down."
        )
    return earlier


def _say_what_is_held(phone: str, held) -> None:
    from dataclasses import replace

    phrases = replace(held, families=0, opt_out_records=0).phrases()
    click.echo(
        f"The line holds about {phone}: {', '.join(phrases)}, and the contact itself."
        if phrases
        else f"The line holds the contact {phone} and nothing more."
    )
    if held.opt_out_records:
        click.echo(
            "This number opted out: the number and its opt-out record stay, so it is never "
            "texted again. Everything else goes."
        )


@family.command("forget")
@click.argument("number")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def family_forget(number: str, yes: bool) -> None:
    """Remove everything the line holds about the family at NUMBER.

    A number that ever opted out keeps its opt-out record, so it is never texted again."""
    from dataclasses import replace

    from bot.privacy.family_records import (
        FamilyNotFound,
        clear_pending_trackers,
        find_family,
        forget_contacts,
        mark_trackers_pending,
        what_forgetting_removes,
    )
    from bot.staff import audit
    from bot.text.phone import mask

    settings = _settings()
    with _sessions(settings)() as session:
        earlier = _finish_earlier_forgets(session, settings)
        try:
            contact = find_family(session, number)
        except FamilyNotFound as error:
            if earlier.cleared and not earlier.error:
                # The run an earlier warning asked for: nothing else is left.
                click.echo(f"The line holds nothing else about {number}.")
                return
            if earlier.error:
                _rasa_warning(earlier.error)
            raise click.ClickException(str(error)) from None
        contact_id, phone = contact.id, contact.phone
        _say_what_is_held(phone, what_forgetting_removes(session, contact))
        if not yes:
            click.confirm("Forget this family? It cannot be undone.", abort=True)
        removed, public_ids = forget_contacts(session, [contact_id])
        audit.record_cli(
            session, "family.forget", "contact", contact_id, phone=mask(phone), **removed.counts()
        )
        mark_trackers_pending(session, public_ids, via="cli")
        session.commit()
        gone = replace(removed, families=0, opt_out_records=0).phrases()
        click.echo(f"Forgot the family at {phone}" + (f": {', '.join(gone)}." if gone else "."))
        if removed.opt_out_records:
            click.echo("Kept only the number and its opt-out record, so it is never texted again.")
        rasa = clear_pending_trackers(session, settings, via="cli")
    if rasa.error:
        _rasa_warning(rasa.error)
    else:
        click.echo("Rasa's copy of its conversation is emptied too.")


# --- retention -----------------------------------------------------------------------------


@main.group()
def retention() -> None:
    """How long the line keeps families' data (RETENTION_DAYS; docs/privacy.md)."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Remove now what is older than RETENTION_DAYS (the worker does it daily at 03:30)."""
    from bot.privacy.retention import audit_detail, purge
    from bot.privacy.retention import dry_run as count_only
    from bot.staff import audit

    settings = _settings()
    if not settings.retention_days:
        click.echo("RETENTION_DAYS is 0: the line keeps everything, so nothing is purged.")
        return
    sessions = _sessions(settings)
    if dry_run:
        report = count_only(sessions, settings)
    else:
        report = purge(sessions, settings)
        with sessions() as session:
            audit.record_cli(session, "retention.purge", **audit_detail(report))
            session.commit()
    for line in report.lines():
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
