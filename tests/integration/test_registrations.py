"""Parent College sign-ups on SQLite and PostgreSQL: seats, waitlist, duplicates, cancelling."""

from datetime import datetime, timezone

from sqlalchemy import select

from bot.models import Contact, ParentCollegeSession, Registration
from bot.parent_college.registrations import (
    active_registrations,
    cancel,
    seats_left,
    sign_up,
    upcoming_sessions,
    waitlist_position,
)

BEFORE_SEED_SESSIONS = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _family(session, n):
    contact = Contact(phone=f"+1323555{n:04d}")
    session.add(contact)
    session.flush()
    return contact


def _small_session(session, capacity=3):
    pc_session = upcoming_sessions(session, now=BEFORE_SEED_SESSIONS)[0]
    pc_session.capacity = capacity
    session.flush()
    return pc_session


def test_upcoming_sessions_are_soonest_first_and_skip_past_and_archived(sessions):
    with sessions() as session:
        upcoming = upcoming_sessions(session, now=BEFORE_SEED_SESSIONS)
        assert upcoming and upcoming == sorted(upcoming, key=lambda s: s.starts_at)
        upcoming[0].archived = True
        session.flush()
        assert upcoming[0] not in upcoming_sessions(session, now=BEFORE_SEED_SESSIONS)
        last = max(session.execute(select(ParentCollegeSession.starts_at)).scalars())
        assert upcoming_sessions(session, now=last.replace(year=last.year + 1)) == []


def test_adults_fill_seats_then_families_wait_in_order(sessions):
    with sessions() as session:
        pc_session = _small_session(session, capacity=3)
        first = sign_up(session, _family(session, 1), pc_session, "Rosa Díaz", adults=2, children=1)
        assert not first.waitlisted and seats_left(session, pc_session) == 1
        second = sign_up(session, _family(session, 2), pc_session, "Ana Cruz", adults=2, children=0)
        third = sign_up(session, _family(session, 3), pc_session, "Luis Gil", adults=1, children=0)
        assert second.waitlisted and waitlist_position(session, second.registration) == 1
        # A family of one still fits the last seat: the waitlist does not block smaller families.
        assert not third.waitlisted
        assert first.registration.childcare and first.registration.children == 1


def test_signing_up_twice_keeps_one_registration(sessions):
    with sessions() as session:
        pc_session = _small_session(session)
        family = _family(session, 1)
        sign_up(session, family, pc_session, "Rosa", adults=1, children=0)
        again = sign_up(session, family, pc_session, "Rosa", adults=2, children=0)
        assert again.already
        rows = session.execute(select(Registration).filter_by(contact_id=family.id)).scalars()
        assert len(list(rows)) == 1


def test_cancelling_frees_the_seat_for_the_first_family_waiting(sessions):
    with sessions() as session:
        pc_session = _small_session(session, capacity=2)
        holder = sign_up(session, _family(session, 1), pc_session, "A", adults=2, children=0)
        waiting = sign_up(session, _family(session, 2), pc_session, "B", adults=1, children=0)
        assert waiting.waitlisted
        promoted = cancel(session, holder.registration)
        assert promoted is waiting.registration
        assert promoted.status == Registration.STATUS_REGISTERED
        assert holder.registration.status == Registration.STATUS_CANCELLED
        assert holder.registration.cancelled_at is not None


def test_a_cancelled_family_can_sign_up_again(sessions):
    with sessions() as session:
        pc_session = _small_session(session)
        family = _family(session, 1)
        first = sign_up(session, family, pc_session, "Rosa", adults=1, children=0)
        cancel(session, first.registration)
        assert active_registrations(session, family, now=BEFORE_SEED_SESSIONS) == []
        again = sign_up(session, family, pc_session, "Rosa", adults=1, children=0)
        assert not again.already and not again.waitlisted
        assert active_registrations(session, family, now=BEFORE_SEED_SESSIONS) == [
            again.registration
        ]
        assert family.name == "Rosa"
