"""The audit log page: admins only, newest first, filters by account, action and Los Angeles
day, and pages that follow the entries' ids."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from sqlalchemy import select

from bot.db import session_scope
from bot.models import AuditLog, StaffUser
from bot.staff import audit
from console.audit_pages import AuditFilter, audit_page
from tests.console.conftest import post_form


def _record(sessions, user_id, action, target_type=None, target_id=None, at=None, **detail):
    with session_scope(sessions) as session:
        user = session.get(StaffUser, user_id) if user_id else None
        entry = audit.record(session, user, action, target_type, target_id, **detail)
        if at is not None:
            entry.created_at = at
        session.flush()
        return entry.id


def _admin_id(sessions) -> int:
    with sessions() as session:
        return session.execute(
            select(StaffUser.id).filter_by(email="admin@partnership.test")
        ).scalar_one()


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


def test_staff_cannot_read_the_audit_log(staff_client):
    assert staff_client.get("/console/audit/").status_code == 403


def test_entries_are_listed_newest_first_with_who_what_and_where(
    admin_client, make_staff, sessions
):
    rosa = make_staff("staff", "rosa@partnership.test", "Rosa Díaz")
    _record(sessions, rosa, "conversation.view", "conversation", 42)
    _record(sessions, None, "staff_user.create", "staff_user", rosa, via="cli")
    _record(sessions, rosa, "message.reply", "message", 7, conversation_id=42, text="<b>hola</b>")

    html = admin_client.get("/console/audit/").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 4
    assert "message.reply" in rows[0] and "Rosa Díaz" in rows[0]
    assert "staff_user.create" in rows[1] and "command line" in rows[1] and "via: cli" in rows[1]
    assert "conversation.view" in rows[2]
    assert "login" in rows[3] and "Ana Admin" in rows[3]
    assert html.count('href="/console/conversations/42"') == 2
    assert f'href="/console/staff/{rosa}">staff_user {rosa}</a>' in html
    assert "&lt;b&gt;hola&lt;/b&gt;" in html and "<b>hola</b>" not in html


def test_filters_by_account_action_and_los_angeles_day(admin_client, make_staff, sessions):
    rosa = make_staff("staff", "rosa@partnership.test")
    # 23:30 on March 9 in Los Angeles, and 00:30 on March 10.
    late = datetime(2026, 3, 10, 6, 30, tzinfo=timezone.utc)
    early = datetime(2026, 3, 10, 7, 30, tzinfo=timezone.utc)
    _record(sessions, rosa, "conversation.view", "conversation", 1, at=late)
    _record(sessions, rosa, "staff_user.password", "staff_user", rosa, at=early)
    _record(sessions, None, "staff_user.unlock", "staff_user", rosa, at=early)

    def actions(**params) -> list[str]:
        html = admin_client.get("/console/audit/", query_string=params).get_data(as_text=True)
        return re.findall(r"<td><code>([^<]+)</code></td>", html)

    assert actions(staff=rosa) == ["staff_user.password", "conversation.view"]
    assert actions(staff="none") == ["staff_user.unlock"]
    assert actions(action="staff_user.") == ["staff_user.unlock", "staff_user.password"]
    assert actions(action="STAFF_USER.PASS") == ["staff_user.password"]
    assert actions(action="staff%") == []
    assert actions(date_from="2026-03-10", date_to="2026-03-10") == [
        "staff_user.unlock",
        "staff_user.password",
    ]
    assert actions(date_to="2026-03-09") == ["conversation.view"]
    assert actions(staff=rosa, action="conversation", date_from="2026-03-09") == [
        "conversation.view"
    ]
    html = admin_client.get("/console/audit/?action=nothing.like.this").get_data(as_text=True)
    assert "No entries match this filter" in html


def test_pages_follow_the_ids_back_and_forth(admin_client, sessions):
    admin = _admin_id(sessions)
    with session_scope(sessions) as session:
        user = session.get(StaffUser, admin)
        for n in range(119):
            audit.record(session, user, "conversation.view", "conversation", n)
    # 120 entries with the login.

    first = admin_client.get("/console/audit/").get_data(as_text=True)
    assert len(_rows(first)) == 50
    assert "conversation 118" in _rows(first)[0]
    assert "Newer" not in first
    older = re.search(r'href="(/console/audit/\?before=\d+)">Older', first).group(1)

    second = admin_client.get(older).get_data(as_text=True)
    assert "conversation 68" in _rows(second)[0]
    third_url = re.search(r'href="(/console/audit/\?before=\d+)">Older', second).group(1)
    third = admin_client.get(third_url).get_data(as_text=True)
    assert len(_rows(third)) == 20 and "login" in _rows(third)[-1]
    assert "Older" not in third

    newer = re.search(r'href="(/console/audit/\?after=\d+)">← Newer', third).group(1)
    back = admin_client.get(newer.replace("&amp;", "&")).get_data(as_text=True)
    assert _rows(back) == _rows(second)


def test_the_pager_keeps_the_filter(admin_client, sessions):
    admin = _admin_id(sessions)
    with session_scope(sessions) as session:
        user = session.get(StaffUser, admin)
        for n in range(60):
            audit.record(session, user, "conversation.view", "conversation", n)
    html = admin_client.get("/console/audit/?action=conversation.").get_data(as_text=True)
    link = re.search(r'href="(/console/audit/\?[^"]+)">Older', html).group(1).replace("&amp;", "&")
    assert "action=conversation." in link
    rows = _rows(admin_client.get(link).get_data(as_text=True))
    assert len(rows) == 10 and all("conversation.view" in row for row in rows)


def test_audit_page_on_an_empty_filter_result(sessions):
    with sessions() as session:
        page = audit_page(session, AuditFilter(action="nothing"))
        assert (page.entries, page.older_than, page.newer_than) == ([], None, None)
        page = audit_page(session, AuditFilter(date_from=date(2030, 1, 1)))
        assert page.entries == []


def test_staff_changes_made_in_the_console_show_in_the_log(admin_client, make_staff, sessions):
    rosa = make_staff("staff", "rosa@partnership.test")
    post_form(admin_client, f"/console/staff/{rosa}/unlock")
    html = admin_client.get(f"/console/audit/?staff={_admin_id(sessions)}").get_data(as_text=True)
    assert "staff_user.unlock" in html
    with sessions() as session:
        assert session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all() == [
            "login",
            "staff_user.unlock",
        ]
