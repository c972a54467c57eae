"""What is coming up for a family: events and Parent College sessions, near them or for everyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.models import Event, Neighborhood, ParentCollegeSession, School
from bot.text.dates import utc
from bot.text.folding import fold_words

# Other ways families write a neighbourhood's name, folded (no accents, lower case).
NEIGHBORHOOD_ALIASES = {
    "south-la": ("south los angeles", "sur de la", "sur de los angeles", "sur la"),
}


@dataclass(frozen=True)
class UpcomingEvent:
    """One thing on the calendar, whichever table it came from; times are aware UTC."""

    slug: str
    kind: str  # "event" or "parent_college"
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    place: str | None


def _place(row) -> str | None:
    """Where, led by the school's name when it is at a school ("Markham, 1650 E 104th St"): a
    list of events shows only the part before the first comma, and families know the school."""
    school = getattr(row, "school", None)
    if school is None or not row.place:
        return row.place
    if row.place.startswith((school.name, school.short_name)):
        return row.place
    return f"{school.short_name}, {row.place}"


def _near(model, school: School | None, neighborhood: Neighborhood | None):
    """Where-clause: rows meant for this school or neighbourhood, plus rows meant for everyone."""
    for_everyone = and_(model.school_id.is_(None), model.neighborhood_id.is_(None))
    if school is not None:
        clauses = [for_everyone, model.school_id == school.id]
        if school.neighborhood_id is not None:
            same_area = model.neighborhood_id == school.neighborhood_id
            # Parent College is hosted at one campus but serves its whole neighbourhood; other
            # events at another school in the area are that school's own.
            if model is not ParentCollegeSession:
                same_area = and_(model.school_id.is_(None), same_area)
            clauses.append(same_area)
        return or_(*clauses)
    if neighborhood is not None:
        in_area = select(School.id).where(School.neighborhood_id == neighborhood.id)
        return or_(
            for_everyone,
            model.neighborhood_id == neighborhood.id,
            model.school_id.in_(in_area.scalar_subquery()),
        )
    return None


def upcoming_events(
    session: Session,
    school: School | None = None,
    neighborhood: Neighborhood | None = None,
    now: datetime | None = None,
    limit: int = 3,
) -> list[UpcomingEvent]:
    """The next `limit` events and Parent College sessions, soonest first. With a school (or
    else a neighbourhood), only those meant for it and those meant for everyone."""
    since = utc(now) or datetime.now(timezone.utc)
    found: list[UpcomingEvent] = []
    for model, kind in ((Event, "event"), (ParentCollegeSession, "parent_college")):
        query = select(model).where(model.archived.is_(False), model.starts_at >= since)
        where = _near(model, school, neighborhood)
        if where is not None:
            query = query.where(where)
        query = query.order_by(model.starts_at, model.id).limit(limit)
        found += [
            UpcomingEvent(
                slug=row.slug,
                kind=kind,
                title=row.title or {},
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                place=_place(row),
            )
            for row in session.scalars(query)
        ]
    found.sort(key=lambda event: event.starts_at)
    return found[:limit]


def _names(neighborhood: Neighborhood) -> list[str]:
    names = [neighborhood.name, neighborhood.slug.replace("-", " ")]
    names += NEIGHBORHOOD_ALIASES.get(neighborhood.slug, ())
    return [fold_words(name) for name in names]


def find_neighborhood(session: Session, text: str | None) -> Neighborhood | None:
    """The neighbourhood named anywhere in a message ("eventos en boyle heights?"), or None.
    The longest name found wins, so "south la" is not mistaken for something shorter."""
    if not text:
        return None
    padded = f" {fold_words(text)} "
    best, best_length = None, 0
    for neighborhood in session.scalars(select(Neighborhood).order_by(Neighborhood.id)):
        for name in _names(neighborhood):
            if name and len(name) > best_length and f" {name} " in padded:
                best, best_length = neighborhood, len(name)
    return best


# Words that name no event: a title is matched on its other words.
_FUNCTION_WORDS = frozenset(
    "a an and the of for to at in on with de del la las el los y e en para con por un una".split()
)
# A word is matched by its first letters: "universidad"/"universitaria", "career"/"careers".
_STEM = 5
# Words that mean Parent College when the title does not have them ("parent", "padres").
_PARENT_COLLEGE = frozenset(word[:_STEM] for word in ("parent", "padres"))


def _stems(text: str) -> set[str]:
    return {word[:_STEM] for word in fold_words(text).split() if word not in _FUNCTION_WORDS}


def named_events(session: Session, text: str | None, now: datetime | None = None) -> list:
    """Upcoming events (not Parent College sessions) that the message names by two or more
    words of their title in either language ("when is college night at jordan" -> "College and
    career night"), best match first. A message about Parent College ("parent college night")
    names no other event."""
    if not text:
        return []
    since = utc(now) or datetime.now(timezone.utc)
    asked = _stems(text)
    scored = []
    query = select(Event).where(Event.archived.is_(False), Event.starts_at >= since)
    for row in session.scalars(query.order_by(Event.starts_at, Event.id)):
        title = row.title or {}
        words = set().union(*(_stems(value) for value in title.values() if value))
        if asked & _PARENT_COLLEGE and not words & _PARENT_COLLEGE:
            continue
        shared = len(words & asked)
        if shared >= 2:
            scored.append((shared, row))
    scored.sort(key=lambda item: (-item[0], item[1].starts_at))
    return [
        UpcomingEvent(
            slug=row.slug,
            kind="event",
            title=row.title or {},
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            place=_place(row),
        )
        for _, row in scored
    ]
