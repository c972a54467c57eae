"""Every stored moment comes back in UTC with its zone, on SQLite (which keeps no zone) as on
PostgreSQL, so no reader re-attaches it by hand (bot/models/base.py, UtcDateTime)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.models import Contact
from bot.text.dates import LOCAL_TZ

NOON_UTC = datetime(2026, 3, 9, 12, 0, tzinfo=timezone.utc)


def _stored(sessions, phone: str, moment: datetime) -> datetime:
    with sessions() as session:
        session.add(Contact(phone=phone, language="es", last_seen_at=moment))
        session.commit()
    with sessions() as session:
        return session.execute(select(Contact.last_seen_at).filter_by(phone=phone)).scalar_one()


def test_a_moment_comes_back_aware_and_in_utc(sessions):
    back = _stored(sessions, "+13235550901", NOON_UTC)
    assert back == NOON_UTC and back.utcoffset() == timedelta(0)


def test_a_los_angeles_time_is_stored_as_the_same_instant(sessions):
    morning_in_la = NOON_UTC.astimezone(LOCAL_TZ)  # 5 a.m. PDT
    back = _stored(sessions, "+13235550902", morning_in_la)
    assert back == NOON_UTC and back.utcoffset() == timedelta(0)


def test_a_naive_time_is_taken_as_utc(sessions):
    assert _stored(sessions, "+13235550903", NOON_UTC.replace(tzinfo=None)) == NOON_UTC


def test_an_aggregate_of_moments_is_aware_too(sessions):
    _stored(sessions, "+13235550904", NOON_UTC)
    _stored(sessions, "+13235550905", NOON_UTC + timedelta(hours=1))
    with sessions() as session:
        latest = session.scalar(select(func.max(Contact.last_seen_at)))
    assert latest == NOON_UTC + timedelta(hours=1) and latest.tzinfo is not None
