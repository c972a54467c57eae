"""`bot`: everything an operator does, from the command line. Errors are one clear line, exit 1."""

from __future__ import annotations

import logging
import secrets
import sys
from pathlib import Path

import click

from .config import ConfigError, load_settings


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


@env.command("init")
@click.option("--path", default=".env", type=click.Path(dir_okay=False, path_type=Path))
def env_init(path: Path) -> None:
    """Write a .env for local use from .env.example, with fresh local secrets."""
    if path.exists():
        click.echo(f"{path} already exists; leaving it as it is.")
        return
    example = Path(".env.example").read_text(encoding="utf-8")
    text = example.replace("SECRET_KEY=", f"SECRET_KEY={secrets.token_urlsafe(32)}", 1).replace(
        "TWILIO_AUTH_TOKEN=", f"TWILIO_AUTH_TOKEN=local-{secrets.token_hex(16)}", 1
    )
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path} with a random SECRET_KEY and a local-only TWILIO_AUTH_TOKEN.")


# --- database ------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema and seed data."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    from sqlalchemy.exc import OperationalError

    from .migrate import upgrade

    settings = _settings()
    try:
        upgrade(settings.database_url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig}") from None
    click.echo("Database is up to date.")


@db.command("seed")
@click.option("--dir", "seed_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def db_seed(seed_dir: Path | None) -> None:
    """Load seed/*.yaml (schools, programs, sessions, events). Safe to run again."""
    from .db import engine_for, session_factory, session_scope
    from .seed import SEED_DIR, SeedError, seed_database

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
    from .training import ensure_model, model_path

    target = model_path()
    if target.exists():
        click.echo(f"Model is current: {target}")
        return
    click.echo(f"Training {target.name} (about a minute)…")
    click.echo(f"Model ready: {ensure_model()}")


# --- processes -----------------------------------------------------------------------------


@main.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the background worker (Huey consumer)."""
    from .worker import run_worker

    run_worker(_settings(), workers=workers)


@main.command()
def run() -> None:
    """Start web, Rasa server, action server and worker in the foreground. Ctrl-C stops all."""
    from .processes import all_processes, child_env
    from .supervisor import run_all
    from .training import model_path

    settings = _settings()
    model = model_path()
    if not model.exists():
        raise click.ClickException(f"no trained model at {model}: run `bot train` first")
    specs = all_processes(settings, model)

    def ready() -> None:
        lines = ["", "The family text line is running:"] + [f"  {s.listens}" for s in specs]
        lines += [
            f"  Database        {settings.database_url}",
            '  Try it:         .venv/bin/bot sms try "hola, donde queda markham?"',
            "  Ctrl-C stops everything.",
            "",
        ]
        click.echo("\n".join(lines))

    sys.exit(run_all(specs, child_env(settings), ready))


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
    from .sms_try import send_signed_sms

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
