"""The web server's access log never holds a query string (issue 15, point 7): a door search by a
family's phone number or an inbox search by name would otherwise sit in the log in clear, while
docs/privacy.md promises masked numbers."""

from __future__ import annotations

import time

import pytest
import requests

pytestmark = pytest.mark.e2e

SEARCHED_PHONE = "3235559876"


def test_gunicorns_access_log_has_paths_but_no_query_strings(stack, stack_log):
    base = f"http://127.0.0.1:{stack.port}"
    searches = [
        f"/console/registrations/1?q={SEARCHED_PHONE}",
        f"/healthz?phone={SEARCHED_PHONE}",
        f"/console/login?next=/console/inbox?q={SEARCHED_PHONE}",
    ]
    for path in searches:
        referrer = f"{base}/console/inbox?q={SEARCHED_PHONE}"
        requests.get(base + path, timeout=10, allow_redirects=False, headers={"Referer": referrer})
    deadline = time.time() + 5
    lines: list[str] = []
    while time.time() < deadline:
        text = stack_log.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if '"GET /console/registrations/1 ' in line]
        if lines:
            break
        time.sleep(0.2)
    assert lines, "gunicorn logged no access line for the door search"
    assert '"GET /healthz ' in text
    assert SEARCHED_PHONE not in text
