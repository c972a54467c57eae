"""Staff accounts in the console: admins make and change them, nobody can lock the console out
of its last admin, everyone changes their own password and API token; every change is audited
and no hash is ever shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.models import AuditLog, StaffUser
from bot.staff.accounts import (
    MAX_FAILED_LOGINS,
    AccountError,
    authenticate,
    find_by_email,
    is_locked,
    user_for_token,
)
from console.staff_users import change_role, switch
from tests.console.conftest import PASSWORD, login, post_form

NEW_PASSWORD = "a brand new passphrase"


def _user(sessions, email: str) -> StaffUser:
    with sessions() as session:
        return find_by_email(session, email)


def _actions(sessions) -> list[tuple]:
    with sessions() as session:
        return session.execute(
            select(AuditLog.action, AuditLog.target_id, AuditLog.detail)
            .where(AuditLog.action != "login")
            .order_by(AuditLog.id)
        ).all()


def _flashes(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_staff_cannot_see_or_change_accounts(staff_client, sessions):
    assert staff_client.get("/console/staff/").status_code == 403
    staff_id = _user(sessions, "staff@partnership.test").id
    assert (
        post_form(staff_client, f"/console/staff/{staff_id}/role", {"role": "admin"}).status_code
        == 403
    )
    assert _user(sessions, "staff@partnership.test").role == "staff"


def test_the_list_shows_accounts_without_any_hash(admin_client, make_staff, sessions):
    make_staff("staff", "rosa@partnership.test", "Rosa Díaz")
    with sessions() as session:
        rosa = find_by_email(session, "rosa@partnership.test")
        rosa.api_token_hash = "f" * 64
        session.commit()
        for _ in range(MAX_FAILED_LOGINS):
            authenticate(session, "rosa@partnership.test", "guess")
        session.commit()
        hashes = [rosa.password_hash, rosa.api_token_hash]
    html = admin_client.get("/console/staff/").get_data(as_text=True)
    assert "rosa@partnership.test" in html and "Rosa Díaz" in html
    assert "admin@partnership.test" in html
    assert ">locked<" in html
    for secret in hashes:
        assert secret not in html
    page = admin_client.get(f"/console/staff/{rosa.id}").get_data(as_text=True)
    assert "Unlock now" in page
    assert all(secret not in page for secret in hashes)


def test_an_admin_makes_an_account_that_can_log_in(admin_client, app, sessions):
    response = post_form(
        admin_client,
        "/console/staff/new",
        {
            "email": "Luis@Partnership.test",
            "name": "Luis",
            "role": "staff",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert "Account made for luis@partnership.test" in _flashes(admin_client, response)
    luis = _user(sessions, "luis@partnership.test")
    assert (luis.name, luis.role, luis.active) == ("Luis", "staff", True)
    assert _actions(sessions) == [
        ("staff_user.create", str(luis.id), {"email": "luis@partnership.test", "role": "staff"})
    ]
    assert login(app.test_client(), "luis@partnership.test", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"email": "admin@partnership.test"},
            "There is already an account for admin@partnership.test",
        ),
        ({"password": "short", "password_again": "short"}, "at least 10 characters"),
        ({"password_again": "something else entirely"}, "The two passwords are not the same"),
        ({"email": "not an email"}, "is not an email address"),
    ],
)
def test_an_account_that_cannot_be_made_says_why(admin_client, sessions, fields, message):
    form = {
        "email": "new@partnership.test",
        "name": "New <b>Person</b>",
        "role": "staff",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        **fields,
    }
    response = post_form(admin_client, "/console/staff/new", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#39;", "'")
    # What was typed stays in the form (escaped), the passwords do not.
    assert 'value="New &lt;b&gt;Person&lt;/b&gt;"' in html
    assert NEW_PASSWORD not in html
    with sessions() as session:
        assert session.execute(select(StaffUser.email)).scalars().all() == [
            "admin@partnership.test"
        ]
    assert _actions(sessions) == []


def test_an_admin_cannot_demote_or_switch_off_themself(admin_client, sessions):
    admin_id = _user(sessions, "admin@partnership.test").id
    page = _flashes(
        admin_client, post_form(admin_client, f"/console/staff/{admin_id}/role", {"role": "staff"})
    )
    assert "You cannot take away your own admin role" in page
    page = _flashes(
        admin_client, post_form(admin_client, f"/console/staff/{admin_id}/active", {"active": "0"})
    )
    assert "You cannot switch off your own account" in page
    admin = _user(sessions, "admin@partnership.test")
    assert (admin.role, admin.active) == ("admin", True)
    assert _actions(sessions) == []


def test_an_admin_changes_another_accounts_role(admin_client, make_staff, sessions):
    other = make_staff("admin", "second@partnership.test")
    page = _flashes(
        admin_client, post_form(admin_client, f"/console/staff/{other}/role", {"role": "staff"})
    )
    assert "second@partnership.test is now staff" in page
    assert _user(sessions, "second@partnership.test").role == "staff"
    assert _actions(sessions) == [
        ("staff_user.role", str(other), {"before": "admin", "after": "staff"})
    ]


def test_the_last_active_admin_cannot_be_demoted_or_switched_off(sessions, make_staff):
    # Through the pages the acting admin is always another active admin; the rule still holds
    # for any caller (and for two admins demoting each other at once).
    only_admin = make_staff("admin", "only@partnership.test")
    switched_off_admin = make_staff("admin", "gone@partnership.test")
    actor = make_staff("staff", "actor@partnership.test")
    with sessions() as session:
        session.get(StaffUser, switched_off_admin).active = False
        session.flush()
        acting, admin = session.get(StaffUser, actor), session.get(StaffUser, only_admin)
        with pytest.raises(AccountError, match="last active admin"):
            change_role(session, acting, admin, "staff")
        with pytest.raises(AccountError, match="last active admin"):
            switch(session, acting, admin, False)
        assert (admin.role, admin.active) == ("admin", True)
        # With a second active admin, either may go.
        session.get(StaffUser, switched_off_admin).active = True
        session.flush()
        switch(session, acting, admin, False)
        assert admin.active is False


def test_switching_an_account_off_logs_it_out_and_on_again(admin_client, staff_client, sessions):
    staff_id = _user(sessions, "staff@partnership.test").id
    assert staff_client.get("/console/account/").status_code == 200
    page = _flashes(
        admin_client, post_form(admin_client, f"/console/staff/{staff_id}/active", {"active": "0"})
    )
    assert "is switched off" in page
    assert staff_client.get("/console/account/").status_code == 302
    assert login(staff_client, "staff@partnership.test").status_code == 401

    post_form(admin_client, f"/console/staff/{staff_id}/active", {"active": "1"})
    assert login(staff_client, "staff@partnership.test").status_code == 302
    assert [row[0] for row in _actions(sessions)] == [
        "staff_user.deactivate",
        "staff_user.activate",
    ]


def test_an_admin_unlocks_an_account(admin_client, make_staff, app, sessions):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    for _ in range(5):
        login(client, "rosa@partnership.test", "guess")
    assert login(client, "rosa@partnership.test").status_code == 401
    rosa_id = _user(sessions, "rosa@partnership.test").id
    page = _flashes(admin_client, post_form(admin_client, f"/console/staff/{rosa_id}/unlock"))
    assert "rosa@partnership.test is unlocked" in page
    with sessions() as session:
        assert is_locked(session, "rosa@partnership.test") is None
    assert login(client, "rosa@partnership.test").status_code == 302
    assert [row[0] for row in _actions(sessions)] == ["staff_user.unlock"]


def test_an_admin_sets_a_new_password(admin_client, make_staff, app, sessions):
    rosa = make_staff("staff", "rosa@partnership.test")
    url = f"/console/staff/{rosa}/password"
    page = _flashes(
        admin_client,
        post_form(admin_client, url, {"password": NEW_PASSWORD, "password_again": "x"}),
    )
    assert "The two passwords are not the same" in page
    page = _flashes(
        admin_client,
        post_form(admin_client, url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}),
    )
    assert "New password set for rosa@partnership.test" in page
    client = app.test_client()
    assert login(client, "rosa@partnership.test", PASSWORD).status_code == 401
    assert login(client, "rosa@partnership.test", NEW_PASSWORD).status_code == 302
    assert _actions(sessions) == [("staff_user.password", str(rosa), {})]


def test_unknown_accounts_are_not_found(admin_client):
    assert admin_client.get("/console/staff/9999").status_code == 404
    assert post_form(admin_client, "/console/staff/9999/unlock").status_code == 404


# --- your own account ----------------------------------------------------------------------


def test_staff_change_their_password_with_the_current_one(staff_client, app, sessions):
    url = "/console/account/password"
    form = {"current": "not it", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    page = _flashes(staff_client, post_form(staff_client, url, form))
    assert "Your current password is not right" in page
    page = _flashes(staff_client, post_form(staff_client, url, {**form, "current": PASSWORD}))
    assert "Your password is changed" in page
    assert login(app.test_client(), "staff@partnership.test", NEW_PASSWORD).status_code == 302
    staff_id = _user(sessions, "staff@partnership.test").id
    assert _actions(sessions) == [("staff_user.password", str(staff_id), {"own": True})]


def test_a_token_is_shown_once_works_and_stops_when_revoked(staff_client, sessions):
    response = post_form(staff_client, "/console/account/token", {"current": PASSWORD})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    token = re.search(r'<code class="token">(flt_[\w-]+)</code>', html).group(1)
    assert f'curl -H "Authorization: Bearer {token}" http://localhost/api/conversations' in html
    with sessions() as session:
        owner = user_for_token(session, token)
        assert owner is not None and owner.email == "staff@partnership.test"
        assert owner.api_token_hash not in html
    assert token not in staff_client.get("/console/account/").get_data(as_text=True)

    second = post_form(staff_client, "/console/account/token", {"current": PASSWORD})
    second = second.get_data(as_text=True)
    new_token = re.search(r'<code class="token">(flt_[\w-]+)</code>', second).group(1)
    with sessions() as session:
        assert user_for_token(session, token) is None
        assert user_for_token(session, new_token) is not None

    page = _flashes(staff_client, post_form(staff_client, "/console/account/token/revoke"))
    assert "Your API token is revoked" in page
    with sessions() as session:
        assert user_for_token(session, new_token) is None
    assert [(row[0], row[2]) for row in _actions(sessions)] == [
        ("staff_user.api_token", {"replaced": False}),
        ("staff_user.api_token", {"replaced": True}),
        ("staff_user.api_token_revoke", {}),
    ]
