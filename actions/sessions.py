"""How Parent College sessions are named and ordered for families: "16 de enero, 9 a. m. en
Markham", the family's own neighbourhood first. Shared by the sign-up, the cancel and the Parent
College answer."""

from __future__ import annotations

from bot.models import ParentCollegeSession
from bot.parent_college.registrations import starts_at
from bot.text.dates import MONTHS, day_and_time, local, time_of_day

_AT = {"en": "{when} at {place}", "es": "{when} en {place}"}


def session_label(pc_session: ParentCollegeSession, language: str) -> str:
    """When and where, as short as it stays clear. Spanish leaves out the weekday (Parent College
    is on Saturdays): its accents make the text UCS-2, where two segments hold 134 characters."""
    place = pc_session.school.short_name if pc_session.school else pc_session.place.split(",")[0]
    start = starts_at(pc_session)
    if language == "es":
        when = f"{local(start).day} de {MONTHS['es'][local(start).month - 1]}, "
        when += time_of_day(start, "es")
    else:
        when = day_and_time(start, "en")
    return _AT[language].format(when=when, place=place)


def nearest_first(
    sessions: list[ParentCollegeSession], home: int | None
) -> list[ParentCollegeSession]:
    """The sessions in the family's own neighbourhood (`home`, a neighbourhood id) first (a
    Spanish list has room for only two or three), each group soonest first."""
    return sorted(sessions, key=lambda s: (home is None or s.neighborhood_id != home, s.starts_at))
