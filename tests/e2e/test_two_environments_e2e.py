"""The protocol between the two environments (issue 17): the real Rasa 3.6.21 server, in its own
Python 3.10 environment, calls the action server this environment runs with the current rasa-sdk,
and forms, slots, events and the family_line channel work across them."""

from __future__ import annotations

import importlib.metadata
import sys
import uuid

import pytest
import requests

from tests.conftest import TEST_RASA_TOKEN

pytestmark = pytest.mark.e2e
TOKEN = {"token": TEST_RASA_TOKEN}


def _say(stack, sender: str, text: str) -> list[dict]:
    answer = requests.post(
        stack.rasa_url + "/webhooks/family_line/webhook",
        params=TOKEN,
        json={"sender": sender, "message": text, "metadata": {"language": "es"}},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["messages"]


def _events(stack, sender: str) -> list[dict]:
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params=TOKEN, timeout=30
    )
    tracker.raise_for_status()
    return tracker.json()["events"]


def test_rasa_3_6_on_its_own_python_and_the_current_sdk_on_ours(stack):
    version = requests.get(stack.rasa_url + "/version", params=TOKEN, timeout=10).json()
    assert version["version"] == "3.6.21"
    assert sys.version_info >= (3, 11)
    assert importlib.metadata.version("rasa_sdk") == "3.21.1"
    served = requests.get(stack.action_server_url + "/actions", timeout=10).json()
    assert {"action_answer_school_info", "validate_registration_form"} <= {
        action["name"] for action in served
    }


def test_a_form_its_slots_and_a_custom_answer_cross_between_them(stack):
    sender = f"protocol-{uuid.uuid4().hex[:8]}"

    asked = _say(stack, sender, "quiero inscribirme a parent college")
    events = _events(stack, sender)

    assert asked and all(message.get("text") or message.get("custom") for message in asked)
    # Rasa ran the form; the action server's validator answered with events Rasa applied.
    assert any(e["event"] == "active_loop" and e.get("name") == "registration_form" for e in events)
    ran = [e["name"] for e in events if e["event"] == "action"]
    assert "registration_form" in ran
    assert any(e["event"] == "slot" for e in events)

    address = _say(stack, f"{sender}-2", "donde queda markham?")
    assert "1650 E 104th St" in " ".join(message.get("text", "") for message in address)
    assert "action_answer_school_info" in [
        e["name"] for e in _events(stack, f"{sender}-2") if e["event"] == "action"
    ]
