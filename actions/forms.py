"""What every form validator shares: the family's language, the raw text it answered with, and one
way to turn an unreadable answer into a short re-prompt in that language (the form then asks its
question again)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from .language_slot import LANGUAGES


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "es"


def answer_text(tracker: Tracker, value: Any) -> str:
    """What the family typed. A from_text slot already holds it; a from_entity slot holds only the
    entity, so the message itself is read for context."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return str(tracker.latest_message.get("text") or "").strip()


class FamilyFormValidation(FormValidationAction):
    """Base for the forms' validators. Subclasses implement validate_<slot> methods that call
    `self.reject` when an answer cannot be read."""

    # Abstract, so rasa_sdk does not register this base class as an action of its own.
    @abstractmethod
    def name(self) -> str:
        """Each form's validator is named validate_<form>."""

    @staticmethod
    def reject(
        dispatcher: CollectingDispatcher, slot: str, response: str, **fill: Any
    ) -> dict[str, Any]:
        """Say why the answer did not work; the form asks for `slot` again right after."""
        dispatcher.utter_message(response=response, **fill)
        return {slot: None}
