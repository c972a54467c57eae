"""The everyday questions families ask a school's front office, and what answers each.

A sick child, enrolling, days off: the line answers from the school's own facts where staff have
entered them (the attendance line, the enrollment contact, the days off). Lunch, buses, grades,
teachers, uniforms, shots and lost things are the school office's to answer: the family gets the
office phone when the line knows it, and the question goes to staff either way, so a person
follows up (actions/school_matters.py). A fact the line does not know is never made up."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import School
from bot.reading.school_facts import known_value

# Each everyday intent (added to the contract: docs/intents.md) and the school fact that answers
# it; None: the school office answers it, and a person from the Partnership follows up.
MATTERS: dict[str, str | None] = {
    "report_absence": "attendance_phone",
    "ask_enrollment": "enrollment_contact",
    "ask_days_off": "days_off",
    "ask_lunch": None,
    "ask_bus": None,
    "ask_grades": None,
    "contact_teacher": None,
    "ask_uniform": None,
    "ask_immunizations": None,
    "report_lost_item": None,
}
SCHOOL_QUESTION = "school_question"  # the hand-off's reason (bot/families/handoff.py)


@dataclass(frozen=True)
class MatterAnswer:
    response: str  # the domain response to utter
    fill: dict[str, str]  # its placeholders
    to_staff: bool  # the question also goes to staff, who follow up


def answer_matter(school: School, matter: str, language: str) -> MatterAnswer:
    """What the line says to `matter` about `school`: the school's own fact, else its office
    phone, else that a person will answer."""
    fill = {"short_name": school.short_name}
    office = known_value(school, "phone", language)
    fact = MATTERS[matter]
    value = known_value(school, fact, language) if fact else None
    if value is not None:
        # The reply ends its sentence itself: "…3 p. m." is not ended twice.
        fill[fact] = value.rstrip(". ") if value.endswith(".") else value
        if fact == "enrollment_contact" and office:
            return MatterAnswer(
                "utter_matter_enrollment_with_phone", {**fill, "phone": office}, False
            )
        return MatterAnswer(f"utter_matter_{fact}", fill, False)
    if office is not None:
        # The office can answer now; a fact the school has in the data but not this one is also
        # for the office. The everyday questions with no fact of their own go to staff as well.
        return MatterAnswer(f"utter_matter_{matter}", {**fill, "phone": office}, fact is None)
    if matter == "report_absence":  # said plainly: texting the line does not tell the school
        return MatterAnswer("utter_matter_absence_to_staff", fill, True)
    return MatterAnswer("utter_matter_to_staff", fill, True)


def answer_without_school(matter: str) -> MatterAnswer:
    """Inside a sign-up, where asking "which school?" would stack two questions, or for a school
    the line does not have: the general way
    forward, and a person follows up. An absence says that texting the line does not tell the
    school."""
    if matter == "report_absence":
        return MatterAnswer("utter_matter_absence_any_school", {}, True)
    return MatterAnswer("utter_matter_any_school", {}, True)
