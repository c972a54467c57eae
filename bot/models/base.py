"""Declarative base and column helpers shared by every model."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, MetaData
from sqlalchemy.orm import declarative_base

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


def created_at(index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, index=index)


def updated_at() -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


def translated(nullable: bool = False) -> Column:
    """Text in several languages as {"en": ..., "es": ...}; pick with bot.texts.pick()."""
    return Column(JSON, nullable=nullable, default=dict)
