"""The real Rasa server answers only callers holding RASA_API_TOKEN, on its API and its channels
alike, and the action server listens on this machine only (issue 15, point 3: anyone on the same
network could read trackers, replace the model or run a family's actions)."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import TEST_RASA_TOKEN
from tests.support.network_guard import this_machines_addresses

pytestmark = pytest.mark.e2e

CALLS = [
    ("GET", "/status", None),
    ("POST", "/model/parse", {"text": "hola"}),
    ("GET", "/conversations/someone/tracker", None),
    ("POST", "/webhooks/rest/webhook", {"sender": "someone", "message": "hola"}),
    ("POST", "/webhooks/family_line/webhook", {"sender": "someone", "message": "hola"}),
    ("POST", "/webhooks/family_line/model", {"model_file": "/etc/passwd.tar.gz"}),
    ("PUT", "/model", {"model_file": "/etc/passwd.tar.gz"}),
]


@pytest.mark.parametrize("method, path, body", CALLS)
def test_without_the_token_rasa_answers_401(stack, method, path, body):
    for params in ({}, {"token": "wrong"}):
        answer = requests.request(
            method, stack.rasa_url + path, params=params, json=body, timeout=30
        )
        assert answer.status_code == 401, (path, params, answer.text[:200])


def test_only_the_greeting_haproxy_checks_is_open(stack):
    greeting = requests.get(stack.rasa_url + "/", timeout=10)
    assert greeting.status_code == 200 and greeting.text.startswith("Hello from Rasa")
    for path in ("//status", "/status/"):
        answer = requests.get(stack.rasa_url + path, timeout=10)
        assert answer.status_code in (401, 404), (path, answer.status_code)
    assert requests.post(stack.rasa_url + "/", json={}, timeout=10).status_code in (401, 405)


def test_with_the_token_rasa_answers(stack):
    token = {"token": TEST_RASA_TOKEN}
    assert requests.get(stack.rasa_url + "/status", params=token, timeout=10).ok
    parsed = requests.post(
        stack.rasa_url + "/model/parse", params=token, json={"text": "hola"}, timeout=30
    )
    assert parsed.ok and parsed.json()["intent"]["name"]


def test_the_action_server_is_not_reachable_from_the_network(stack):
    addresses = sorted(this_machines_addresses())
    if not addresses:
        pytest.skip("this machine has no address but loopback to try from")
    address = addresses[0]
    assert requests.get(f"{stack.action_server_url}/health", timeout=5).ok
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{address}:{stack.action_port}/health", timeout=5)
