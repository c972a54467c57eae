"""Walks the app's whole URL map: every console and API route refuses anyone not logged in,
staff cannot reach admin pages, and no console form is accepted without its CSRF token.

New routes are covered without touching this file; a route that forgets its login check fails
here."""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from tests.console.conftest import login

# Reachable without a login: the login page itself and the stylesheet it needs.
PUBLIC_ENDPOINTS = {"auth.login", "auth.static"}
ADMIN_PREFIXES = ("/console/data", "/console/staff", "/console/audit", "/console/broadcasts")


def _sample_url(app, rule) -> str:
    # Any value of the right type: the check under test runs before the route looks it up.
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else "x"
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _routes(app, prefix: str):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and rule.endpoint not in PUBLIC_ENDPOINTS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, _sample_url(app, rule)


def test_the_walk_finds_the_console_and_the_api(app):
    console = {rule.endpoint for rule, _, _ in _routes(app, "/console")}
    assert {"inbox.index", "thread.show", "dashboard.index", "data.index"} <= console
    assert any(True for _ in _routes(app, "/api"))


def test_every_console_route_sends_strangers_to_the_login_page(app):
    client = app.test_client()
    for _rule, method, url in _routes(app, "/console"):
        with client.session_transaction() as flask_session:
            flask_session["csrf"] = "walk"
        response = client.open(url, method=method, data={"csrf_token": "walk"})
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.headers["Location"].startswith("/console/login"), (method, url)


def test_every_api_route_refuses_requests_without_a_valid_token(app):
    client = app.test_client()
    for _rule, method, url in _routes(app, "/api"):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.open(url, method=method, headers=headers)
            assert response.status_code == 401, (method, url, headers, response.status_code)
            assert response.is_json


@pytest.fixture
def staff_only_client(app, make_staff):
    make_staff("staff", "walker@partnership.test")
    client = app.test_client()
    assert login(client, "walker@partnership.test").status_code == 302
    return client


def test_staff_cannot_reach_admin_pages(app, staff_only_client):
    from tests.console.conftest import csrf_of

    token = csrf_of(staff_only_client)
    checked = 0
    for _rule, method, url in _routes(app, "/console"):
        if url.startswith(ADMIN_PREFIXES):
            response = staff_only_client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, url, response.status_code)
            checked += 1
    assert checked > 0


def test_no_console_form_is_accepted_without_its_csrf_token(app, staff_only_client):
    checked = 0
    for _rule, method, url in _routes(app, "/console"):
        if method == "GET":
            continue
        response = staff_only_client.open(url, method=method, data={})
        assert response.status_code == 400, (method, url, response.status_code)
        checked += 1
    assert checked > 0
