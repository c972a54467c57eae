"""A new Rasa session (after an hour of silence, domain session_config) forgets a half-finished
form, so a family coming back days later is not asked to finish it; it keeps what stays true:
the language, the family's school and name."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

KEPT_SLOTS = ("language", "school", "person_name")


class ActionStartSession(Action):
    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        kept = [
            SlotSet(slot, tracker.get_slot(slot))
            for slot in KEPT_SLOTS
            if tracker.get_slot(slot) is not None
        ]
        return [SessionStarted(), *kept, ActionExecuted("action_listen")]
