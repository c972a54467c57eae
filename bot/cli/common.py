"""What every `bot` command needs: the settings, or one clear line when they are wrong, and a
database session."""

from __future__ import annotations

import click

from bot.config import ConfigError, Settings, load_settings


def read_settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def sessions_for(settings: Settings):
    """A session factory on the settings' database."""
    from bot.db import engine_for, session_factory

    return session_factory(engine_for(settings.database_url))


def staff_session():
    """One session on the configured database, for a command that reads or changes a few rows."""
    return sessions_for(read_settings())()
