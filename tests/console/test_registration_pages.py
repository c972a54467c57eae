"""Parent College registrations for every staff member: how full sessions are, the families of a
session, checking them in at the door (and undoing it), and the sign-in sheet."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.models import AuditLog, Contact, ParentCollegeSession, Registration
from bot.parent_college.registrations import cancel, sign_up
from tests.console.conftest import post_form

WATTS = "2027-01-watts"


@pytest.fixture
def families(sessions):
    """The Watts session with 4 seats: Rosa (2 adults, 2 children in childcare), Ana and Bea
    (1 adult each) registered; Luis (2 adults) waiting, since only 1 seat was left when he
    signed up; Carmen cancelled."""
    with sessions() as db:
        pc = db.execute(select(ParentCollegeSession).filter_by(slug=WATTS)).scalar_one()
        pc.capacity = 4
        ids = {}
        for n, (name, adults, children) in enumerate(
            [
                ("Rosa Díaz", 2, 2),
                ("ana cruz", 1, 0),
                ("Luis Gil", 2, 0),
                ("Bea Ortiz", 1, 0),
                ("Carmen Ruiz", 1, 1),
            ],
            start=1,
        ):
            contact = Contact(phone=f"+1323555{n:04d}")
            db.add(contact)
            db.flush()
            signed = sign_up(db, contact, pc, name, adults=adults, children=children)
            ids[name.split()[0].lower()] = signed.registration.id
        carmen = db.get(Registration, ids["carmen"])
        carmen.status = Registration.STATUS_REGISTERED
        cancel(db, carmen)
        db.commit()
        ids["session"] = pc.id
        return ids


def _status(sessions, registration_id):
    with sessions() as db:
        registration = db.get(Registration, registration_id)
        return registration.status, registration.checked_in_at


def _actions(sessions):
    with sessions() as db:
        return [(a.action, a.target_id, a.detail) for a in db.scalars(select(AuditLog))]


def _row_of(page: str, text: str) -> str:
    return next(row for row in page.split("<tr") if text in row)


def test_staff_see_upcoming_sessions_with_their_numbers(staff_client, families):
    page = staff_client.get("/console/registrations/").get_data(as_text=True)
    row = _row_of(page, "Parent College: Supporting homework")
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    # capacity, adults registered (Rosa 2 + Ana 1 + Bea 1), seats left, waiting, childcare
    assert cells == ["4", "4", '<span class="badge bad">full</span>', "1", "2"]
    assert "Sat Jan 16, 2027, 9:00 AM" in row  # Los Angeles time
    assert f'href="/console/registrations/{families["session"]}"' in row
    assert "Road to college" in page  # the other seeded sessions are listed too


def test_past_sessions_are_on_their_own_page(staff_client, sessions):
    with sessions() as db:
        db.add(
            ParentCollegeSession(
                slug="2026-10-watts",
                title={"en": "Parent College: Last fall", "es": "Parent College: El otoño"},
                starts_at=datetime.now(timezone.utc) - timedelta(days=30),
                place="Markham",
                capacity=50,
            )
        )
        db.commit()
    assert "Last fall" not in staff_client.get("/console/registrations/").get_data(as_text=True)
    past = staff_client.get("/console/registrations/?past=1").get_data(as_text=True)
    assert "Last fall" in past and "Supporting homework" not in past


def test_a_session_lists_families_by_name_and_the_waitlist_in_order(
    staff_client, sessions, families
):
    response = staff_client.get(f"/console/registrations/{families['session']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    coming, rest = page.split("<h2>Waitlist", 1)
    waitlist, cancelled = rest.split("Cancelled (1)", 1)
    # By name, ignoring case and accents: ana, Bea, Rosa.
    order = [coming.index(name) for name in ("ana cruz", "Bea Ortiz", "Rosa Díaz")]
    assert order == sorted(order)
    rosa = _row_of(coming, "Rosa Díaz")
    assert "(323) 555-0001" in rosa and 'href="tel:+13235550001"' in rosa
    assert re.findall(r'<td class="num hide-phone">(.*?)</td>', rosa) == ["2", "2"]
    assert "2 adults · 2 in childcare" in rosa  # the same, as a phone shows it
    assert "Luis Gil" in waitlist and "#1" in waitlist
    assert "Carmen Ruiz" in cancelled and "Carmen Ruiz" not in coming
    assert "4 of 4 adults registered" in re.sub(r"<[^>]+>", "", page)
    assert ("registrations.view", str(families["session"]), {}) in _actions(sessions)


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("rosa", "Rosa Díaz", "Bea Ortiz"),
        ("DIAZ", "Rosa Díaz", "ana cruz"),  # accents and case do not matter at the door
        ("555-0002", "ana cruz", "Rosa Díaz"),
        ("0003", "Luis Gil", "Bea Ortiz"),
    ],
)
def test_the_door_search_finds_a_family_by_name_or_phone(
    staff_client, sessions, families, query, found, not_found
):
    page = staff_client.get(
        f"/console/registrations/{families['session']}", query_string={"q": query}
    ).get_data(as_text=True)
    assert found in page and not_found not in page
    assert f'value="{query}"' in page
    assert ("registrations.view", str(families["session"]), {"query": query}) in _actions(sessions)


def test_check_in_and_undo_keep_the_search(staff_client, sessions, families):
    url = f"/console/registrations/{families['session']}/registrations/{families['rosa']}"
    response = post_form(staff_client, f"{url}/check-in", {"q": "rosa"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/console/registrations/{families['session']}?q=rosa#r{families['rosa']}"
    )
    status, checked_in_at = _status(sessions, families["rosa"])
    assert status == "attended" and checked_in_at is not None
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked in: Rosa Díaz (2 adults)." in page
    assert "Undo check-in" in _row_of(page, f'id="r{families["rosa"]}"')
    assert "Bea Ortiz" not in page  # still searching for rosa

    again = post_form(staff_client, f"{url}/check-in", {"q": "rosa"})
    assert "already checked in" in staff_client.get(again.headers["Location"]).get_data(
        as_text=True
    )

    assert post_form(staff_client, f"{url}/undo-check-in").status_code == 302
    assert _status(sessions, families["rosa"]) == ("registered", None)
    actions = [action for action, *_ in _actions(sessions)]
    assert actions.count("registrations.check_in") == 1
    assert "registrations.undo_check_in" in actions


def test_a_waitlisted_family_let_in_goes_back_to_the_waitlist_on_undo(
    staff_client, sessions, families
):
    url = f"/console/registrations/{families['session']}/registrations/{families['luis']}"
    response = post_form(staff_client, f"{url}/check-in")
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Luis Gil was waitlisted: let them in only if there is room." in page
    assert _status(sessions, families["luis"])[0] == "attended"
    post_form(staff_client, f"{url}/undo-check-in")
    assert _status(sessions, families["luis"]) == ("waitlisted", None)


def test_a_registration_of_another_session_is_not_found(staff_client, sessions, families):
    with sessions() as db:
        other = db.execute(
            select(ParentCollegeSession).filter_by(slug="2027-01-boyle-heights")
        ).scalar_one()
    response = post_form(
        staff_client, f"/console/registrations/{other.id}/registrations/{families['rosa']}/check-in"
    )
    assert response.status_code == 404
    assert _status(sessions, families["rosa"])[0] == "registered"
    assert staff_client.get("/console/registrations/99999").status_code == 404


def test_the_sign_in_sheet_lists_everyone_expected_by_name(staff_client, sessions, families):
    with sessions() as db:
        db.get(Registration, families["ana"]).name = "=cmd|' /C calc'!A0"
        db.commit()
    post_form(
        staff_client,
        f"/console/registrations/{families['session']}/registrations/{families['bea']}/check-in",
    )
    response = staff_client.get(f"/console/registrations/{families['session']}/sign-in.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"sign-in-{WATTS}.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "Phone",
        "Adults",
        "Children in childcare",
        "Status",
        "Checked in",
        "Signature",
    ]
    names = [row[0] for row in rows[1:]]
    # Cancelled families are left out; a formula-looking name cannot run in Excel.
    assert names == ["Bea Ortiz", "'=cmd|' /C calc'!A0", "Luis Gil", "Rosa Díaz"]
    bea, luis, rosa = rows[1], rows[3], rows[4]
    assert rosa[1:5] == ["(323) 555-0001", "2", "2", "Registered"]
    assert luis[4] == "Waitlisted"
    assert bea[4] == "Checked in" and re.fullmatch(r"\d{1,2}:\d\d [AP]M", bea[5])
    assert all(row[6] == "" for row in rows[1:])
    assert ("registrations.export", str(families["session"]), {}) in _actions(sessions)


def test_admins_get_an_edit_link_staff_do_not(staff_client, admin_client, families):
    url = f"/console/registrations/{families['session']}"
    edit = f"/console/data/sessions/{families['session']}/edit"
    assert edit not in staff_client.get(url).get_data(as_text=True)
    assert edit in admin_client.get(url).get_data(as_text=True)
