"""Answers about a school from the database: the fact asked (address, phone, hours, bell times,
principal, website) or the everyday question asked (a sick child, lunch: actions/school_matters.py),
asking which school when none is named."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.directory.schools import example_names, find_school, school_named_elsewhere
from bot.families.office_hours import when_staff_answer
from bot.models import utcnow
from bot.reading.questions import asks_about_childcare, asks_about_the_class
from bot.reading.school_facts import asks_in_general, facts_asked, known_value
from bot.reading.school_matters import MATTERS, SCHOOL_QUESTION

from .clarify import intent_of
from .data import db_session
from .forms import ActionValidateFamilyForm, language_of, school_candidates
from .parent_college import ActionAnswerParentCollege, follows_parent_college
from .school_matters import say_matter


class ActionValidateSchoolInfoForm(ActionValidateFamilyForm):
    let_go_response = "utter_school_form_let_go"

    def name(self) -> str:
        return "validate_school_info_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # "What time does it start?" just after the Parent College answer asks about the class:
        # no "which school?" (action_answer_school_info gives the class).
        if follows_parent_college(tracker):
            return []
        # "Mi niño va en la Ritter y amaneció con calentura": the school is named, and the line
        # does not have it; asking "which school?" would ask what was just said.
        if not tracker.get_slot("school"):
            with db_session() as session:
                if asks_about_another_school(tracker, session):
                    return []
        return list(domain_slots)

    def validate_school(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict[str, Any]:
        with db_session() as session:
            for candidate in school_candidates(value, tracker):
                school = find_school(session, candidate)
                if school is not None:
                    return {"school": school.short_name}
            examples = ", ".join(example_names(session))
        # The question may be the answer's own ("va en la Ritter, a quien le aviso?") or the one
        # that made the form ask ("¿cómo inscribo a mi hijo en la Weigand?" -> "q papeles?").
        matter = matter_asked(tracker) or matter_asked(tracker, skip=1)
        if matter:
            # A sick child at a school the line does not have: the general way forward now (its
            # office, and a person follows up), not a list of the Partnership's schools. Nothing
            # says "I don't know that school": the message may restate the question instead.
            say_matter(dispatcher, None, matter, language_of(tracker))
            return {"school": None, "form_let_go": True}
        return self.reject(dispatcher, "school", "utter_school_unknown", examples=examples)


# The fact, as the "we don't have …" answer names it.
FACT_NAMES = {
    "en": {
        "address": "the address",
        "phone": "the phone number",
        "hours": "the office hours",
        "bell_times": "the bell times",
        "principal": "the principal's name",
        "several": "those details",
        "website": "the website",
    },
    "es": {
        "address": "la dirección",
        "phone": "el teléfono",
        "hours": "el horario de la oficina",
        "bell_times": "el horario de clases",
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
    "bell_times": "utter_school_bell_times",
    "principal": "utter_school_principal",
    "website": "utter_school_website",
}
# "¿Dónde queda Jordan?" -> "¿De qué escuela?" -> "1" (a did-you-mean) -> "jordan": the question
# is at most this many messages back.
QUESTION_LOOKBACK = 3
FACT_UNKNOWN = "fact_unknown"
# Inside a sign-up, an everyday school question read less surely than this is taken to be about
# the class instead.
SURE_IN_SIGN_UP = 0.6


def _recent_user_turns(tracker: Tracker, skip: int = 0) -> list[dict]:
    user_turns = [e for e in reversed(tracker.events) if e.get("event") == "user"]
    return user_turns[skip:QUESTION_LOOKBACK]


def matter_asked(tracker: Tracker, skip: int = 0) -> str | None:
    """The everyday question (bot/reading/school_matters.py) the family's last few messages ask,
    when the latest school question among them is one: "mi hijo está enfermo" -> "¿de qué escuela?"
    -> "markham" answers the absence. None for a question about the school itself. `skip` leaves
    out the latest messages (an answer to "which school?" the model read as a question)."""
    for event in _recent_user_turns(tracker, skip):
        intent = intent_of(event)
        if intent in MATTERS:
            return intent
        if intent == "ask_school_info":
            return None
        if intent == "nlu_fallback":  # the did-you-mean's pick says what it meant
            picked = tracker.get_slot("clarified_intent")
            return picked if picked in MATTERS else None
    return None


def asks_about_another_school(tracker: Tracker, session) -> bool:
    """An everyday question (a sick child, enrolling) about a school the family names and the
    line does not have: it gets the general way forward (its office, a person follows up)."""
    text = tracker.latest_message.get("text")
    return bool(matter_asked(tracker)) and school_named_elsewhere(session, text) is not None


def school_question_text(tracker: Tracker) -> str:
    """The family's own words of its latest question about a school (not "jordan" answering
    "which school?"); its latest message when none of the last few was read as one."""
    turns = _recent_user_turns(tracker)
    for event in turns:
        if intent_of(event) == "ask_school_info":
            return event.get("text") or ""
    return (turns[0].get("text") or "") if turns else ""


def question_asked(tracker: Tracker) -> str:
    """The family's question: the latest of its last few messages that names a fact ("¿a qué
    hora abre?" before "¿de qué escuela?" and "jordan"); "" when none does."""
    for event in _recent_user_turns(tracker):
        text = event.get("text") or ""
        if facts_asked(text):
            return text
    return ""


def _about_the_class_in_sign_up(tracker: Tracker) -> bool:
    """ "¿A qué hora empieza?" in the middle of a sign-up, naming no school, asks when the class
    starts, not a school's bell: the family is signing up for the class."""
    latest = tracker.latest_message
    names_a_school = any(e.get("entity") == "school" for e in latest.get("entities") or [])
    return (
        tracker.active_loop.get("name") == "registration_form"
        and not names_a_school
        and asks_about_the_class(latest.get("text"))
    )


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
        if follows_parent_college(tracker) or _about_the_class_in_sign_up(tracker):
            return ActionAnswerParentCollege().run(dispatcher, tracker, domain)
        language = language_of(tracker)
        matter = matter_asked(tracker)
        with db_session() as session:
            school = find_school(session, tracker.get_slot("school"))
            in_sign_up = tracker.active_loop.get("name") == "registration_form"
            confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
            if matter and in_sign_up and confidence < SURE_IN_SIGN_UP:
                # "¿Puedo llevar a mis niños?" in the middle of a sign-up, read unsurely as a
                # school question, is most likely about the class.
                return ActionAnswerParentCollege().run(dispatcher, tracker, domain)
            elsewhere = school is None and asks_about_another_school(tracker, session)
            if matter and (school or in_sign_up or elsewhere):
                # Inside a sign-up with no school yet, or for a school the line does not have,
                # the general way forward: asking "which school?" there would stack two
                # questions, or ask what was just said.
                say_matter(dispatcher, school, matter, language)
                return []
            if school is None:
                dispatcher.utter_message(response="utter_ask_school")
                return [SlotSet("school", None)]
            asked = facts_asked(question_asked(tracker))
            if not asked and not asks_in_general(school_question_text(tracker)):
                self._to_staff(dispatcher, school, language)
                return []
            self.say_facts(dispatcher, school, asked, language)
        # The school is remembered: "what time does it start?" next refers to the same one.
        return []

    @classmethod
    def say_facts(cls, dispatcher, school, asked: list[str], language: str) -> None:
        """The facts asked of `school` (its address and phone when none was named); the ones
        the line does not have are said so."""
        unknown = []
        for fact in asked or ["address"]:
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
            cls._not_known(dispatcher, school.short_name, unknown, phone, language)

    @staticmethod
    def _to_staff(dispatcher, school, language) -> None:
        """A question about the school that is none of its facts: a person answers."""
        lang = "en" if language == "en" else "es"
        dispatcher.utter_message(
            response="utter_school_question_to_staff", when=when_staff_answer(utcnow(), lang)
        )
        phone = known_value(school, "phone", language)
        if phone:
            dispatcher.utter_message(response="utter_school_phone", phone=phone)
        dispatcher.utter_message(json_message={"handoff": SCHOOL_QUESTION})

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


SCHOOL_INTENTS = frozenset({"ask_school_info", *MATTERS})


class ActionAnswerOutOfScope(Action):
    """A message the model read as out of scope. One that asks for a fact of a school the
    conversation is about, or names ("y la dirección porfa, q voy a ir a recoger unos papeles"
    after a question about Roosevelt), gets the fact: the line has it, and "I can't help with
    that" would be wrong. Anything else is out of scope."""

    def name(self) -> str:
        return "action_answer_out_of_scope"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text")
        if follows_parent_college(tracker) and (
            asks_about_childcare(text) or asks_about_the_class(text)
        ):
            # "y puedo llevar a mi niña chiquita?" right after the class's answer is about the
            # class (its childcare), not out of scope.
            return ActionAnswerParentCollege().run(dispatcher, tracker, domain)
        asked = facts_asked(text)
        if asked:
            # The school remembered counts only while the family is talking about it (its last
            # message asked about a school): "¿y el teléfono de la clínica?" a week later is not.
            previous = _recent_user_turns(tracker, skip=1)[:1]
            about_a_school = bool(previous) and intent_of(previous[0]) in SCHOOL_INTENTS
            remembered = tracker.get_slot("school") if about_a_school else None
            with db_session() as session:
                for candidate in school_candidates(remembered, tracker):
                    school = find_school(session, candidate)
                    if school is not None:
                        ActionAnswerSchoolInfo.say_facts(
                            dispatcher, school, asked, language_of(tracker)
                        )
                        return [SlotSet("school", school.short_name)]
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
