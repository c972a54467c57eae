"""`bot db upgrade` on a new deployment: the PostgreSQL database is made when it is missing."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.migrate import create_database_if_missing
from tests.support.databases import POSTGRES_ADMIN_URL, postgres_unreachable_reason

pytestmark = pytest.mark.postgres


def test_a_missing_database_is_created_once(tmp_path):
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    name = "family_line_new_" + secrets.token_hex(4)
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        assert create_database_if_missing(url) is True
        assert create_database_if_missing(url) is False
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
        assert found is not None
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_sqlite_needs_nothing_made(tmp_path):
    assert create_database_if_missing(f"sqlite:///{tmp_path / 'line.db'}") is False
