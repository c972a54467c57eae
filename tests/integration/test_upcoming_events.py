from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.directory.events import find_neighborhood, upcoming_events
from bot.models import Event, Neighborhood, School

# Before every seeded date (January and February 2027).
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def school(session, slug):
    return session.scalars(select(School).where(School.slug == slug)).one()


def area(session, slug):
    return session.scalars(select(Neighborhood).where(Neighborhood.slug == slug)).one()


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Watts", "watts"),
        ("eventos en boyle heights?", "boyle-heights"),
        ("BOYLE HEIGHTS", "boyle-heights"),
        ("anything in south LA this month", "south-la"),
        ("algo en el sur de LA", "south-la"),
        ("en el Sur de Los Ángeles", "south-la"),
    ],
)
def test_neighbourhoods_are_found_in_a_message(sessions, text, slug):
    with sessions() as session:
        found = find_neighborhood(session, text)
        assert found is not None and found.slug == slug


@pytest.mark.parametrize("text", [None, "", "eventos", "la escuela", "wattson"])
def test_no_neighbourhood(sessions, text):
    with sessions() as session:
        assert find_neighborhood(session, text) is None


def test_soonest_first_from_both_calendars(sessions):
    with sessions() as session:
        found = upcoming_events(session, now=NOW, limit=10)
    assert [e.slug for e in found] == [
        "2027-01-watts",
        "2027-01-boyle-heights",
        "2027-01-south-la",
        "2027-02-jordan-college-night",
    ]
    assert [e.kind for e in found] == ["parent_college"] * 3 + ["event"]
    # Seeded as 9:00 Los Angeles time, kept and returned as UTC.
    assert found[0].starts_at == datetime(2027, 1, 16, 17, 0, tzinfo=timezone.utc)
    assert found[0].ends_at == datetime(2027, 1, 16, 20, 0, tzinfo=timezone.utc)


def test_limit_and_past_events(sessions):
    with sessions() as session:
        assert len(upcoming_events(session, now=NOW, limit=2)) == 2
        after_first = datetime(2027, 1, 20, tzinfo=timezone.utc)
        assert upcoming_events(session, now=after_first, limit=1)[0].slug == "2027-01-boyle-heights"
        assert upcoming_events(session, now=datetime(2027, 6, 1, tzinfo=timezone.utc)) == []


def test_by_school(sessions):
    with sessions() as session:
        jordan = [e.slug for e in upcoming_events(session, school(session, "jordan"), now=NOW)]
        markham = [e.slug for e in upcoming_events(session, school(session, "markham"), now=NOW)]
    # Parent College in Watts serves every Watts school; Jordan's night is Jordan's own.
    assert jordan == ["2027-01-watts", "2027-02-jordan-college-night"]
    assert markham == ["2027-01-watts"]


def test_by_neighbourhood(sessions):
    with sessions() as session:
        watts = [
            e.slug for e in upcoming_events(session, neighborhood=area(session, "watts"), now=NOW)
        ]
        south = upcoming_events(session, neighborhood=area(session, "south-la"), now=NOW)
    assert watts == ["2027-01-watts", "2027-02-jordan-college-night"]
    assert [e.slug for e in south] == ["2027-01-south-la"]


def _add_event(session, slug, **where):
    session.add(
        Event(
            slug=slug,
            title={"en": slug, "es": slug},
            starts_at=NOW + timedelta(days=3),
            **where,
        )
    )
    session.commit()


def test_events_for_everyone_and_for_a_whole_neighbourhood(sessions):
    with sessions() as session:
        _add_event(session, "citywide")
        _add_event(session, "watts-wide", neighborhood_id=area(session, "watts").id)
        markham = [e.slug for e in upcoming_events(session, school(session, "markham"), now=NOW)]
        boyle = upcoming_events(session, neighborhood=area(session, "boyle-heights"), now=NOW)
        stevenson = upcoming_events(session, school(session, "stevenson"), now=NOW)
    assert markham == ["citywide", "watts-wide", "2027-01-watts"]
    assert [e.slug for e in boyle] == ["citywide", "2027-01-boyle-heights"]
    assert [e.slug for e in stevenson] == ["citywide", "2027-01-boyle-heights"]


def test_archived_events_are_left_out(sessions):
    with sessions() as session:
        session.scalars(select(Event)).one().archived = True
        session.commit()
        found = upcoming_events(session, now=NOW, limit=10)
    assert "2027-02-jordan-college-night" not in [e.slug for e in found]


def test_naive_now_is_utc(sessions):
    with sessions() as session:
        naive = upcoming_events(session, now=datetime(2027, 1, 16, 16, 59), limit=1)
        after = upcoming_events(session, now=datetime(2027, 1, 16, 17, 1), limit=1)
    assert naive[0].slug == "2027-01-watts"
    assert after[0].slug == "2027-01-boyle-heights"
