"""Parent College reminders: queued once, the day before, at REMINDER_TIME (Los Angeles), to the
families still signed up, in each family's language, with a way to cancel that is not an
opt-out keyword."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.broadcasting.sending import still_wanted
from bot.families.compliance import keyword_for
from bot.models import Broadcast, Contact, Delivery, ParentCollegeSession, Registration
from bot.parent_college.reminders import queue_due_reminders, reminder_texts, session_time
from bot.text.dates import LOCAL_TZ

AT = time(10, 0)
# Friday 17 January 2031, Los Angeles (no seeded session near); the session is on Saturday the
# 18th at 9 a.m.
FRIDAY = datetime(2031, 1, 17, tzinfo=LOCAL_TZ)
SATURDAY_9AM = datetime(2031, 1, 18, 9, 0, tzinfo=LOCAL_TZ)


def _la(hour: int, minute: int = 0, day: datetime = FRIDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def saturday_session(sessions):
    """A session tomorrow with four families: two signed up (en, es), one waitlisted, one
    cancelled, and one signed up who has since texted STOP."""
    with sessions() as session:
        pc_session = ParentCollegeSession(
            slug="reading-saturday",
            title={"en": "Reading with your child", "es": "Leer con sus hijos"},
            starts_at=SATURDAY_9AM.astimezone(timezone.utc),  # stored in UTC, as the app does
            place="Markham Middle School, 1650 E 104th St",
            capacity=40,
        )
        session.add(pc_session)
        for number, language, status, opted_out in (
            ("+13235550170", "en", "registered", False),
            ("+13235550171", "es", "registered", False),
            ("+13235550172", "es", "waitlisted", False),
            ("+13235550173", "es", "cancelled", False),
            ("+13235550174", "es", "registered", True),
        ):
            contact = Contact(phone=number, language=language, opted_out=opted_out)
            session.add(Registration(contact=contact, session=pc_session, status=status))
        session.commit()
        return pc_session.id


def _queue(sessions, now):
    with sessions() as session:
        return queue_due_reminders(session, "es", AT, now)


def test_nothing_before_the_reminder_time_or_two_days_ahead(sessions, saturday_session):
    assert _queue(sessions, _la(9, 59)) == []
    thursday = FRIDAY - timedelta(days=1)
    assert _queue(sessions, _la(11, day=thursday)) == []


def test_families_still_signed_up_get_one_reminder_in_their_language(sessions, saturday_session):
    [broadcast_id] = _queue(sessions, _la(10, 0))
    with sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert (broadcast.kind, broadcast.state, broadcast.session_id) == (
            "reminder", "sending", saturday_session
        )  # fmt: skip
        rows = session.execute(
            select(Delivery.phone, Delivery.language).filter_by(broadcast_id=broadcast_id)
        ).all()
        assert sorted(rows) == [("+13235550170", "en"), ("+13235550171", "es")]
        assert broadcast.texts["es"].startswith(
            "Recordatorio: Parent College es mañana a las 9 a. m. en Markham Middle School."
        )
        assert "tomorrow at 9 a.m. at Markham Middle School" in broadcast.texts["en"]
        reminded = session.execute(
            select(Registration.status, Registration.reminded_at.is_not(None))
        ).all()
        assert sorted(reminded) == [
            ("cancelled", False), ("registered", True), ("registered", True),
            ("registered", True), ("waitlisted", False),
        ]  # fmt: skip
    # Asked again (every minute, by every worker's clock): nothing more.
    assert _queue(sessions, _la(10, 1)) == []


def test_how_to_cancel_is_never_an_opt_out_keyword(sessions, saturday_session):
    with sessions() as session:
        texts = reminder_texts(session.get(ParentCollegeSession, saturday_session))
    for language, reply in (("en", "cancel my spot"), ("es", "cancelar mi registro")):
        assert texts[language].endswith(reply)
        assert keyword_for(Contact(language=language), reply) is None
        assert keyword_for(Contact(language=language), reply.split()[0]) is not None


def test_a_family_that_cancels_after_the_reminder_was_queued_is_not_sent_it(
    sessions, saturday_session
):
    [broadcast_id] = _queue(sessions, _la(10, 0))
    with sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        deliveries = session.execute(select(Delivery).filter_by(broadcast_id=broadcast_id))
        by_phone = {d.phone: d for d in deliveries.scalars()}
        registration = session.execute(
            select(Registration).join(Contact).filter(Contact.phone == "+13235550171")
        ).scalar_one()
        registration.status = "cancelled"
        session.flush()
        assert still_wanted(session, broadcast, by_phone["+13235550170"])
        assert not still_wanted(session, broadcast, by_phone["+13235550171"])


def test_one_oclock_in_spanish_is_a_la_una():
    session = ParentCollegeSession(starts_at=SATURDAY_9AM.replace(hour=13), place="x")
    assert session_time(session, "es") == "a la 1 p. m."
    assert session_time(session, "en") == "1 p.m."


def test_two_workers_at_the_same_minute_make_one_reminder(sessions, saturday_session, monkeypatch):
    import bot.parent_college.reminders as reminders

    # Both clocks read the due sessions before either committed its reminder.
    with sessions() as session:
        due = reminders.sessions_due(session, _la(10, 0), AT)
        assert [s.id for s in due] == [saturday_session]
    [first] = _queue(sessions, _la(10, 0))

    with sessions() as session:
        late = session.get(ParentCollegeSession, saturday_session)
        monkeypatch.setattr(reminders, "sessions_due", lambda *_: [late])
        assert queue_due_reminders(session, "es", AT, _la(10, 0)) == []

    with sessions() as session:
        made = session.execute(select(Broadcast.id).filter_by(kind="reminder")).scalars().all()
        assert made == [first]
