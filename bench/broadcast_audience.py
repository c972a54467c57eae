"""The families a benchmark broadcast goes to: a migrated, seeded database loaded by COPY with that
many textable families (about 60% Spanish, some without a language, most with a school), plus
2% opted-out and invalid numbers the audience must leave out."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timezone

from sqlalchemy import select

from bench.postgres_copy import copy_lines
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.models import School


def prepare_database(url: str, families: int) -> tuple[int, float]:
    """Migrates, seeds and loads the families; returns (contacts loaded, seconds)."""
    upgrade(url)
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)
    started = time.monotonic()
    loaded = load_contacts(url, families)
    return loaded, time.monotonic() - started


def contact_lines(families: int, school_ids: list[int], seed: int = 7) -> Iterator[str]:
    """`families` textable contacts, then 1% opted out and 1% with an invalid number (the
    audience leaves those out, so the broadcast has exactly `families` recipients)."""
    import random

    rng = random.Random(seed)
    now = datetime.now(timezone.utc).isoformat()
    extras = max(1, families // 100)
    for index in range(families + 2 * extras):
        roll = rng.random()
        language = "es" if roll < 0.58 else ("en" if roll < 0.95 else "\\N")
        source = "\\N" if language == "\\N" else rng.choice(("explicit", "detected"))
        school = str(rng.choice(school_ids)) if school_ids and rng.random() < 0.7 else "\\N"
        opted_out = "t" if families <= index < families + extras else "f"
        valid = "f" if index >= families + extras else "t"
        phone = f"+1323{2000000 + index:07d}" if valid == "t" else f"323-55-{index:07d}"
        yield (
            f"{secrets.token_hex(16)}\t{phone}\t{valid}\t{language}\t{source}\t{school}\t"
            f"{opted_out}\t{now}\n"
        )


def load_contacts(url: str, families: int, chunk: int = 50_000) -> int:
    with session_scope(session_factory(engine_for(url))) as session:
        school_ids = list(session.execute(select(School.id)).scalars())
    raw = engine_for(url).raw_connection()
    loaded = 0
    try:
        cursor = raw.cursor()
        lines: list[str] = []
        for line in contact_lines(families, school_ids):
            lines.append(line)
            if len(lines) >= chunk:
                loaded += _copy_contacts(cursor, lines)
                lines = []
        loaded += _copy_contacts(cursor, lines)
        raw.commit()
        # A table of 100,000 families on a live line has its statistics (autovacuum).
        cursor.execute("ANALYZE contact")
        raw.commit()
    finally:
        raw.close()
    return loaded


def _copy_contacts(cursor, lines: list[str]) -> int:
    if lines:
        columns = "public_id, phone, phone_valid, language, language_source, school_id, "
        columns += "opted_out, created_at"
        copy_lines(cursor, "contact", columns, lines)
    return len(lines)
