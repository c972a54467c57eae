"""Answers to everyday school questions (bot/reading/school_matters.py decides which), said in the
family's language; a question the line cannot answer from its data goes to staff as well."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot import texts
from bot.families.office_hours import when_staff_answer
from bot.models import School, utcnow
from bot.reading.school_matters import SCHOOL_QUESTION, answer_matter, answer_without_school

# The answers that already tell the family a person will answer.
SAYS_A_PERSON_ANSWERS = (
    "utter_matter_to_staff",
    "utter_matter_absence_to_staff",
    "utter_matter_any_school",
    "utter_matter_absence_any_school",
)


def say_matter(
    dispatcher: CollectingDispatcher, school: School | None, matter: str, language: str
) -> None:
    """Answers `matter` about `school` (None: the general way forward, in a sign-up)."""
    lang = "en" if language == "en" else "es"
    answer = answer_matter(school, matter, lang) if school else answer_without_school(matter)
    when = when_staff_answer(utcnow(), lang)
    fill = {**answer.fill, "topic": texts.text(f"school_matter.{matter}", lang), "when": when}
    dispatcher.utter_message(response=answer.response, **fill)
    if answer.to_staff:
        if answer.response not in SAYS_A_PERSON_ANSWERS:
            dispatcher.utter_message(response="utter_matter_passed_on", when=when)
        dispatcher.utter_message(json_message={"handoff": SCHOOL_QUESTION})
