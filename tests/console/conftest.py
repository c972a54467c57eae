"""Console fixtures: staff accounts, logged-in clients, and a form post that carries the CSRF
token the way the console's own forms do."""

from __future__ import annotations

import pytest

from bot.db import session_scope
from bot.staff.accounts import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def make_staff(sessions):
    """Creates an account; returns its id. Emails are unique per test."""

    def make(role: str = "staff", email: str | None = None, name: str | None = None) -> int:
        with session_scope(sessions) as session:
            user = create_user(session, email or f"{role}@partnership.test", PASSWORD, role, name)
            return user.id

    return make


def csrf_of(client) -> str:
    """This client's session CSRF token (made on first use, as a page render would)."""
    with client.session_transaction() as flask_session:
        if "csrf" not in flask_session:
            flask_session["csrf"] = "test-csrf-token"
        return flask_session["csrf"]


def login(client, email: str, password: str = PASSWORD):
    token = csrf_of(client)
    return client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": token}
    )


@pytest.fixture
def staff_client(app, make_staff):
    make_staff("staff", "staff@partnership.test", "Rosa Staff")
    client = app.test_client()
    assert login(client, "staff@partnership.test").status_code == 302
    return client


@pytest.fixture
def admin_client(app, make_staff):
    make_staff("admin", "admin@partnership.test", "Ana Admin")
    client = app.test_client()
    assert login(client, "admin@partnership.test").status_code == 302
    return client


def post_form(client, url: str, data: dict | None = None, **kwargs):
    """Posts like a console form: with the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(client)}, **kwargs)


@pytest.fixture
def api_token(sessions, make_staff):
    """A new account of `role` with an API token; returns the Authorization header."""
    from bot.models import StaffUser
    from bot.staff.accounts import issue_api_token

    def make(role: str = "staff") -> dict:
        user_id = make_staff(role, f"api-{role}@partnership.test")
        with session_scope(sessions) as session:
            token = issue_api_token(session.get(StaffUser, user_id))
        return {"Authorization": f"Bearer {token}"}

    return make
