"""Delivery rows for a broadcast: one per recipient, created inside the database with
INSERT ... SELECT, so 100,000 families cost one statement and no memory in the worker.

Running it again adds nothing (a worker that died half-way simply runs it again): rows that
exist are skipped by NOT EXISTS, and a concurrent run's rows by ON CONFLICT DO NOTHING on the
(broadcast_id, contact_id) unique constraint."""

from __future__ import annotations

from sqlalchemy import Integer, String, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.broadcasting.audience import (
    LIST,
    Audience,
    chunks,
    ensure_list_contacts,
    insert_skipping_conflicts,
)
from bot.broadcasting.preview import texts_present
from bot.broadcasting.recipients import recipients
from bot.models import Broadcast, Delivery, UtcDateTime, utcnow
from bot.text.languages import choose

# Numbers of an uploaded list per statement (SQLite takes some 30,000 bound values at once).
LIST_CHUNK = 5000


def create_deliveries(
    session: Session, broadcast: Broadcast, default_language: str, chunk: int = LIST_CHUNK
) -> int:
    """Adds a "pending" Delivery for every recipient of the broadcast that has none yet, in the
    language of the text they will get (their own, else the other one), and sets
    broadcast.recipients to how many rows the broadcast now has. Returns how many were added.
    A list audience first becomes contacts, `chunk` numbers at a time."""
    present = texts_present(broadcast.texts)
    audience = Audience.parse(broadcast.audience)
    session.flush()  # the broadcast's id, and any contact the caller just added
    added = 0
    if audience.kind == LIST:
        for part in chunks(audience.numbers, chunk):
            ensure_list_contacts(session, part, chunk=chunk)
            rows = recipients(session, audience, default_language, phones=part)
            added += _insert(session, broadcast.id, rows, present, default_language)
    else:
        rows = recipients(session, audience, default_language)
        added = _insert(session, broadcast.id, rows, present, default_language)
    broadcast.recipients = session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.broadcast_id == broadcast.id)
    )
    session.flush()
    return added


def _insert(
    session: Session,
    broadcast_id: int,
    rows: Select,
    present: list[str],
    default_language: str,
) -> int:
    recipient = rows.subquery()
    # Everyone reads a language that has a text: fallback is fixed for the whole broadcast.
    fallback = choose(None, present, default_language)
    language = case((recipient.c.language.in_(present), recipient.c.language), else_=fallback)
    already = (
        select(Delivery.id)
        .where(Delivery.broadcast_id == broadcast_id)
        .where(Delivery.contact_id == recipient.c.contact_id)
        .exists()
    )
    now = utcnow()
    new_rows = select(
        literal(broadcast_id, Integer),
        recipient.c.contact_id,
        recipient.c.phone,
        language,
        literal(Delivery.STATUS_PENDING, String),
        literal(0, Integer),
        literal(now, UtcDateTime()),
        literal(now, UtcDateTime()),
    ).where(~already)
    columns = [
        Delivery.broadcast_id,
        Delivery.contact_id,
        Delivery.phone,
        Delivery.language,
        Delivery.status,
        Delivery.attempts,
        Delivery.created_at,
        Delivery.updated_at,
    ]
    statement = insert_skipping_conflicts(session, Delivery.__table__).from_select(
        columns, new_rows, include_defaults=False
    )
    # SQLAlchemy 2.1 counts the rows of an INSERT only when asked (it does for UPDATE and DELETE).
    return session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
