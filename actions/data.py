"""Database sessions for actions, from the same settings as the web process, made on first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope


@lru_cache(maxsize=1)
def _sessions() -> sessionmaker:
    return session_factory(engine_for(load_settings().database_url))


@contextmanager
def db_session() -> Iterator[Session]:
    with session_scope(_sessions()) as session:
        yield session
