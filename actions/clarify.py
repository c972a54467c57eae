"""The two-stage fallback: when the model is unsure, offer its best guesses as a numbered list
instead of guessing; a second miss in a row goes to a person.

A pick sets `clarified_intent`; a rule per intent then runs the same answer as that intent's own
rule (ANSWERED_BY names it; a test keeps the two in step)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet

from bot import texts
from bot.directory.events import named_events
from bot.families.office_hours import when_staff_answer
from bot.models import utcnow
from bot.reading.answers import read_choice, read_yes_no
from bot.reading.language_question import asks_what_language
from bot.reading.school_facts import facts_asked
from bot.reading.school_matters import MATTERS

from .data import db_session
from .forms import language_of
from .handoff import NOT_UNDERSTOOD, hand_off

FALLBACK = "nlu_fallback"
PROGRAMS = "ask_programs"
CANCEL = "cancel_registration"
SCHOOL_INFO = "ask_school_info"
EVENTS = "ask_events"
MOST_OPTIONS = 3
LANGUAGE_QUESTION = "language_question"  # the hand-off's reason (bot/families/handoff.py)
# Below this the model's guess is noise, not worth offering.
LEAST_CONFIDENCE = 0.08

# What each offerable intent means, as a family would say it.
# What answers each offered intent: the same action its rule runs (dialogue/*.yml).
ANSWERED_BY = {
    "ask_school_info": "school_info_form",
    "ask_events": "action_answer_events",
    "ask_programs": "action_answer_programs",
    "ask_parent_college": "action_answer_parent_college",
    "register_parent_college": "registration_form",
    "cancel_registration": "action_ask_before_cancelling",
    "check_registration": "action_check_registration",
    "talk_to_human": "action_hand_off",
    "ask_about_partnership": "utter_about_partnership",
    "bot_help": "utter_help_menu",
    **{matter: "school_info_form" for matter in MATTERS},
}


def _user_turns(tracker: Tracker) -> list[dict]:
    return [event for event in tracker.events if event.get("event") == "user"]


def intent_of(user_event: dict) -> str | None:
    """The intent the model read in one of the family's messages (a tracker's user event)."""
    return ((user_event.get("parse_data") or {}).get("intent") or {}).get("name")


def best_guesses(parse_data: dict) -> list[str]:
    ranking = parse_data.get("intent_ranking") or []
    guesses = [
        item["name"]
        for item in ranking
        if item.get("name") in ANSWERED_BY and (item.get("confidence") or 0) >= LEAST_CONFIDENCE
    ]
    return guesses[:MOST_OPTIONS]


def settled_by_what_is_named(tracker: Tracker, guesses: list[str], now: datetime) -> str | None:
    """The guess the message itself proves, when answering it changes nothing: a program it
    names ("¿va a haber escuela de verano?") for programs, a school fact it names ("y el
    teléfono?") for a school's information, an event it names by its title ("when is college
    and career night") for events. None: the family is asked."""
    if PROGRAMS in guesses and next(tracker.get_latest_entity_values("program"), None):
        return PROGRAMS
    if SCHOOL_INFO in guesses and facts_asked(tracker.latest_message.get("text")):
        return SCHOOL_INFO  # "y el teléfono xfa": a fact a school has; which school is asked
    if EVENTS in guesses or "ask_parent_college" in guesses:
        with db_session() as session:
            if named_events(session, tracker.latest_message.get("text"), now):
                return EVENTS
    return None


class ActionClarifyMeaning(Action):
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock  # tests pass a fixed clock; the seeded calendar has fixed dates

    def name(self) -> str:
        return "action_clarify"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        language = language_of(tracker)
        turns = _user_turns(tracker)
        if len(turns) >= 2 and intent_of(turns[-2]) == FALLBACK:
            return hand_off(dispatcher, language, NOT_UNDERSTOOD)
        if asks_what_language(tracker.latest_message.get("text")):
            # "Is it gonna be in Spanish too?" (bot/reading/language_question.py): what the line
            # knows, Parent College's languages, and a person for any other event.
            when = when_staff_answer(self.clock(), "en" if language == "en" else "es")
            dispatcher.utter_message(response="utter_language_of_classes", when=when)
            dispatcher.utter_message(json_message={"handoff": LANGUAGE_QUESTION})
            return [SlotSet("clarify_options", None), SlotSet("clarified_intent", None)]
        guesses = best_guesses(tracker.latest_message)
        settled = settled_by_what_is_named(tracker, guesses, self.clock())
        if guesses == [CANCEL]:
            # "¿Quiso decir...? 1) cancelar su inscripción" would ask what the cancel's own
            # question asks next ("¿Seguro que quiere cancelar su lugar del…? SÍ o NO"): one
            # question, which names the seat, and nothing changes without its yes.
            settled = CANCEL
        if settled:
            return [
                SlotSet("clarify_options", None),
                SlotSet("clarified_intent", settled),
                FollowupAction(ANSWERED_BY[settled]),
            ]
        if not guesses:
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("clarify_options", None), SlotSet("clarified_intent", None)]
        lines = [
            f"{n}) " + texts.text(f"did_you_mean.{intent}", language)
            for n, intent in enumerate(guesses, start=1)
        ]
        dispatcher.utter_message(response="utter_clarify", options="\n".join(lines))
        return [SlotSet("clarify_options", guesses), SlotSet("clarified_intent", None)]


class ActionTakeClarification(Action):
    """The answer to "Did you mean...?": a number (or "yes" for the first), else a second miss."""

    def name(self) -> str:
        return "action_take_clarification"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        options = tracker.get_slot("clarify_options") or []
        text = str(tracker.latest_message.get("text") or "")
        picked = read_choice(text, len(options)) if options else None
        if picked is None and options and read_yes_no(text) is True:
            picked = 1
        if picked is None:
            events = hand_off(dispatcher, language_of(tracker), NOT_UNDERSTOOD)
            return [SlotSet("clarify_options", None), SlotSet("clarified_intent", None), *events]
        # dialogue/conversation.yml has one rule per pick: clarified_intent -> its answer.
        return [SlotSet("clarify_options", None), SlotSet("clarified_intent", options[picked - 1])]
