"""`bot env` and `bot db`: a machine's .env, the database's tables and its seed data."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import click

from bot.cli.common import read_settings


@click.group()
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


@click.group()
def db() -> None:
    """Database schema and seed data."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    from sqlalchemy.exc import OperationalError

    from bot.migrate import create_database_if_missing, upgrade

    settings = read_settings()
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

    settings = read_settings()
    try:
        with session_scope(session_factory(engine_for(settings.database_url))) as session:
            report = seed_database(session, seed_dir or SEED_DIR)
    except SeedError as error:
        raise click.ClickException(f"seed data not loaded, nothing changed: {error}") from None
    click.echo(f"Seeded: {report.summary()}")
