"""The two-stage fallback and the hand-off, called directly with rasa_sdk trackers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarifyMeaning, ActionTakeClarification
from actions.handoff import ActionHandOffConversation
from actions.session_start import ActionStartSession
from tests.support.trackers import domain, make_tracker, render

# The seeded calendar's college night is on February 11, 2027.
ASKED_ON = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _calendar(action_db):
    """The did-you-mean looks for an event the message names: a seeded calendar to look in."""


UNCLEAR = {
    "text": "y lo de la compu?",
    "intent": {"name": "nlu_fallback", "confidence": 0.7},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.7},
        {"name": "ask_programs", "confidence": 0.41},
        {"name": "ask_events", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
        {"name": "ask_school_info", "confidence": 0.01},
    ],
    "entities": [],
}


def _tracker(turns: list[dict], slots=None, language="es") -> Tracker:
    """A conversation whose user turns carry these parse results, the last one latest."""
    events = []
    for parse_data in turns:
        events += [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": parse_data["text"], "parse_data": parse_data},
        ]
    return Tracker(
        sender_id="c1",
        slots={"language": language, **(slots or {})},
        latest_message=turns[-1],
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    return dispatcher.messages, action.run(dispatcher, tracker, domain())


def test_an_unclear_message_gets_numbered_guesses_not_a_guess():
    messages, events = _run(ActionClarifyMeaning(), _tracker([UNCLEAR]))
    assert render(messages[0], "es") == (
        "¿Quiso decir...?\n1) nuestros programas\n2) los próximos eventos\nResponda con el número."
    )
    # greet is not offered; a guess under the confidence floor is not either.
    assert events == [
        {"event": "slot", "timestamp": None, "name": "clarify_options",
         "value": ["ask_programs", "ask_events"]},
        {"event": "slot", "timestamp": None, "name": "clarified_intent", "value": None},
    ]  # fmt: skip


def test_a_pick_names_the_chosen_intent_for_its_rule():
    pick = {"text": "2", "intent": {"name": "inform", "confidence": 0.9}, "entities": []}
    tracker = _tracker([UNCLEAR, pick], slots={"clarify_options": ["ask_programs", "ask_events"]})
    messages, events = _run(ActionTakeClarification(), tracker)
    assert messages == []
    assert {e["name"]: e["value"] for e in events} == {
        "clarify_options": None,
        "clarified_intent": "ask_events",
    }


def test_a_second_miss_in_a_row_goes_to_a_person():
    again = {**UNCLEAR, "text": "lo de la compu pues"}
    messages, events = _run(ActionTakeClarification(), _tracker([UNCLEAR, again], slots={
        "clarify_options": ["ask_programs", "ask_events"]}))  # fmt: skip
    assert messages[0]["response"] == "utter_handoff_not_understood"
    assert messages[1]["custom"] == {"handoff": "not_understood"}
    assert {"event": "slot", "timestamp": None, "name": "clarified_intent", "value": None} in events
    # Also when the first miss had nothing to offer and the next one is unclear too.
    messages, _ = _run(ActionClarifyMeaning(), _tracker([UNCLEAR, again]))
    assert messages[1]["custom"] == {"handoff": "not_understood"}


def test_asking_for_a_person_hands_off_and_says_when():
    messages, events = _run(
        ActionHandOffConversation(), make_tracker("una persona", "talk_to_human", language="en")
    )
    text = render(messages[0], "en")
    assert text.startswith("OK, I've passed your message to our team. A person will text you back ")
    assert any(day in text for day in ("today", "tomorrow", "Monday"))
    assert messages[1]["custom"] == {"handoff": "talk_to_human"}
    assert events == []


def test_a_new_session_forgets_a_half_finished_form_but_not_the_family():
    tracker = make_tracker(
        "hola", "greet", slots={"school": "Jordan", "person_name": "Rosa", "adults": 2.0}
    )
    _, events = _run(ActionStartSession(), tracker)
    kept = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert kept == {"language": "es", "school": "Jordan", "person_name": "Rosa"}
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


def test_a_pick_is_answered_by_the_same_action_as_the_intent_itself():
    """ANSWERED_BY and the dialogue rules must agree, and every pick must have its rule."""
    from pathlib import Path

    import yaml

    from actions.clarify import ANSWERED_BY
    from bot.texts import catalogue

    rules = []
    for path in (Path(__file__).parents[2] / "dialogue").glob("*.yml"):
        rules += yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    own_answer = {}
    for rule in rules:
        steps = rule["steps"]
        if rule.get("condition", [{}])[0].get("active_loop"):
            continue
        # A rule's first step names one intent, or several ("or").
        for step in steps[0].get("or", [steps[0]]):
            if "intent" in step:
                own_answer.setdefault(step["intent"], steps[1]["action"])
    picks = {
        (rule["steps"][1]["intent"], rule["steps"][3]["slot_was_set"][0]["clarified_intent"]):
        rule["steps"][4]["action"]
        for rule in rules
        if rule["steps"][0].get("action") == "action_clarify" and len(rule["steps"]) > 4
    }  # fmt: skip
    for language in ("en", "es"):  # each choice is worded in both catalogues
        assert {f"did_you_mean.{intent}" for intent in ANSWERED_BY} <= set(catalogue(language))
    for intent, action in ANSWERED_BY.items():
        assert own_answer[intent] == action, intent
        assert picks[("inform", intent)] == picks[("affirm", intent)] == action, intent


def test_asking_for_the_other_language_switches_the_slot_before_the_answer():
    import asyncio

    from actions.language_slot import ActionValidateLanguageSlot

    def extract(tracker):
        return asyncio.run(
            ActionValidateLanguageSlot().extract_language(CollectingDispatcher(), tracker, domain())
        )

    named = make_tracker("in english please", "change_language", [("language", "en")])
    assert extract(named) == {"language": "en"}
    unnamed = make_tracker("podemos cambiar de idioma?", "change_language", language="es")
    assert extract(unnamed) == {"language": "en"}
    # Any other message keeps the language the web process chose.
    assert extract(make_tracker("hola", "greet", language="es")) == {}


def test_a_named_program_answers_about_programs_without_asking():
    summer = {
        **UNCLEAR,
        "text": "va a haber escuela de verano?",
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "ask_days_off", "confidence": 0.35},
            {"name": "ask_programs", "confidence": 0.3},
        ],
        "entities": [{"entity": "program", "value": "expanded-learning"}],
    }
    messages, events = _run(ActionClarifyMeaning(), _tracker([summer]))
    assert messages == []
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_answer_programs"}
    assert {"event": "slot", "timestamp": None, "name": "clarified_intent",
            "value": "ask_programs"} in events  # fmt: skip
    # Without a program named, or with programs not among the guesses, the question stays.
    messages, _ = _run(ActionClarifyMeaning(), _tracker([{**summer, "entities": []}]))
    assert messages[0]["response"] == "utter_clarify"
    no_programs = {**summer, "intent_ranking": summer["intent_ranking"][:2]}
    messages, _ = _run(ActionClarifyMeaning(), _tracker([no_programs]))
    assert messages[0]["response"] == "utter_clarify"


def test_an_event_named_by_its_title_answers_about_events_without_asking():
    night = {
        **UNCLEAR,
        "text": "when is college and career night at jordan",
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "ask_parent_college", "confidence": 0.38},
            {"name": "ask_events", "confidence": 0.3},
        ],
    }
    messages, events = _run(
        ActionClarifyMeaning(lambda: ASKED_ON), _tracker([night], language="en")
    )
    assert messages == []
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_answer_events"}
    unnamed = {**night, "text": "when is the thing at jordan"}
    messages, _ = _run(ActionClarifyMeaning(lambda: ASKED_ON), _tracker([unnamed], language="en"))
    assert messages[0]["response"] == "utter_clarify"


def _unsure(text: str, *ranking: tuple[str, float]) -> dict:
    """Parse data of a message the model read unsurely: a fallback first, then `ranking`."""
    top = ranking[0][1]
    readings = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    fallback = {"name": "nlu_fallback", "confidence": top}
    return {"text": text, "intent": fallback, "intent_ranking": [fallback, *readings],
            "entities": []}  # fmt: skip


def test_asking_what_language_an_event_is_in_gets_the_classes_languages_and_a_person():
    """ "is it gonna be in spanish too" once switched an English-speaking family to Spanish; read
    as unsure (bot/reading/language_question.py), it gets what the line knows and a person."""
    asked = _unsure(
        "is it gonna be in spanish too my mom wants to go", ("register_parent_college", 0.35)
    )
    messages, _ = _run(ActionClarifyMeaning(), _tracker([asked], language="en"))
    assert render(messages[0], "en").startswith("Parent College is in English and Spanish.")
    assert messages[1]["custom"] == {"handoff": "language_question"}


@pytest.mark.parametrize(
    ("unsure", "answered_by"),
    [
        # "sabes q mejor cancelame eso" once got "¿Quiso decir...? 1) cancelar su inscripción",
        # then "¿Seguro...?": two questions for one yes. The cancel's own names the seat.
        (
            _unsure(
                "sabes q mejor cancelame eso, me cambiaron el turno en el trabajo",
                ("cancel_registration", 0.52),
                ("out_of_scope", 0.48),
            ),
            "action_ask_before_cancelling",
        ),
        # "y el telefono xfa" after a school's address once got "¿Quiso decir...? 1) dirección
        # de una escuela".
        (
            _unsure("y el telefono xfa", ("ask_school_info", 0.35), ("talk_to_human", 0.1)),
            "school_info_form",
        ),
    ],
)
def test_a_did_you_mean_with_nothing_to_choose_is_not_asked(unsure, answered_by):
    from rasa_sdk.events import FollowupAction

    messages, events = _run(ActionClarifyMeaning(), _tracker([unsure]))
    assert messages == []
    assert events[-1] == FollowupAction(answered_by)
