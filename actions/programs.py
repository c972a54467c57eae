"""Answers about the Partnership's programs: the one a family named, or a short list of them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.directory.programs import active_programs, find_program
from bot.families.office_hours import when_staff_answer
from bot.models import Program, utcnow
from bot.reading.questions import asks_program_details
from bot.texts import pick

from .data import db_session
from .forms import language_of
from .replies import fits, shorten


def _details(program: Program, language: str, domain: dict) -> tuple[str, dict[str, str]]:
    fill = {"program_name": pick(program.name, language)}
    response = "utter_program_details"
    if program.website:
        response, fill["website"] = "utter_program_details_website", program.website

    def fits_as(summary: str) -> bool:
        return fits(domain, response, language, summary=summary, **fill)

    fill["summary"] = shorten(pick(program.summary, language), fits_as)
    return response, fill


def _listing(programs: list[Program], language: str, domain: dict) -> tuple[str, dict[str, str]]:
    """All names if they fit; else as many as fit, in staff's order, said to be only some."""
    names = [pick(program.name, language) for program in programs]
    if fits(domain, "utter_programs_list", language, programs=", ".join(names)):
        return "utter_programs_list", {"programs": ", ".join(names)}
    for count in range(len(names) - 1, 0, -1):
        some = ", ".join(names[:count])
        if fits(domain, "utter_programs_list_some", language, programs=some):
            return "utter_programs_list_some", {"programs": some}
    return "utter_programs_list_some", {"programs": names[0]}


PROGRAM_QUESTION = "program_question"  # the hand-off's reason (bot/families/handoff.py)


def needs_a_person(tracker: Tracker) -> bool:
    """The family asks what the program's summary does not say: its times, cost or how to join,
    or whether a school it names has it ("does griffith have an after school program?")."""
    latest = tracker.latest_message
    names_a_school = any(e.get("entity") == "school" for e in latest.get("entities") or [])
    return names_a_school or asks_program_details(latest.get("text"))


class ActionAnswerPrograms(Action):
    def name(self) -> str:
        return "action_answer_programs"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        with db_session() as session:
            named = next(tracker.get_latest_entity_values("program"), None)
            program = find_program(session, named)
            if program is not None:
                response, fill = _details(program, language, domain)
                if needs_a_person(tracker):
                    # What the line knows, then a person for what it does not.
                    dispatcher.utter_message(response=response, **fill)
                    lang = "en" if language == "en" else "es"
                    when = when_staff_answer(utcnow(), lang)
                    dispatcher.utter_message(response="utter_program_question_to_staff", when=when)
                    dispatcher.utter_message(json_message={"handoff": PROGRAM_QUESTION})
                    return []
            else:
                programs = active_programs(session)
                if not programs:
                    # Nothing to list: the generic menu still tells the family what we do.
                    dispatcher.utter_message(response="utter_help_menu")
                    return []
                response, fill = _listing(programs, language, domain)
            dispatcher.utter_message(response=response, **fill)
        return []
