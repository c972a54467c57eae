import shutil

import pytest
from sqlalchemy import func, select

from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import SEED_DIR, SeedError, seed_database
from bot.models import Organization, ParentCollegeSession, Program, School


def _counts(session):
    return {
        model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Organization, School, Program, ParentCollegeSession)
    }


def test_seeding_twice_changes_nothing(migrated_db):
    sessions = session_factory(engine_for(migrated_db))
    with session_scope(sessions) as session:
        first = seed_database(session)
        counts = _counts(session)
    with session_scope(sessions) as session:
        second = seed_database(session)
        assert _counts(session) == counts
    assert first.created and not first.updated
    assert second.updated == first.created and not second.created


def test_the_partnership_as_publicly_known(seeded_db):
    with session_scope(session_factory(engine_for(seeded_db))) as session:
        office = session.execute(select(Organization)).scalar_one()
        assert office.address == "1541 Wilshire Blvd, Suite 200, Los Angeles, CA 90017"
        assert "phone" in office.placeholders and office.phone is None
        schools = {s.slug: s for s in session.execute(select(School)).scalars()}
        for slug in ("markham", "gompers", "stevenson", "mendez", "jordan", "roosevelt", "mstma"):
            assert slug in schools
        assert schools["mstma"].campus_of.slug == "roosevelt"
        assert schools["markham"].neighborhood.name == "Watts"
        # Unknown facts are marked, never invented.
        assert schools["jordan"].phone is None and "phone" in schools["jordan"].placeholders
        programs = {p.slug for p in session.execute(select(Program)).scalars()}
        assert {"parent-college", "students-connected", "st-math", "achieve3000"} <= programs
        pc = session.execute(select(ParentCollegeSession)).scalars().all()
        assert len(pc) >= 3 and all(s.title["es"] and s.title["en"] for s in pc)


@pytest.mark.parametrize(
    "file, bad_text, message",
    [
        (
            "schools.yaml",
            "schools:\n  - slug: x\n    colour: red\n    level: high\n    neighborhood: watts\n",
            "unknown field 'colour'",
        ),
        ("schools.yaml", "schools: [\n", "not valid YAML"),
        (
            "programs.yaml",
            "programs:\n  - slug: p\n    name: {en: P}\n    summary: {en: s, es: s}\n",
            "'name' needs both an 'en' and an 'es' text",
        ),
        (
            "events.yaml",
            "events:\n  - slug: e\n    title: {en: E, es: E}\n    starts_at: next tuesday\n",
            "dates are written YYYY-MM-DD HH:MM",
        ),
        (
            "schools.yaml",
            "schools:\n  - slug: x\n    level: high\n    neighborhood: mars\n",
            "no neighborhood with slug 'mars'",
        ),
    ],
)
def test_bad_seed_files_are_refused_clearly_and_change_nothing(
    migrated_db, tmp_path, file, bad_text, message
):
    seed_dir = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed_dir)
    (seed_dir / file).write_text(bad_text, encoding="utf-8")
    sessions = session_factory(engine_for(migrated_db))
    with pytest.raises(SeedError, match=message):
        with session_scope(sessions) as session:
            seed_database(session, seed_dir)
    with session_scope(sessions) as session:
        assert set(_counts(session).values()) == {0}
