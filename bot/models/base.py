"""Declarative base and column helpers shared by every model."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, MetaData
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from bot.text.dates import utc

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """A moment stored in UTC and always read back with its zone.

    PostgreSQL keeps the zone; SQLite keeps none and hands every stored time back naive. Without
    this type each reader re-attached UTC by hand (and a forgotten one compared a naive time with
    an aware one and failed). A naive time given to it is taken as UTC, as everywhere here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return utc(value)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return utc(value)


def created_at(index: bool = False) -> Column:
    return Column(UtcDateTime(), nullable=False, default=utcnow, index=index)


def updated_at() -> Column:
    return Column(UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


def translated(nullable: bool = False) -> Column:
    """Text in several languages as {"en": ..., "es": ...}; pick with bot.texts.pick()."""
    return Column(JSON, nullable=nullable, default=dict)
