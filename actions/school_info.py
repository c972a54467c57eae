"""Answers about a school from the database: the fact asked (address, phone, hours, principal,
website), asking which school when none is named."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.models import utcnow
from bot.office_hours import when_staff_answer
from bot.school_facts import facts_asked, known_value
from bot.schools import example_names, find_school

from .data import db_session
from .forms import FamilyFormValidation, language_of


class ValidateSchoolInfoForm(FamilyFormValidation):
    let_go_response = "utter_school_form_let_go"

    def name(self) -> str:
        return "validate_school_info_form"

    def validate_school(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        with db_session() as session:
            school = find_school(session, str(value) if value else None)
            if school is not None:
                return {"school": school.short_name}
            examples = ", ".join(example_names(session))
        return self.reject(dispatcher, "school", "utter_school_unknown", examples=examples)


# The fact, as the "we don't have …" answer names it.
FACT_NAMES = {
    "en": {
        "address": "the address",
        "phone": "the phone number",
        "hours": "the hours",
        "principal": "the principal's name",
        "several": "those details",
        "website": "the website",
    },
    "es": {
        "address": "la dirección",
        "phone": "el teléfono",
        "hours": "el horario",
        "principal": "el nombre del director(a)",
        "several": "esos datos",
        "website": "la página web",
    },
}
# The response that gives each known fact; its placeholder is the fact's own name.
FACT_RESPONSES = {
    "address": "utter_school_address",
    "phone": "utter_school_phone_is",
    "hours": "utter_school_hours",
    "principal": "utter_school_principal",
    "website": "utter_school_website",
}
# "¿Dónde queda Jordan?" -> "¿De qué escuela?" -> "1" (a did-you-mean) -> "jordan": the question
# is at most this many messages back.
QUESTION_LOOKBACK = 3
FACT_UNKNOWN = "fact_unknown"


def question_asked(tracker: Tracker) -> str:
    """The family's question: the latest of its last few messages that names a fact ("¿a qué
    hora abre?" before "¿de qué escuela?" and "jordan"); "" when none does."""
    user_turns = [e for e in reversed(tracker.events) if e.get("event") == "user"]
    for event in user_turns[:QUESTION_LOOKBACK]:
        text = event.get("text") or ""
        if facts_asked(text):
            return text
    return ""


class ActionAnswerSchoolInfo(Action):
    """The fact asked about a school (address, phone, hours, principal, website); its address
    and phone when none is named. A fact the line does not have is said so, with the school's
    phone when known, otherwise the question goes to staff (never another fact instead)."""

    def name(self) -> str:
        return "action_answer_school_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("form_let_go"):
            return [SlotSet("form_let_go", False)]  # the form let go and said so
        language = language_of(tracker)
        with db_session() as session:
            school = find_school(session, tracker.get_slot("school"))
            if school is None:
                dispatcher.utter_message(response="utter_ask_school")
                return [SlotSet("school", None)]
            asked = facts_asked(question_asked(tracker))
            wanted = asked or ["address"]
            unknown = []
            for fact in wanted:
                value = known_value(school, fact, language)
                if value is None:
                    unknown.append(fact)
                    continue
                fill = {"school_name": school.name, fact: value}
                dispatcher.utter_message(response=FACT_RESPONSES[fact], **fill)
            phone = known_value(school, "phone", language)
            if not asked and phone:
                dispatcher.utter_message(response="utter_school_phone", phone=phone)
            if unknown:
                self._not_known(dispatcher, school.short_name, unknown, phone, language)
        # The school is remembered: "what time does it start?" next refers to the same one.
        return []

    @staticmethod
    def _not_known(dispatcher, short_name: str, unknown: list[str], phone, language) -> None:
        lang = "en" if language == "en" else "es"
        missing = FACT_NAMES[lang][unknown[0] if len(unknown) == 1 else "several"]
        if phone and "phone" not in unknown:
            dispatcher.utter_message(
                response="utter_school_fact_unknown_call",
                fact=missing,
                short_name=short_name,
                phone=phone,
            )
            return
        dispatcher.utter_message(
            response="utter_school_fact_unknown",
            fact=missing,
            short_name=short_name,
            when=when_staff_answer(utcnow(), lang),
        )
        # A person finds the fact and answers: the conversation joins the staff queue.
        dispatcher.utter_message(json_message={"handoff": FACT_UNKNOWN})
