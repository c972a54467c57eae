"""Answers "when / where / what time is Parent College?" with the next sessions from the
database: date, time and place, the family's own neighbourhood first, and how to sign up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.directory.events import named_events
from bot.models import ParentCollegeSession, utcnow
from bot.parent_college.registrations import starts_at, upcoming_sessions
from bot.reading.questions import (
    asks_about_childcare,
    asks_about_the_class,
    speaks_of_the_school_day,
)
from bot.text.dates import day, time_range

from .data import db_session
from .events import answer_named_event, where_asked
from .forms import language_of
from .replies import fits
from .sessions import nearest_first, session_label

# What every session shares, said once before the list ("gratis, en inglés y español").
ABOUT = {
    "en": {
        "both": "free, in English and Spanish",
        "en": "free, in English",
        "es": "free, in Spanish",
    },
    "es": {
        "both": "gratis, en inglés y español",
        "en": "gratis, en inglés",
        "es": "gratis, en español",
    },
}
FREE = {"en": "free", "es": "gratis"}
SESSIONS_READ = 6  # enough to find one in the family's neighbourhood among the next few
# The date, time and place asked for, with the street, is worth a third segment: a Spanish text
# with accents holds only 134 characters in two.
MOST_SEGMENTS = 3


def place_of(pc_session: ParentCollegeSession, with_street: bool) -> str:
    """ "Markham, 1650 E 104th St": the school as families call it and its street say where; the
    city and ZIP cost characters every family here knows. `place` may start with the school's
    name or with the street."""
    parts = [part.strip() for part in (pc_session.place or "").split(",") if part.strip()]
    school = pc_session.school
    if school is not None:
        name = school.short_name
        streets = [part for part in parts if part not in (school.name, school.short_name)][:1]
    else:
        name, streets = (parts[0], parts[1:2]) if parts else ("", [])
    return ", ".join([name, *streets] if with_street else [name]).strip(", ")


def session_line(pc_session: ParentCollegeSession, language: str, with_street: bool) -> str:
    """ "sábado 16 de enero, 9 a. m. a 12 p. m., Markham, 1650 E 104th St"."""
    start = starts_at(pc_session)
    end = pc_session.ends_at
    when = f"{day(start, language)}, {time_range(start, end, language)}"
    place = place_of(pc_session, with_street)
    return f"{when}, {place}" if place else when


def fitted_sessions(
    sessions: list[ParentCollegeSession], language: str, fits_as: Callable[[str], bool]
) -> str:
    """The first session in full (with its street if that fits), then as many of the others as
    still fit, each as short as the sign-up's list writes it ("23 de enero, 9 a. m. en
    Roosevelt"). The first one always, even if nothing fits."""
    for with_street in (True, False):
        first = session_line(sessions[0], language, with_street)
        if fits_as(first):
            break
    lines = [first]
    for pc_session in sessions[1:]:
        longer = "\n".join([*lines, session_label(pc_session, language)])
        if not fits_as(longer):
            break
        lines = longer.split("\n")
    return "\n".join(lines)


# How many of the family's messages back the Parent College answer still frames a question.
LOOKBACK = 3


def follows_parent_college(tracker: Tracker) -> bool:
    """The family's latest message names no school, and the bot's last answer, within the
    family's last few messages ("English please" may come between), was about Parent College:
    "¿a qué hora empieza?" then means the class."""
    if any(e.get("entity") == "school" for e in tracker.latest_message.get("entities") or []):
        return False
    if speaks_of_the_school_day(tracker.latest_message.get("text")):
        return False  # "what time does school start?" asks about the child's school day
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen > LOOKBACK:
                return False
        elif users_seen and event.get("event") == "action":
            name = event.get("name") or ""
            if name == "action_answer_parent_college":
                return True
            if name.startswith("action_answer_") or name.endswith("_form"):
                return False  # another question was answered since
    return False


class ActionAnswerParentCollege(Action):
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock  # tests pass a fixed clock; the seeded sessions have fixed dates

    def name(self) -> str:
        return "action_answer_parent_college"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        with db_session() as session:
            # "When is college night at Jordan?" can read as a Parent College question: the
            # event it names is the answer.
            named = named_events(session, tracker.latest_message.get("text"), self.clock())
            if named:
                answer_named_event(dispatcher, named[0], language)
                return []
            school, area = where_asked(session, tracker)
            home = school.neighborhood_id if school else area.id if area else None
            sessions = upcoming_sessions(session, now=self.clock(), limit=SESSIONS_READ)
            if not sessions:
                dispatcher.utter_message(response="utter_parent_college_no_dates")
                return []
            sessions = nearest_first(sessions, home)
            lang = "en" if language == "en" else "es"
            spoken = {s.language for s in sessions}
            about = ABOUT[lang].get(spoken.pop(), FREE[lang]) if len(spoken) == 1 else FREE[lang]
            # Inside the sign-up the form asks its next question right after: no "text SIGN ME UP".
            in_form = (tracker.active_loop or {}).get("name") == "registration_form"
            response = (
                "utter_parent_college_next_in_form" if in_form else "utter_parent_college_next"
            )
            listed = fitted_sessions(
                sessions,
                language,
                lambda text: fits(
                    domain, response, language, MOST_SEGMENTS, sessions=text, about=about
                ),
            )
        dispatcher.utter_message(response=response, sessions=listed, about=about)
        if asks_about_childcare(tracker.latest_message.get("text")):
            # The fact asked first would be better, but the dates are what every answer needs;
            # the childcare line follows them, short.
            dispatcher.utter_message(
                response="utter_parent_college_childcare_in_form"
                if in_form
                else "utter_parent_college_childcare"
            )
        return []


class ActionAnswerAfterParentCollege(Action):
    """A message the model could not place, right after the Parent College answer: a question of
    when, where or how much ("¿y cuándo es el siguiente?") is about the class; anything else
    gets the did-you-mean as usual (dialogue/conversation.yml)."""

    def name(self) -> str:
        return "action_answer_after_parent_college"

    def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text")
        if asks_about_the_class(text) and not speaks_of_the_school_day(text):
            return ActionAnswerParentCollege().run(dispatcher, tracker, domain)
        return [FollowupAction("action_clarify")]
