"""GET /healthz: the status for anyone; which part is down and why for the holder of HEALTH_TOKEN
(issue 15, point 6: the public answer named internal hosts, ports and exception texts)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.worker import HEARTBEAT_KEY, make_huey
from tests.conftest import HEALTH_DETAILS, make_settings


@pytest.fixture
def action_server():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b'{"status": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _client(settings):
    from webhooks import create_app

    return create_app(settings).test_client()


def test_everything_down_but_the_database(seeded_db, tmp_path):
    settings = make_settings(
        seeded_db, tmp_path, RASA_URL="http://127.0.0.1:9", ACTION_SERVER_URL="http://127.0.0.1:9"
    )
    response = _client(settings).get("/healthz", headers=HEALTH_DETAILS)
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True}
    for part in ("rasa", "action_server", "worker"):
        assert body["checks"][part]["ok"] is False and body["checks"][part]["error"]


def test_all_up(seeded_db, tmp_path, fake_rasa, action_server):
    settings = make_settings(
        seeded_db, tmp_path, RASA_URL=fake_rasa.url, ACTION_SERVER_URL=action_server
    )
    make_huey(settings).put(HEARTBEAT_KEY, time.time())
    response = _client(settings).get("/healthz", headers=HEALTH_DETAILS)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ok"


def test_a_stale_worker_heartbeat_is_reported(seeded_db, tmp_path, fake_rasa, action_server):
    settings = make_settings(
        seeded_db, tmp_path, RASA_URL=fake_rasa.url, ACTION_SERVER_URL=action_server
    )
    make_huey(settings).put(HEARTBEAT_KEY, time.time() - 3600)
    body = _client(settings).get("/healthz", headers=HEALTH_DETAILS).get_json()
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["last_heartbeat_seconds_ago"] >= 3600


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer "}]
)
def test_without_the_token_only_the_status_is_told(seeded_db, tmp_path, headers):
    settings = make_settings(
        seeded_db, tmp_path, RASA_URL="http://127.0.0.1:9", ACTION_SERVER_URL="http://127.0.0.1:9"
    )
    response = _client(settings).get("/healthz", headers=headers)
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded"}
    assert b"127.0.0.1" not in response.data and b"Error" not in response.data


def test_with_no_token_configured_nobody_sees_details(seeded_db, tmp_path, fake_rasa):
    settings = make_settings(seeded_db, tmp_path, RASA_URL=fake_rasa.url).with_overrides(
        health_token=None
    )
    body = _client(settings).get("/healthz", headers={"Authorization": "Bearer "}).get_json()
    assert set(body) == {"status"}


def test_a_flood_of_public_checks_asks_rasa_once(seeded_db, tmp_path, fake_rasa, action_server):
    settings = make_settings(
        seeded_db, tmp_path, RASA_URL=fake_rasa.url, ACTION_SERVER_URL=action_server
    )
    client = _client(settings)
    before = fake_rasa.status_calls
    for _ in range(20):
        client.get("/healthz")
    assert fake_rasa.status_calls - before == 1
