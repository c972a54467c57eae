"""Conversations as the action server sees them, for calling actions directly in tests: a real
rasa_sdk Tracker for one family message, and the text Rasa would send for what an action uttered."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.rasa.project import load_domain

# Keys CollectingDispatcher.utter_message always records; everything else is a template value.
_MESSAGE_KEYS = {
    "text",
    "buttons",
    "elements",
    "custom",
    "template",
    "response",
    "image",
    "attachment",
}


def _entity(entity: dict | tuple[str, Any]) -> dict:
    if isinstance(entity, dict):
        return entity
    name, value = entity
    return {"entity": name, "value": value, "extractor": "DIETClassifier"}


def make_tracker(
    text: str,
    intent: str,
    entities: Iterable[dict | tuple[str, Any]] = (),
    slots: dict[str, Any] | None = None,
    language: str = "es",
    sender_id: str = "t1",
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """The tracker right after a family sent `text`, classified as `intent`. Entities are
    ("school", "Jordan") pairs or full Rasa entity dicts; the language slot and the message
    metadata carry `language`, as the web process sends it."""
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": [{"name": intent, "confidence": 1.0}],
        "entities": [_entity(entity) for entity in entities],
        "metadata": {"language": language, **(metadata or {})},
    }
    user_event = {
        "event": "user",
        "text": text,
        "parse_data": latest_message,
        "metadata": latest_message["metadata"],
    }
    return Tracker(
        sender_id=sender_id,
        slots={"language": language, **(slots or {})},
        latest_message=latest_message,
        events=[{"event": "action", "name": "action_listen"}, user_event],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@lru_cache(maxsize=1)
def domain() -> dict:
    """The merged domain, as the action server receives it with each call."""
    return load_domain()


def render(dispatcher_message: dict, language: str) -> str:
    """The text Rasa would send for one CollectingDispatcher message: its response's variant for
    `language` (Spanish when "es", the unconditional English one otherwise), filled in."""
    name = dispatcher_message.get("response")
    if not name:
        return dispatcher_message["text"]
    wanted = [{"type": "slot", "name": "language", "value": "es"}] if language == "es" else None
    variants = domain()["responses"][name]
    template = next(v["text"] for v in variants if (v.get("condition") or None) == wanted)
    values = {k: v for k, v in dispatcher_message.items() if k not in _MESSAGE_KEYS}
    return template.format(**values)
