"""The conversations inbox page: login, filters kept in the form, escaping, bad values, search
in the audit log, and the "Older" link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from sqlalchemy import select

import console.inbox
from bot.db import session_scope
from bot.models import AuditLog
from tests.support import factories

URL = "/console/conversations/"
NOW = datetime.now(timezone.utc)


def family_texted(sessions, phone, texts, *, language="es", minutes_ago=0, **flags) -> int:
    """A conversation whose family sent `texts` (body, intent, confidence), newest last."""
    with session_scope(sessions) as session:
        contact = factories.add_contact(session, phone, language=language)
        conversation = factories.add_conversation(session, contact, **flags)
        when = NOW - timedelta(minutes=minutes_ago)
        for n, (body, intent, confidence) in enumerate(texts):
            at = when - timedelta(seconds=len(texts) - n)
            fields = {"language": language, "intent": intent, "confidence": confidence}
            factories.add_message(session, conversation, body, at=at, **fields)
        conversation.last_message_at = when
        return conversation.id


def thread_links(page) -> list[int]:
    return [int(n) for n in re.findall(r'href="/console/conversations/(\d+)"', page.get_data(True))]


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL + "?q=hola")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")


def test_the_list_links_each_conversation_with_its_badges(staff_client, sessions):
    waiting = family_texted(
        sessions,
        "+13235550100",
        [("necesito ayuda", "talk_to_human", 0.9)],
        needs_staff=True,
        handoff_reason="talk_to_human",
    )
    taken = family_texted(
        sessions,
        "+13235550101",
        [("hello", "greet", 0.9), ("???", "nlu_fallback", 0.4)],
        language="en",
        minutes_ago=5,
        handled_by_staff=True,
    )
    page = staff_client.get(URL)
    html = page.get_data(True)
    assert page.status_code == 200
    assert thread_links(page) == [waiting, taken]
    assert "(323) 555-0100" in html and "necesito ayuda" in html
    assert "Waiting for staff</span>" in html and "The family asked for a person" in html
    assert "Staff has it</span>" in html and "1 not understood" in html
    assert 'class="badge lang-es"' in html and 'class="badge lang-en"' in html
    assert "Older" not in html


def test_filters_narrow_the_list_and_stay_filled_in(staff_client, sessions):
    spanish = family_texted(sessions, "+13235550100", [("¿a qué hora es?", "ask_events", 0.4)])
    family_texted(sessions, "+13235550101", [("what time", "ask_events", 0.4)], language="en")
    family_texted(sessions, "+13235550102", [("hola", "greet", 0.95)])
    page = staff_client.get(
        URL + "?language=es&intent=ask_events&max_confidence=0.5&waiting=&fallbacks=&q="
    )
    html = page.get_data(True)
    assert thread_links(page) == [spanish]
    assert '<option value="es" selected>' in html
    assert '<option value="ask_events" selected>' in html
    assert 'name="max_confidence"' in html and 'value="0.5"' in html
    assert "Clear filters" in html


def test_the_intent_list_offers_every_intent(staff_client):
    html = staff_client.get(URL).get_data(True)
    for intent in ("ask_parent_college", "register_parent_college", "inform", "nlu_fallback"):
        assert f'<option value="{intent}"' in html


def test_a_family_message_is_shown_as_text_never_as_html(staff_client, sessions):
    family_texted(sessions, "+13235550100", [("<script>alert(1)</script> hola", "greet", 0.9)])
    for url in (URL, URL + "?q=alert"):
        html = staff_client.get(url).get_data(True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)" in html


def test_a_search_marks_the_match_and_is_audited(staff_client, sessions):
    found = family_texted(sessions, "+13235550100", [("Quiero mi INSCRIPCIÓN ya", None, None)])
    family_texted(sessions, "+13235550101", [("hola", "greet", 0.9)])
    page = staff_client.get(URL, query_string={"q": "inscripción"})
    assert thread_links(page) == [found]
    assert "<mark>INSCRIPCIÓN</mark>" in page.get_data(True)
    assert 'value="inscripción"' in page.get_data(True)
    with sessions() as session:
        entries = session.execute(select(AuditLog)).scalars().all()
    searches = [entry for entry in entries if entry.action == "conversations.search"]
    assert [entry.detail for entry in searches] == [{"q": "inscripción"}]
    assert searches[0].staff_user_id is not None


def test_viewing_without_a_search_is_not_audited(staff_client, sessions):
    family_texted(sessions, "+13235550100", [("hola", "greet", 0.9)])
    staff_client.get(URL + "?language=es")
    with sessions() as session:
        actions = session.execute(select(AuditLog.action)).scalars().all()
    assert "conversations.search" not in actions


@pytest.mark.parametrize(
    "query, message",
    [
        ("language=fr", "English or Spanish"),
        ("max_confidence=lots", "between 0 and 1"),
        ("date_from=2026-02-31", "must be a date"),
        ("school_id=%27%20OR%201=1", "not in the list"),
        ("q=a", "at least 3"),
        ("before=garbage", "not valid any more"),
    ],
)
def test_bad_filter_values_are_explained_not_a_crash(staff_client, sessions, query, message):
    conversation_id = family_texted(sessions, "+13235550100", [("hola", "greet", 0.9)])
    page = staff_client.get(URL + "?" + query)
    html = unescape(page.get_data(True))
    assert page.status_code == 200
    assert "Some filters were not used" in html and message in html
    assert thread_links(page) == [conversation_id]


def test_older_pages_follow_on_without_repeats(staff_client, sessions, monkeypatch):
    monkeypatch.setattr(console.inbox, "PAGE_SIZE", 2)
    ids = [
        family_texted(sessions, f"+1323555{n:04d}", [("hola", "greet", 0.9)], minutes_ago=n)
        for n in range(5)
    ]
    seen, url = [], URL + "?language=es"
    while url:
        page = staff_client.get(url)
        seen += thread_links(page)
        older = re.search(r'href="([^"]+)">Older', page.get_data(True))
        url = unescape(older.group(1)) if older else None
        if url:
            assert "language=es" in url and "before=" in url
    assert seen == ids
    assert "Newest" in page.get_data(True)


def test_the_page_has_no_inline_script_or_style(staff_client, sessions):
    family_texted(sessions, "+13235550100", [("hola", "greet", 0.9)])
    html = staff_client.get(URL).get_data(True)
    assert "<script" not in html and "style=" not in html and "onclick" not in html
    assert "inbox.css" in html
