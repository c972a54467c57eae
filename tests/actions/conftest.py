"""Fixtures for calling Rasa custom actions directly, on a real migrated and seeded database."""

from __future__ import annotations

import pytest

from actions import data
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade


@pytest.fixture
def action_db(sqlite_url):
    """A fresh SQLite database, migrated and seeded, that every action reads and writes for the
    length of the test. Returns a sessionmaker on it, to arrange data or check what was written."""
    upgrade(sqlite_url)
    sessions = session_factory(engine_for(sqlite_url))
    with session_scope(sessions) as session:
        seed_database(session)
    data.use_database(sqlite_url)
    yield sessions
    data.use_database(None)


def archive_session(sessions, slug: str) -> None:
    """Sets one seeded Parent College session aside, as staff archiving it would."""
    from sqlalchemy import update

    from bot.models import ParentCollegeSession

    with sessions() as session:
        session.execute(
            update(ParentCollegeSession)
            .where(ParentCollegeSession.slug == slug)
            .values(archived=True)
        )
        session.commit()


def set_school_facts(sessions, slug: str, **values) -> None:
    """Gives one seeded school facts, confirmed (no longer placeholders), as staff would."""
    from sqlalchemy import select

    from bot.models import School

    with sessions() as session:
        school = session.execute(select(School).filter_by(slug=slug)).scalar_one()
        for name, value in values.items():
            setattr(school, name, value)
        school.placeholders = [p for p in school.placeholders if p not in values]
        session.commit()
