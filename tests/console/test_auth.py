"""Logging in and out: hashed passwords, lockout, CSRF on the login form, safe redirects, and
the session cookie's flags."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from bot.models import AuditLog, StaffUser
from bot.staff.accounts import MAX_FAILED_LOGINS, authenticate, is_locked
from tests.console.conftest import PASSWORD, csrf_of, login, post_form


def _user(sessions, email):
    with sessions() as session:
        return session.execute(select(StaffUser).filter_by(email=email)).scalar_one()


def test_a_password_is_stored_hashed_and_login_opens_the_console(app, make_staff, sessions):
    make_staff("staff", "rosa@partnership.test")
    assert PASSWORD not in _user(sessions, "rosa@partnership.test").password_hash
    client = app.test_client()
    response = login(client, "Rosa@Partnership.test ")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/console/", follow_redirects=True)
    assert page.status_code == 200
    assert b"Conversations" in page.data
    with sessions() as session:
        assert session.execute(select(AuditLog.action)).scalars().all() == ["login"]


def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_email(app, make_staff):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    wrong_password = login(client, "rosa@partnership.test", "not the password")
    unknown_email = login(client, "nobody@partnership.test")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert b"don&#39;t match an account" in wrong_password.data
    assert b"don&#39;t match an account" in unknown_email.data
    assert client.get("/console/conversations/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, make_staff, sessions):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    for _ in range(MAX_FAILED_LOGINS):
        login(client, "rosa@partnership.test", "guess")
    response = login(client, "rosa@partnership.test")
    assert response.status_code == 401
    assert b"locked for 15 more minutes" in response.data
    with sessions() as session:
        assert is_locked(session, "rosa@partnership.test") is not None


def test_a_lock_ends_by_itself(make_staff, sessions):
    make_staff("staff", "rosa@partnership.test")
    with sessions() as session:
        for _ in range(MAX_FAILED_LOGINS):
            authenticate(session, "rosa@partnership.test", "guess")
        locked = authenticate(session, "rosa@partnership.test", PASSWORD)
        assert locked.outcome == "locked"
        later = locked.locked_until + timedelta(seconds=1)
        assert authenticate(session, "rosa@partnership.test", PASSWORD, now=later).outcome == "ok"


def test_a_switched_off_account_cannot_log_in(app, make_staff, sessions):
    user_id = make_staff("staff", "rosa@partnership.test")
    with sessions() as session:
        session.get(StaffUser, user_id).active = False
        session.commit()
    response = login(app.test_client(), "rosa@partnership.test")
    assert response.status_code == 401
    assert b"switched off" in response.data


def test_the_login_form_needs_its_csrf_token(app, make_staff):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    response = client.post(
        "/console/login", data={"email": "rosa@partnership.test", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/console/conversations/").status_code == 302


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(app, make_staff):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    first = client.get("/console/dashboard/?days=30")
    assert first.status_code == 302
    location = urlsplit(first.headers["Location"])
    assert location.path == "/console/login"
    assert parse_qs(location.query)["next"] == ["/console/dashboard/?days=30"]
    token = csrf_of(client)
    back = client.post(
        "/console/login",
        data={
            "email": "rosa@partnership.test",
            "password": PASSWORD,
            "next": "/console/dashboard/?days=30",
            "csrf_token": token,
        },
    )
    assert back.headers["Location"] == "/console/dashboard/?days=30"
    for hostile in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        other = app.test_client()
        token = csrf_of(other)
        response = other.post(
            "/console/login",
            data={
                "email": "rosa@partnership.test",
                "password": PASSWORD,
                "next": hostile,
                "csrf_token": token,
            },
        )
        assert response.headers["Location"] == "/console/"


def test_logout_ends_the_session(staff_client):
    assert staff_client.get("/console/conversations/").status_code == 200
    response = post_form(staff_client, "/console/logout")
    assert response.status_code == 302
    assert staff_client.get("/console/conversations/").status_code == 302


def test_a_session_from_before_login_is_not_carried_over(app, make_staff):
    make_staff("staff", "rosa@partnership.test")
    client = app.test_client()
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
    login(client, "rosa@partnership.test")
    with client.session_transaction() as after:
        assert "planted" not in after


def test_a_login_expires_after_the_session_hours(staff_client):
    with staff_client.session_transaction() as flask_session:
        flask_session["staff_login_at"] -= 13 * 3600
    assert staff_client.get("/console/conversations/").status_code == 302


def test_cookies_are_secure_behind_https(seeded_db, fake_rasa, tmp_path, make_staff):
    from tests.conftest import make_settings
    from webhooks import create_app

    settings = make_settings(seeded_db, tmp_path, PUBLIC_BASE_URL="https://line.example.org")
    app = create_app(settings)
    make_staff("staff", "rosa@partnership.test")
    response = login(app.test_client(), "rosa@partnership.test")
    assert "Secure" in response.headers["Set-Cookie"]
