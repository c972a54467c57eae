"""Passing a family to a person: when it asks (talk_to_human) or after the bot failed to
understand twice in a row. The web process reads the `handoff` payload and puts the conversation
in the staff queue; the bot keeps answering what it can while the family waits
(bot/families/handoff.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from bot.families.office_hours import when_staff_answer
from bot.models import utcnow

from .forms import language_of

ASKED = "talk_to_human"
NOT_UNDERSTOOD = "not_understood"


def hand_off(dispatcher: CollectingDispatcher, language: str, reason: str) -> list[dict[str, Any]]:
    response = "utter_handoff" if reason == ASKED else "utter_handoff_not_understood"
    dispatcher.utter_message(response=response, when=when_staff_answer(utcnow(), language))
    dispatcher.utter_message(json_message={"handoff": reason})
    # A form in progress is closed by the rule that called this (action_deactivate_loop).
    return []


class ActionHandOffConversation(Action):
    def name(self) -> str:
        return "action_hand_off"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        return hand_off(dispatcher, language_of(tracker), ASKED)
