"""The inbox query (bot/conversations/inbox.py) on SQLite and PostgreSQL: each filter alone and
together, search, ordering and keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.conversations.inbox import (
    BadCursor,
    decode_cursor,
    encode_cursor,
    inbox_page,
    intents_seen,
    local_day_bounds,
    snippet,
)
from bot.conversations.inbox_filters import InboxFilters
from bot.db import session_scope
from bot.models import Conversation, School
from tests.support import factories

T0 = datetime(2026, 3, 9, 18, 0, tzinfo=timezone.utc)  # 11 a.m. in Los Angeles (PDT)
CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_help", "ask_events", "ask_programs",
    "ask_school_info", "ask_parent_college", "register_parent_college", "cancel_registration",
    "check_registration", "talk_to_human", "change_language", "ask_about_partnership",
    "bot_challenge", "out_of_scope", "inform",
}  # fmt: skip


def inbox_entry(session, phone=None, *, web=False, name=None, language="es", school_id=None,
                messages=(), **flags) -> int:  # fmt: skip
    """A contact and one conversation; messages are (minutes after T0, direction, body, fields)."""
    contact = factories.add_contact(
        session,
        None if web else phone,
        web_chat_id=f"web-{phone}" if web else None,
        name=name,
        language=language,
        school_id=school_id,
    )
    channel = Conversation.CHANNEL_WEBCHAT if web else "sms"
    conversation = factories.add_conversation(session, contact, channel=channel, **flags)
    for minutes, direction, body, fields in messages:
        at = T0 + timedelta(minutes=minutes)
        factories.add_message(session, conversation, body, direction=direction, at=at, **fields)
    return conversation.id


def family(minutes, body, language="es", intent=None, confidence=None):
    return (minutes, "in", body, {"language": language, "intent": intent, "confidence": confidence})


def bot(minutes, body, language="es", intent=None, confidence=None, **fields):
    fields.update(language=language, intent=intent, confidence=confidence)
    return (minutes, "out", body, fields)


@dataclass
class World:
    a: int
    b: int
    c: int
    d: int
    e: int
    f: int
    school_id: int


@pytest.fixture
def world(sessions) -> World:
    """Six conversations, each made to be found by some filters and missed by the others."""
    with session_scope(sessions) as session:
        school_id = session.execute(select(School.id).filter_by(slug="jordan")).scalar_one()
        ids = dict(
            a=inbox_entry(session, "+13235550101", messages=[
                family(0, "Hola, ¿dónde queda la escuela?", "es", "ask_school_info", 0.9),
                bot(1, "La escuela queda en 103rd St.", "es", "ask_school_info", 0.9),
            ]),
            b=inbox_entry(session, "+13235550102", language="en", messages=[
                family(10, "hi is parent college free", "en", "ask_parent_college", 0.95),
                family(11, "the bus didnt come today, 100% late", "en", "nlu_fallback", 0.3),
                bot(12, "Sorry, I did not get that.", "en", "nlu_fallback", 0.3),
            ]),
            c=inbox_entry(session, "c1", web=True, needs_staff=True,
                               handoff_reason="bot_unavailable", messages=[
                family(20, "Quiero mi INSCRIPCIÓN para el sábado", "es",
                       "register_parent_college", 0.55),
            ]),
            d=inbox_entry(session, "+13235550104", name="Rosa Díaz", language="en",
                               school_id=school_id, handled_by_staff=True,
                               handoff_reason="talk_to_human", messages=[
                family(30, "can someone call me", "en", "talk_to_human", 0.97),
            ]),
            e=inbox_entry(session, "+13235550105", language="en", messages=[
                family(40, "thanks", "en", "thank", 0.99),
                bot(41, "Su inscripción está lista", "es", "nlu_fallback", 0.2),
            ]),
            f=inbox_entry(session, "+13235550106", language="en",
                               handled_by_staff=True,
                               handoff_until=T0 - timedelta(days=1), messages=[
                family(50, "ok bye", "en", "goodbye", 0.9),
            ]),
        )  # fmt: skip
    return World(school_id=school_id, **ids)


def found(sessions, **filters) -> list[int]:
    with sessions() as session:
        page = inbox_page(session, InboxFilters(**filters))
        return [row.conversation_id for row in page.rows]


def test_every_conversation_newest_first(sessions, world):
    w = world
    assert found(sessions) == [w.f, w.e, w.d, w.c, w.b, w.a]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"language": "es"}, "ca"),  # e's Spanish message is the bot's, not the family's
        ({"language": "en"}, "fedb"),
        ({"intent": "ask_school_info"}, "a"),
        ({"fallbacks": True}, "b"),  # e's fallback is on a bot message
        ({"max_confidence": 0.6}, "cb"),
        ({"waiting": True}, "dc"),  # f's hand-off has run out
        ({"q": "inscripción"}, "c"),  # as typed, case folded: INSCRIPCIÓN; not the bot's
        ({"q": "INSCRIPCIÓN"}, "c"),
        ({"q": "DÓNDE QUEDA"}, "a"),
        ({"q": "donde queda"}, ""),  # accents are matched as typed
        ({"q": "100%"}, "b"),  # % and _ are letters, not wildcards
        ({"q": "0_%"}, ""),
    ],
)
def test_each_filter_alone(sessions, world, filters, expected):
    assert found(sessions, **filters) == [getattr(world, name) for name in expected]


def test_school_filter(sessions, world):
    assert found(sessions, school_id=world.school_id) == [world.d]


def test_dates_are_los_angeles_days_inclusive(sessions):
    with session_scope(sessions) as session:
        # 06:30 UTC on March 10 is 11:30 p.m. on March 9 in Los Angeles (PDT since March 8).
        late = inbox_entry(session, "+13235550111", messages=[family(12 * 60 + 30, "hola")])
        early = inbox_entry(session, "+13235550112", messages=[family(13 * 60 + 30, "hola")])
    assert found(sessions, date_from=date(2026, 3, 9), date_to=date(2026, 3, 9)) == [late]
    assert found(sessions, date_from=date(2026, 3, 10)) == [early]
    assert found(sessions, date_to=date(2026, 3, 9)) == [late]
    assert found(sessions, date_from=date(2026, 3, 11)) == []


def test_filters_together_must_match_one_and_the_same_message(sessions, world):
    w = world
    assert found(sessions, language="es", max_confidence=0.6) == [w.c]
    assert found(sessions, language="en", fallbacks=True, q="bus") == [w.b]
    # b has an ask_parent_college message and a low-confidence one, but not one message both.
    assert found(sessions, intent="ask_parent_college", max_confidence=0.5) == []
    assert found(sessions, waiting=True, language="es") == [w.c]
    assert found(sessions, waiting=True, school_id=w.school_id, q="call") == [w.d]
    assert found(sessions, language="es", date_from=date(2026, 3, 10)) == []


def test_rows_say_who_what_and_how_it_stands(sessions, world):
    with sessions() as session:
        rows = {row.conversation_id: row for row in inbox_page(session, InboxFilters()).rows}
    a, b, c, d = (rows[world.a], rows[world.b], rows[world.c], rows[world.d])
    assert a.contact_display == "(323) 555-0101" and a.contact_language == "es"
    assert (a.last_message, a.last_sender) == ("La escuela queda en 103rd St.", "bot")
    assert a.last_message_at == T0 + timedelta(minutes=1)
    assert b.fallbacks == 1 and a.fallbacks == 0
    assert c.contact_display == "Web chat visitor" and c.is_web_chat
    assert (c.needs_staff, c.handled_by_staff, c.handoff_reason) == (True, False, "bot_unavailable")
    assert (d.contact_display, d.contact_phone, d.school) == (
        "Rosa Díaz",
        "(323) 555-0104",
        "Jordan",
    )
    assert d.handled_by_staff and not rows[world.f].handled_by_staff
    assert a.snippet is None


def test_a_search_shows_where_it_matched(sessions, world):
    with sessions() as session:
        (row,) = inbox_page(session, InboxFilters(q="inscripción")).rows
    assert row.snippet == ("Quiero mi ", "INSCRIPCIÓN", " para el sábado")
    assert row.last_message == "Quiero mi INSCRIPCIÓN para el sábado"


def test_a_long_message_is_cut_around_the_match():
    body = "palabra " * 40 + "Chromebook rota " + "más " * 40
    before, match, after = snippet(body, "chromebook", chars=60)
    assert match == "Chromebook"
    assert before.startswith("…") and after.endswith("…")
    assert len(before) + len(match) + len(after) <= 62


def test_pages_cover_everything_once_in_order_even_on_equal_times(sessions):
    with session_scope(sessions) as session:
        # Three pairs share a last message time, so ties fall on page boundaries.
        ids = [
            inbox_entry(session, f"+1323555{200 + n:04d}", messages=[family(n // 2, "hola")])
            for n in range(7)
        ]
    expected = sorted(ids, key=lambda i: (ids.index(i) // 2, i), reverse=True)
    seen, cursor, pages = [], None, 0
    with sessions() as session:
        while True:
            page = inbox_page(session, InboxFilters(), limit=3, before=cursor)
            seen += [row.conversation_id for row in page.rows]
            pages += 1
            if page.older is None:
                break
            cursor = page.older
    assert seen == expected
    assert pages == 3


def test_pages_keep_their_filters(sessions):
    with session_scope(sessions) as session:
        spanish = [
            inbox_entry(session, f"+1323555{300 + n:04d}", messages=[family(n, "hola")])
            for n in range(5)
        ]
        for n in range(5):
            inbox_entry(session, f"+1323555{400 + n:04d}", messages=[family(n, "hello", "en")])
    with sessions() as session:
        first = inbox_page(session, InboxFilters(language="es"), limit=3)
        second = inbox_page(session, InboxFilters(language="es"), limit=3, before=first.older)
    assert [r.conversation_id for r in first.rows + second.rows] == spanish[::-1]
    assert second.older is None


def test_a_tampered_cursor_is_refused(sessions):
    with sessions() as session:
        with pytest.raises(BadCursor):
            inbox_page(session, InboxFilters(), before="not-a-cursor")


def test_a_cursor_survives_the_round_trip():
    when = datetime(2026, 3, 9, 18, 0, 0, 123456, tzinfo=timezone.utc)
    assert decode_cursor(encode_cursor(when, 42)) == (when, 42)
    naive = when.replace(tzinfo=None)  # as SQLite returns it
    assert decode_cursor(encode_cursor(naive, 42)) == (when, 42)


def test_day_bounds_follow_daylight_saving():
    start, end = local_day_bounds(date(2026, 3, 8), date(2026, 3, 8))
    assert start == datetime(2026, 3, 8, 8, 0, tzinfo=timezone.utc)  # still PST at midnight
    assert end == datetime(2026, 3, 9, 7, 0, tzinfo=timezone.utc)  # PDT by the next midnight


@pytest.mark.parametrize(
    "args, expected, error",
    [
        ({}, InboxFilters(), None),
        (
            {"language": "ES", "intent": "ask_events", "max_confidence": "0,5", "waiting": "1",
             "fallbacks": "on", "school_id": "3", "date_from": "2026-03-01",
             "date_to": "2026-03-31", "q": "  parent   college "},
            InboxFilters(language="es", intent="ask_events", max_confidence=0.5, waiting=True,
                         fallbacks=True, school_id=3, date_from=date(2026, 3, 1),
                         date_to=date(2026, 3, 31), q="parent college"),
            None,
        ),
        ({"language": "fr"}, InboxFilters(), "English or Spanish"),
        ({"intent": "<script>"}, InboxFilters(), "not an intent"),
        ({"max_confidence": "abc"}, InboxFilters(), "between 0 and 1"),
        ({"max_confidence": "7"}, InboxFilters(), "between 0 and 1"),
        ({"school_id": "x"}, InboxFilters(), "school"),
        ({"date_from": "2026-13-45"}, InboxFilters(), "date like"),
        ({"q": "a"}, InboxFilters(), "at least 3"),
        ({"waiting": "no"}, InboxFilters(), None),
    ],
)  # fmt: skip
def test_filters_from_the_query_string(args, expected, error):
    filters = InboxFilters.from_args(args)
    if error is None:
        assert filters == expected
    else:
        assert filters.errors and error in filters.errors[0]
        assert filters.as_args() == expected.as_args()


def test_dates_the_wrong_way_round_are_explained():
    filters = InboxFilters.from_args({"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert any("after" in error for error in filters.errors)


def test_as_args_round_trips():
    filters = InboxFilters(language="en", max_confidence=0.45, fallbacks=True, q="hola")
    assert InboxFilters.from_args(filters.as_args()) == filters


def test_the_intent_list_has_every_contract_intent_and_fallback():
    assert CONTRACT_INTENTS | {"nlu_fallback"} <= set(intents_seen())
