"""The dashboard's figures, counted against rows made here (Los Angeles days, the fallback and
hand-off rates, seats, opt-outs), and the page that draws them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.conversations.dashboard_stats import dashboard, period_ending
from bot.db import session_scope
from bot.models import (
    ConsentEvent,
    Contact,
    Conversation,
    Message,
    ParentCollegeSession,
    Registration,
    utcnow,
)

# 13:00 in Los Angeles, two days after the spring change to daylight time (March 8, 2026).
NOW = datetime(2026, 3, 10, 20, 0, tzinfo=timezone.utc)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


class Family:
    """A contact and its SMS conversation, with messages written straight to the log."""

    count = 0

    def __init__(self, session, **conversation):
        Family.count += 1
        self.session = session
        self.contact = Contact(phone=f"+1323555{Family.count:04d}", language="es")
        self.conversation = Conversation(contact=self.contact, channel="sms", **conversation)
        session.add_all([self.contact, self.conversation])
        session.flush()

    def texts(self, when, language="es", intent=None, body="hola"):
        self._message(when, "in", "family", language, intent, body)
        return self

    def bot_says(self, when, intent=None):
        self._message(when, "out", "bot", "es", intent, "respuesta")
        return self

    def _message(self, when, direction, sender, language, intent, body):
        self.session.add(
            Message(
                conversation=self.conversation,
                direction=direction,
                sender=sender,
                body=body,
                language=language,
                intent=intent,
                channel="sms",
                created_at=when,
            )
        )
        self.conversation.last_message_at = when

    def consent(self, kind, when):
        self.session.add(
            ConsentEvent(contact=self.contact, kind=kind, source="STOP", created_at=when)
        )
        return self


def test_the_period_is_made_of_los_angeles_days_ending_today():
    period = period_ending(7, NOW)
    assert (period.first_day, period.last_day) == (date(2026, 3, 4), date(2026, 3, 10))
    # Midnight in LA: 08:00 UTC before the change to daylight time, 07:00 after.
    assert period.start == utc(3, 4, 8)
    assert period.end == utc(3, 11, 7)
    assert period.week_starts == [date(2026, 3, 2), date(2026, 3, 9)]
    with pytest.raises(ValueError):
        period_ending(14, NOW)


def test_messages_are_counted_per_los_angeles_day_and_language(sessions):
    with session_scope(sessions) as session:
        family = Family(session)
        family.texts(utc(3, 4, 7, 59))  # 23:59 on March 3 in LA: before the period
        family.texts(utc(3, 4, 8, 0))  # midnight March 4 in LA
        family.texts(utc(3, 5, 7, 30), language="en")  # 23:30 on March 4 in LA
        family.texts(utc(3, 10, 6, 30))  # 23:30 on March 9 in LA (daylight time)
        family.texts(utc(3, 10, 7, 30))  # 00:30 on March 10 in LA
        family.texts(utc(3, 10, 8), language=None)
        family.bot_says(utc(3, 10, 8))  # replies are not family messages
        Family(session).texts(utc(3, 9, 18), language="en")

    with sessions() as session:
        stats = dashboard(session, 7, NOW)
    by_day = stats.messages_by_day
    assert list(by_day) == [date(2026, 3, day) for day in range(4, 11)]
    assert by_day[date(2026, 3, 4)] == {"en": 1, "es": 1, "other": 0}
    assert by_day[date(2026, 3, 5)] == {"en": 0, "es": 0, "other": 0}
    assert by_day[date(2026, 3, 9)] == {"en": 1, "es": 1, "other": 0}
    assert by_day[date(2026, 3, 10)] == {"en": 0, "es": 1, "other": 1}
    assert stats.language_totals == {"en": 2, "es": 3, "other": 1}
    assert stats.family_messages == 6
    assert stats.families == 2


def test_fallback_rate_and_top_intents_are_over_the_messages_the_bot_read(sessions):
    with session_scope(sessions) as session:
        family = Family(session)
        for hour in (1, 2, 3):
            family.texts(utc(3, 9, hour), intent="ask_events")
        family.texts(utc(3, 9, 4), intent="nlu_fallback")
        family.texts(utc(3, 9, 5), intent="ask_programs")
        family.texts(utc(3, 9, 6))  # a keyword, or a paused conversation: never read
        family.bot_says(utc(3, 9, 7), intent="nlu_fallback")
        family.texts(utc(2, 1, 1), intent="nlu_fallback")  # before the period

    with sessions() as session:
        stats = dashboard(session, 7, NOW)
    assert (stats.fallback.part, stats.fallback.whole) == (1, 5)
    assert stats.fallback.percent == "20.0%"
    assert [(item.intent, item.count) for item in stats.intents] == [
        ("ask_events", 3),
        ("ask_programs", 1),
        ("nlu_fallback", 1),
    ]
    assert stats.intents[0].share == pytest.approx(0.6)


def test_handoff_rate_counts_conversations_active_in_the_period(sessions):
    in_period, before = utc(3, 8, 1), utc(2, 1, 1)
    with session_scope(sessions) as session:
        # Handed over in the period, but the family did not write in it: not counted.
        Family(
            session, handled_by_staff=True, handoff_reason="talk_to_human", handed_off_at=in_period
        )
        Family(session, handoff_reason="talk_to_human", handed_off_at=in_period).texts(utc(3, 9, 1))
        Family(
            session, needs_staff=True, handoff_reason="bot_unavailable", handed_off_at=in_period
        ).texts(utc(3, 9, 2))
        Family(session, handled_by_staff=True, handed_off_at=in_period).texts(utc(3, 9, 3))
        Family(session).texts(utc(3, 9, 4))
        # Handed over before the period: active now, but not a hand-off of this period.
        Family(session, handoff_reason="talk_to_human", handed_off_at=before).texts(utc(3, 9, 5))
        # Handed over, but quiet in the period: not counted either way.
        Family(session, handoff_reason="not_understood", handed_off_at=before).texts(utc(1, 9, 4))

    with sessions() as session:
        stats = dashboard(session, 7, NOW)
    assert (stats.handoff.part, stats.handoff.whole) == (3, 5)
    assert stats.handoff.percent == "60.0%"
    assert stats.handoff_reasons == [
        ("bot_unavailable", 1),
        ("taken_over_by_staff", 1),
        ("talk_to_human", 1),
    ]


def test_opt_outs_and_opt_ins_are_counted_per_los_angeles_week(sessions):
    with session_scope(sessions) as session:
        family = Family(session)
        family.consent("opt_out", utc(3, 1, 12))  # before the period
        family.consent("opt_out", utc(3, 4, 12))
        family.consent("opt_out", utc(3, 9, 6))  # 23:00 Sunday March 8 in LA: first week
        family.consent("opt_out", utc(3, 9, 8))  # 01:00 Monday March 9 in LA: second week
        family.consent("opt_in", utc(3, 10, 12))

    with sessions() as session:
        stats = dashboard(session, 7, NOW)
    weeks = [(week.week_start, week.opt_outs, week.opt_ins) for week in stats.consent_by_week]
    assert weeks == [(date(2026, 3, 2), 2, 0), (date(2026, 3, 9), 1, 1)]
    assert (stats.opt_outs, stats.opt_ins) == (3, 1)


def test_seats_are_adults_registered_against_capacity(sessions):
    with session_scope(sessions) as session:
        first = session.execute(
            select(ParentCollegeSession).order_by(ParentCollegeSession.starts_at).limit(1)
        ).scalar_one()
        for adults, status in (
            (2, "registered"),
            (3, "registered"),
            (1, "waitlisted"),
            (4, "cancelled"),
        ):
            family = Family(session)
            session.add(
                Registration(contact=family.contact, session=first, adults=adults, status=status)
            )
        first_id, capacity = first.id, first.capacity

    with sessions() as session:
        stats = dashboard(session, 7, NOW)
    seats = stats.sessions[0]
    assert seats.session_id == first_id
    assert (seats.registered_adults, seats.registrations, seats.capacity) == (5, 2, capacity)
    assert (seats.waitlisted_adults, seats.waitlisted) == (1, 1)
    assert all(other.registered_adults == 0 for other in stats.sessions[1:])
    assert stats.new_registrations == 0  # made now, after the period NOW ends


def test_a_message_through_the_real_pipeline_shows_on_the_dashboard(
    post_sms, fake_rasa, staff_client
):
    fake_rasa.plays("ask_events")
    post_sms("hay juntas para padres?")
    page = staff_client.get("/console/dashboard/?days=7")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Spanish 1 messages" in text
    assert "intent=ask_events" in text


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", html, re.S)]


def test_the_page_draws_data_escaped(staff_client, sessions):
    hostile = '<script>alert("x")</script>'
    with session_scope(sessions) as session:
        now = utcnow()
        Family(session).texts(now - timedelta(minutes=5), intent=hostile)
        pc_session = session.execute(
            select(ParentCollegeSession).order_by(ParentCollegeSession.starts_at).limit(1)
        ).scalar_one()
        pc_session.title = {"en": "Tarea <img src=x>", "es": "Tarea"}

    page = staff_client.get("/console/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert hostile not in html and "<img src=x>" not in html
    assert "&lt;script&gt;alert" in html and "Tarea &lt;img src=x&gt;" in html
    svgs = _svgs(html)  # each one parses as XML: no stray markup inside
    assert len(svgs) == 3  # messages, intents, seats (no hand-offs or opt-outs: empty)
    assert all(svg.get("role") == "img" and svg.get("aria-label") for svg in svgs)
    assert "No conversation was handed to staff" in html
    assert "No opt-outs or opt-ins in this period" in html


def test_an_empty_period_says_so(staff_client):
    html = staff_client.get("/console/dashboard/?days=90").get_data(as_text=True)
    assert html.count("No messages in this period") == 2
    assert 'aria-current="page">Last 90 days' in html


def test_an_unknown_period_falls_back_to_thirty_days(staff_client):
    html = staff_client.get("/console/dashboard/?days=1000").get_data(as_text=True)
    assert 'aria-current="page">Last 30 days' in html


def test_the_dashboard_needs_a_login(client):
    response = client.get("/console/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")
