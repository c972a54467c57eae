"""The `language` slot comes from the web process, which chose it (explicit preference, detection,
history) and sends it as message metadata. Rasa fills custom-mapped slots through this action."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

LANGUAGES = ("en", "es")


def language_from_metadata(metadata: dict | None) -> str | None:
    language = (metadata or {}).get("language")
    return language if language in LANGUAGES else None


class ValidatePredefinedSlots(ValidationAction):
    """action_validate_slot_mappings: runs after every family message."""

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        language = language_from_metadata(tracker.latest_message.get("metadata"))
        if language is None or language == tracker.get_slot("language"):
            return {}
        return {"language": language}
