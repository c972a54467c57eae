"""Browser fixtures: the system's Chromium through Playwright, and the Flask app served over
real HTTP on a free loopback port (a fake Rasa behind it)."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (requirements.lock has it)"
)


@pytest.fixture
def database_url(sqlite_url):
    # SQLite only: the database layer is tested on both elsewhere; here a browser is the subject.
    return sqlite_url


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    with playwright_sync.sync_playwright() as playwright:
        # `playwright install` would download its own browser; this machine uses Debian's.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()
