"""Answers "what events are coming up?" from the calendar, near the family when we know where."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.directory.events import UpcomingEvent, find_neighborhood, named_events, upcoming_events
from bot.directory.schools import find_school
from bot.models import Neighborhood, Organization, School, utcnow
from bot.text.dates import day, day_and_time, time_range
from bot.texts import pick

from .data import db_session
from .forms import language_of
from .replies import fits

MOST_SHOWN = 3
EVENTS_READ = 10  # enough to find another kind of event behind the next Saturdays of classes


def _short_place(place: str | None) -> str:
    # "Markham Middle School, 1650 E 104th St, ..." -> "Markham Middle School": the full address
    # would cost a segment per event; the family can ask for a school's address.
    return (place or "").split(",")[0].strip()


def _line(event: UpcomingEvent, language: str, with_place: bool) -> str:
    line = f"{pick(event.title, language)} - {day_and_time(event.starts_at, language)}"
    place = _short_place(event.place) if with_place else ""
    return f"{line}, {place}" if place else line


def varied(events: list[UpcomingEvent]) -> list[UpcomingEvent]:
    """The events in the order they earn a place in a short list: the next Parent College class,
    then every other kind of event, then the later classes. Saturdays of Parent College would
    otherwise fill the list and hide a college night; the Parent College answer lists its dates."""
    classes = [e for e in events if e.kind == "parent_college"]
    others = [e for e in events if e.kind != "parent_college"]
    return classes[:1] + others + classes[1:]


def _fitted_list(
    events: list[UpcomingEvent], domain: dict, response: str, language: str, **fill: str
) -> str:
    """As many events as fit in the response, in `varied` order, listed soonest first; places
    dropped before events are. At least the first one, even if nothing else fits."""
    for count in range(len(events), 0, -1):
        chosen = sorted(events[:count], key=lambda e: e.starts_at)
        for with_place in (True, False):
            listed = "\n".join(_line(e, language, with_place) for e in chosen)
            if fits(domain, response, language, events=listed, **fill):
                return listed
    return _line(events[0], language, with_place=False)


def _website(session) -> str | None:
    return session.scalars(select(Organization.website).limit(1)).first()


def where_asked(session, tracker: Tracker) -> tuple[School | None, Neighborhood | None]:
    """A school named in this message is the most specific; then a neighbourhood named in it;
    then the school the family told us before. (None, None): everything."""
    named = find_school(session, next(tracker.get_latest_entity_values("school"), None))
    if named is not None:
        return named, None
    area = find_neighborhood(session, tracker.latest_message.get("text"))
    if area is not None:
        return None, area
    return find_school(session, tracker.get_slot("school")), None


def answer_named_event(
    dispatcher: CollectingDispatcher, event: UpcomingEvent, language: str
) -> None:
    """One event the family named, in a sentence: its date, hours and place with the street."""
    when = (
        f"{day(event.starts_at, language)}, {time_range(event.starts_at, event.ends_at, language)}"
    )
    # "Jordan High School, 2265 E 103rd St, Los Angeles, CA 90002": the city and ZIP go.
    place = ", ".join(part.strip() for part in (event.place or "").split(",")[:2] if part.strip())
    response = "utter_event_named" if place else "utter_event_named_no_place"
    fill = {"title": pick(event.title, language), "when": when}
    dispatcher.utter_message(response=response, **fill, **({"place": place} if place else {}))


class ActionAnswerEvents(Action):
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        # Tests pass a fixed clock; the seeded calendar has fixed dates.
        self.clock = clock

    def name(self) -> str:
        return "action_answer_events"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)
        with db_session() as session:
            now = self.clock()
            named = named_events(session, tracker.latest_message.get("text"), now)
            if named:
                answer_named_event(dispatcher, named[0], language)
                return []
            school, area = where_asked(session, tracker)
            where = school.short_name if school else area.name if area else None

            events = upcoming_events(session, school, area, now=now, limit=EVENTS_READ)
            if events:
                response = "utter_events_near" if where else "utter_events_upcoming"
            else:
                events = upcoming_events(session, now=now, limit=EVENTS_READ) if where else []
                response = "utter_events_none_near"
            events = varied(events)[:MOST_SHOWN]
            fill = {"where": where} if where else {}

            if events:
                listed = _fitted_list(events, domain, response, language, **fill)
                dispatcher.utter_message(response=response, events=listed, **fill)
            elif website := _website(session):
                dispatcher.utter_message(response="utter_events_none", website=website)
            else:
                dispatcher.utter_message(response="utter_events_none_yet")
        return []
