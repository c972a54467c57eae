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
