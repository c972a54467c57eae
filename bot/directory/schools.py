"""Finding a school from what a family wrote ("la jordan", "Roosevelt High", "markham ms")."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import School
from bot.text.folding import fold_words

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


# Where a family names its child's school in a sentence: "va en la ritter", "a la lorena",
# "escuela Figueroa", "ritter elementary", "goes to weigand". The word caught is a school's name
# unless it is one of the everyday words these phrases also hold ("en la mañana", "a la casa").
_SCHOOL_NAMED = (
    re.compile(r"\b(?:escuela|school|primaria)\s+([a-z][a-z'-]{2,})"),
    re.compile(
        r"\b([a-z][a-z'-]{2,})(?:\s+(?:st|street|ave|avenue))?\s+"
        r"(?:elementary|elementry|elem|middle|high|academy|prep)\b"
    ),
    re.compile(r"\b(?:en|a|de)\s+la\s+([a-z][a-z'-]{2,})"),
    re.compile(r"\b(?:goes|go|attends|attend|enroll\w*|at)\s+(?:to\s+)?([a-z][a-z'-]{2,})"),
)
_NOT_A_NAME = frozenset(
    """escuela school primaria secundaria preparatoria elementary middle high kinder kindergarten
    casa clase clases oficina maestra maestro tarde manana noche semana cita junta lista doctora
    doctor clinica iglesia tienda calle parada esquina salida entrada hora fila direccion
    primera segunda misma otra nueva mejor del las los una uno mis sus her his our the this that
    your my school's work home class church bed doctor's dentist hospital least all her him them
    pre pre-k prek daycare same new other hoy ayer temprano ahorita este esta ese esa proximo
    proxima today tomorrow yesterday tonight early late lunes martes miercoles jueves viernes
    sabado domingo monday tuesday wednesday thursday friday saturday sunday porque pero que
    por para pues con sin and but for with because todavia ya nomas tambien""".split()
)


def school_named_elsewhere(session: Session, text: str | None) -> str | None:
    """A school the family names in its message that the line does not have ("mi hijo va en la
    Ritter", while Ritter is not in the school table), or None: no school named, or one of ours."""
    words = fold_words(text or "")
    for pattern in _SCHOOL_NAMED:
        for name in pattern.findall(words):
            if name not in _NOT_A_NAME and find_school(session, name) is None:
                return name
    return None
