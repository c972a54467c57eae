"""The `language` slot comes from the web process, which chose it (explicit preference, detection,
history) and sends it as message metadata. Rasa fills custom-mapped slots through this action."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from bot.families.contacts import language_asked_for, language_refused
from bot.text.languages import LANGUAGES, known

CHANGE_LANGUAGE = "change_language"


def language_from_metadata(metadata: dict | None) -> str | None:
    language = (metadata or {}).get("language")
    return known(language)


class ActionValidateLanguageSlot(ValidationAction):
    """action_validate_slot_mappings: runs after every family message."""

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        language = language_from_metadata(tracker.latest_message.get("metadata"))
        if (tracker.latest_message.get("intent") or {}).get("name") == CHANGE_LANGUAGE:
            # Switched here, before anything answers, so the confirmation and whatever the bot
            # was asking (a form's next question) come in the new language. The web process
            # makes the same choice for the contact
            # (bot.families.contacts.choose_language_explicitly).
            language = requested_language(tracker, language)
        if language is None or language == tracker.get_slot("language"):
            return {}
        return {"language": language}


def requested_language(tracker: Tracker, written_in: str | None) -> str:
    """As bot.families.contacts.language_asked_for: not a language refused ("no hablo inglés");
    else the one named ("en inglés"); else the one the message is written in when the conversation
    was in the other; else the other one ("can we switch?")."""
    named = [
        entity.get("value")
        for entity in tracker.latest_message.get("entities") or []
        if entity.get("entity") == "language" and entity.get("value") in LANGUAGES
    ]
    before = tracker.get_slot("language")
    refused = language_refused(str(tracker.latest_message.get("text") or ""))
    return language_asked_for(named[-1] if named else None, written_in, before, refused)
