"""Fresh databases for tests: a SQLite file always, PostgreSQL at 127.0.0.1:5432 where reachable."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def postgres_unreachable_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why not, for the skip message."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means: not usable here
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {type(error).__name__}"


@contextmanager
def fresh_postgres_database(admin_url: str = POSTGRES_ADMIN_URL, prefix: str = "family_line_test_"):
    """A new, empty database (for one test, or one benchmark run), dropped afterwards."""
    name = prefix + secrets.token_hex(6)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(name, admin_url)


def drop_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    """Drops the database `name` if it exists, ending whatever is still connected to it."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


class SqliteTemplates:
    """A migrated and a seeded SQLite database made once per test run and copied into each
    test's file: migrating and seeding anew took a quarter of a second per test. (PostgreSQL
    keeps migrating each fresh database: there a CREATE DATABASE … TEMPLATE costs as much as
    the migration it saves.)"""

    def __init__(self, folder: Path, build: Callable[[str, str], None]):
        self._folder = folder
        self._build = build  # (url, stage): migrates, and seeds for "seeded"
        self._made: dict[str, Path] = {}

    def restore(self, url: str, stage: str) -> bool:
        """Makes the SQLite database at `url` a copy of the template of `stage` (nothing may be
        connected to it); False for another database, which the caller builds itself."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return False
        if stage not in self._made:
            path = self._folder / f"{stage}.db"
            self._build(f"sqlite:///{path}", stage)
            self._made[stage] = path
        shutil.copyfile(self._made[stage], parsed.database)
        return True
