"""Database engine and sessions. Engines are made on demand from a URL, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web, action server and worker
    # read while one of them writes, which the embedded default depends on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs the log at checkpoints instead of at every commit: a crash of the
    # app loses nothing, only a power cut or OS crash may lose the last commits (never corrupts
    # the file). Each inbound message commits twice, so a full fsync each time was most of the
    # database's cost under load (bench/webhook_load.py).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # SQLite's lower() folds A-Z only; searches need "INSCRIPCIÓN" to find "inscripción".
    dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A process holds a connection per busy thread (gunicorn's WEB_THREADS, a worker's lanes):
    # a pool smaller than that opens and closes connections all the time under load, which
    # costs PostgreSQL more CPU than the queries. Ten kept, more while busy.
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=40)


@lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    """One engine (one pool) per URL per process."""
    return make_engine(database_url)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """A session committed when the block ends normally, rolled back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
