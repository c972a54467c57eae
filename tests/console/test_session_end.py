"""A console login ends everywhere when it should (issue 15, point 4): a copied session cookie stops
working at logout, at a new password (set by the user or an admin) and when the account is
switched off, not 12 hours later."""

from __future__ import annotations

from bot.staff.accounts import MAX_FAILED_LOGINS
from tests.console.conftest import PASSWORD, csrf_of, login, post_form

STAFF = "staff@partnership.test"


def _copy_of(app, client):
    """Another browser holding the same session cookie, as a thief with a copied cookie would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _staff_id(sessions) -> int:
    from bot.staff.accounts import find_by_email

    with sessions() as db:
        return find_by_email(db, STAFF).id


def _inside(client) -> bool:
    return client.get("/console/conversations/").status_code == 200


def test_a_copied_cookie_works_until_logout_and_never_after(app, staff_client):
    thief = _copy_of(app, staff_client)
    assert _inside(thief)
    post_form(staff_client, "/console/logout")
    assert not _inside(thief)


def test_logout_ends_the_accounts_other_logins_too(app, make_staff, staff_client):
    laptop = app.test_client()
    assert login(laptop, STAFF).status_code == 302
    post_form(staff_client, "/console/logout")
    assert not _inside(laptop)


def test_an_admin_setting_a_new_password_ends_the_users_logins(
    app, staff_client, admin_client, sessions
):
    user_id = _staff_id(sessions)
    thief = _copy_of(app, staff_client)
    new = "another long password"
    response = post_form(
        admin_client,
        f"/console/staff/{user_id}/password",
        {"password": new, "password_again": new},
    )
    assert response.status_code == 302
    assert not _inside(staff_client)
    assert not _inside(thief)
    assert _inside(admin_client)


def test_changing_your_own_password_keeps_you_in_and_ends_the_copies(app, staff_client):
    thief = _copy_of(app, staff_client)
    new = "a brand new password"
    response = post_form(
        staff_client,
        "/console/account/password",
        {"current": PASSWORD, "password": new, "password_again": new},
    )
    assert response.status_code == 302
    assert _inside(staff_client)
    assert not _inside(thief)


def test_switching_an_account_off_ends_its_logins_and_switching_on_does_not_revive_them(
    app, staff_client, admin_client, sessions
):
    user_id = _staff_id(sessions)
    thief = _copy_of(app, staff_client)
    post_form(admin_client, f"/console/staff/{user_id}/active", {"active": "0"})
    post_form(admin_client, f"/console/staff/{user_id}/active", {"active": "1"})
    assert not _inside(staff_client)
    assert not _inside(thief)
    assert login(app.test_client(), STAFF).status_code == 302
    assert csrf_of(staff_client)


def test_a_copied_cookie_cannot_make_an_api_token_without_the_password(app, staff_client, sessions):
    thief = _copy_of(app, staff_client)
    page = post_form(thief, "/console/account/token", {"current": "a guess"}, follow_redirects=True)
    assert b"not right" in page.data and b'class="token"' not in page.data
    with sessions() as db:
        from bot.staff.accounts import find_by_email

        assert find_by_email(db, STAFF).api_token_hash is None


def test_a_copied_cookie_cannot_guess_the_password_on_the_change_form(app, staff_client):
    thief = _copy_of(app, staff_client)
    for i in range(MAX_FAILED_LOGINS):
        post_form(
            thief,
            "/console/account/password",
            {"current": f"guess {i}", "password": "x" * 12, "password_again": "x" * 12},
        )
    page = post_form(
        thief,
        "/console/account/password",
        {"current": PASSWORD, "password": "y" * 12, "password_again": "y" * 12},
        follow_redirects=True,
    )
    assert b"Too many wrong passwords" in page.data
    assert login(app.test_client(), STAFF).status_code == 401  # locked, the old password kept


def test_a_new_password_stops_the_api_token_too(staff_client, admin_client, sessions):
    from bot.staff.accounts import user_for_token

    page = post_form(staff_client, "/console/account/token", {"current": PASSWORD}).data.decode()
    token = page.split('<code class="token">')[1].split("<")[0]
    new = "another long password"
    post_form(
        admin_client,
        f"/console/staff/{_staff_id(sessions)}/password",
        {"password": new, "password_again": new},
    )
    with sessions() as db:
        assert user_for_token(db, token) is None
