"""Logged-in staff may send more than the public limit (issue 15, point 5): a school list's CSV of
a megabyte still gets to the import, past the 256 KB every public endpoint allows."""

from __future__ import annotations

import io

from tests.console.conftest import csrf_of


def test_the_console_still_takes_a_csv_of_a_megabyte(admin_client):
    payload = b"x" * (1024 * 1024)
    response = admin_client.post(
        "/console/data/schools/import",
        data={"csrf_token": csrf_of(admin_client), "file": (io.BytesIO(payload), "s.csv")},
    )
    assert response.status_code != 413


def test_before_login_the_console_takes_no_more_than_the_public_limit(client):
    # The login form (and any console post without a login) is public: 256 KB, like the rest.
    response = client.post("/console/login", data={"email": "x" * (1024 * 1024)})
    assert response.status_code == 413


def test_the_api_takes_more_only_from_a_tokens_holder(client, api_token):
    body = {"numbers": ["+13235550100"] * 40_000}  # about 700 KB of JSON
    assert client.post("/api/broadcasts", json=body).status_code == 401
    with_token = client.post("/api/broadcasts", json=body, headers=api_token("admin"))
    assert with_token.status_code != 413
