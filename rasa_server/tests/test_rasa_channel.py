"""The family_line channel (bot/rasa/channel.py): the REST channel's replies plus what the model
read in this message, taken from the sender's tracker. Driven here with a stand-in for Rasa's
agent (real tracker store, lock store and events, no model); tests/e2e runs it in real Rasa."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUtteranceReverted, UserUttered

from bot.rasa.channel import FamilyLineInput, understanding_of_turn


def _parse(intent: str, confidence: float = 0.9, **entities) -> dict:
    return {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
    }


class _Agent:
    """What the channel uses of rasa.core.agent.Agent, around a real in-memory tracker store."""

    def __init__(self):
        self.store = InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()
        self.processor = SimpleNamespace(get_tracker=self._get_tracker)
        self.reads = 0  # the channel's tracker reads

    def is_ready(self) -> bool:
        return True

    async def _get_tracker(self, sender_id):
        self.reads += 1
        return await self.store.get_or_create_tracker(sender_id, append_action_listen=False)


def _post(agent: _Agent, handle, body: dict) -> dict:
    """POST /webhook on the channel's blueprint, with `handle` as Rasa's on_new_message."""
    blueprint = FamilyLineInput().blueprint(handle)
    # Sanic 21.12 keeps a blueprint's routes here until it is registered on an app.
    [receive] = [r.handler for r in blueprint._future_routes if r.uri == "/webhook"]
    request = SimpleNamespace(json=body, app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))
    answer = asyncio.run(receive(request))
    return json.loads(answer.body)


def _rasa(agent: _Agent, parse: dict, *, replay: dict | None = None, fail: bool = False):
    """Handles a message as Rasa would: logs the user turn, answers, saves the tracker."""

    async def handle(message):
        async with agent.lock_store.lock(message.sender_id):
            tracker = await agent.store.get_or_create_tracker(message.sender_id)
            tracker.update(
                UserUttered(message.text, parse_data=parse, message_id=message.message_id)
            )
            await message.output_channel.send_text_message(message.sender_id, "Hola")
            if fail:
                raise RuntimeError("an action failed")
            if replay:  # what action_take_clarification does
                tracker.update(UserUtteranceReverted())
                tracker.update(UserUttered("the unclear text", parse_data=replay))
            await message.output_channel.send_custom_json(message.sender_id, {"handoff": "x"})
            await agent.store.save(tracker)

    return handle


BODY = {"sender": "abc123", "message": "english please", "metadata": {"language": "es"}}


def test_the_replies_as_the_rest_channel_and_what_the_model_read():
    agent = _Agent()
    answer = _post(agent, _rasa(agent, _parse("change_language", 0.97, language="en")), BODY)
    assert answer["messages"] == [
        {"recipient_id": "abc123", "text": "Hola"},
        {"recipient_id": "abc123", "custom": {"handoff": "x"}},
    ]
    assert answer["understanding"] == {
        "intent": "change_language",
        "confidence": 0.97,
        "entities": [{"entity": "language", "value": "en"}],
    }


def test_a_turn_replayed_by_the_clarification_reports_the_picked_intent():
    agent = _Agent()
    handle = _rasa(agent, _parse("nlu_fallback", 0.3), replay=_parse("ask_events", 1.0))
    assert _post(agent, handle, BODY)["understanding"]["intent"] == "ask_events"


def test_a_failed_turn_returns_what_was_collected_and_no_understanding():
    agent = _Agent()
    answer = _post(agent, _rasa(agent, _parse("greet"), fail=True), BODY)
    assert answer == {
        "messages": [{"recipient_id": "abc123", "text": "Hola"}],
        "understanding": {"intent": None, "confidence": None, "entities": []},
    }
    assert agent.reads == 0  # the failed turn was not saved: nothing to read


def _user(intent: str, message_id: str | None) -> UserUttered:
    return UserUttered("text", parse_data=_parse(intent), message_id=message_id)


@pytest.mark.parametrize(
    "events, intent",
    [
        ([_user("greet", "a"), ActionExecuted("utter_greet"), _user("thank", "b")], "greet"),
        ([_user("greet", "a"), UserUtteranceReverted(), _user("ask_events", None)], "ask_events"),
        ([_user("greet", "z")], None),
        ([], None),
    ],
    ids=["not-the-next-message", "replayed", "not-found", "empty"],
)
def test_the_turn_is_found_by_its_message_id(events, intent):
    assert understanding_of_turn(events, "a")["intent"] == intent
