"""Database sessions for actions, from the same settings as the web process, made on first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope

# Set by use_database() (tests, tools); None means the configured DATABASE_URL.
_chosen_url: str | None = None


def use_database(url: str | None) -> None:
    """Point every action at the database at `url`; None goes back to the configured one."""
    global _chosen_url
    _chosen_url = url


@lru_cache(maxsize=1)
def _configured_url() -> str:
    return load_settings().database_url


@lru_cache(maxsize=4)
def _sessions(url: str) -> sessionmaker:
    return session_factory(engine_for(url))


@contextmanager
def db_session() -> Iterator[Session]:
    with session_scope(_sessions(_chosen_url or _configured_url())) as session:
        yield session
