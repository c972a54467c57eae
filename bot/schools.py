"""Finding a school from what a family wrote ("la jordan", "Roosevelt High", "markham ms")."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .folding import fold_words
from .models import School

# Words families add around a name that do not tell schools apart.
_FILLER = re.compile(
    r"\b(la|el|escuela|school|the|secundaria|primaria|preparatoria|middle|high|elementary|"
    r"hs|ms|es|academy|magnet)\b"
)


def _core(text: str) -> str:
    return " ".join(_FILLER.sub(" ", fold_words(text)).split())


def _names(school: School) -> list[str]:
    return [school.slug.replace("-", " "), school.name, school.short_name, *(school.aliases or [])]


def active_schools(session: Session) -> list[School]:
    return list(
        session.execute(select(School).filter_by(archived=False).order_by(School.name)).scalars()
    )


def find_school(session: Session, written: str | None) -> School | None:
    """The school a family means, or None. Exact names and aliases first; then the name with
    filler words removed ("roosevelt high school" -> "roosevelt"); then a name inside a sentence
    ("mi hijo va a la jordan"), the longest such name winning."""
    if not written or not fold_words(written):
        return None
    schools = active_schools(session)
    wanted = fold_words(written)
    for school in schools:
        if wanted in {fold_words(name) for name in _names(school)}:
            return school
    wanted_core = _core(written)
    if not wanted_core:
        return None
    matches = [s for s in schools if wanted_core in {_core(name) for name in _names(s)}]
    # A campus and the academy it hosts share words; prefer the host when both match.
    matches.sort(key=lambda s: s.campus_of_id is not None)
    if matches:
        return matches[0]
    return _named_inside(schools, f" {wanted} ")


def _named_inside(schools: list[School], padded_text: str) -> School | None:
    best, best_length = None, 0
    for school in schools:
        for name in _names(school):
            key = fold_words(name)
            if len(key) > best_length and f" {key} " in padded_text:
                best, best_length = school, len(key)
    return best


def example_names(session: Session, limit: int = 3) -> list[str]:
    """A few short names to offer a family who named a school we do not know."""
    preferred = {"markham", "jordan", "roosevelt"}
    schools = active_schools(session)
    schools.sort(key=lambda s: (s.slug not in preferred, s.short_name))
    return [s.short_name for s in schools[:limit]]
