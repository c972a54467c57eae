"""Alembic driven from code, so `bot db upgrade` works from any directory without an alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


# Built by a migration only where the database allows it (0004's trigram index needs pg_trgm),
# so the models do not declare it. SQLAlchemy 2 reads it back from PostgreSQL; comparing the
# models with a database (autogenerate, tests/integration/test_migrations.py) leaves it alone.
UNDECLARED_INDEXES = frozenset({"ix_message_family_body_trgm"})


def declared_in_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: False for an index the models leave to a migration."""
    return not (type_ == "index" and reflected and name in UNDECLARED_INDEXES)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may contain it (encoded passwords).
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def create_database_if_missing(database_url: str) -> bool:
    """On PostgreSQL, creates the URL's database when the server has none by that name (a new
    deployment); True if it did. SQLite files are made on first use anyway."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or not url.database:
        return False
    # CREATE DATABASE cannot run in a transaction, nor while connected to that database.
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
            if exists:
                return False
            quoted = connection.dialect.identifier_preparer.quote(url.database)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        server.dispose()


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def make_revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
