"""action_answer_events on the seeded calendar (Parent College in January 2027, Jordan's college
night in February 2027), asked on December 1, 2026."""

from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

from actions.events import ActionAnswerEvents
from bot.models import Event, Organization, ParentCollegeSession
from bot.text.segments import count_segments
from tests.actions.conftest import archive_session
from tests.support.trackers import domain, make_tracker, render

ASKED_ON = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


def answer(tracker, clock=lambda: ASKED_ON):
    dispatcher = CollectingDispatcher()
    events = ActionAnswerEvents(clock).run(dispatcher, tracker, domain())
    assert events == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


def test_the_remembered_school_picks_its_own_and_its_neighbourhoods_events(action_db):
    message = answer(
        make_tracker("what's coming up?", "ask_events", slots={"school": "Jordan"}, language="en")
    )
    assert message["response"] == "utter_events_near"
    assert message["where"] == "Jordan"
    text = render(message, "en")
    # Watts' Parent College at Markham serves Jordan families too; the other areas' do not show.
    assert (
        "Parent College: Supporting homework - Saturday, January 16, 9 a.m., Markham Middle School"
        in text
    )
    assert "College and career night - Thursday, February 11, 5:30 p.m., Jordan High School" in text
    assert "Road to college" not in text and "Family wellness" not in text


def test_a_school_named_in_the_message_wins_over_the_remembered_one(action_db):
    tracker = make_tracker(
        "eventos en roosevelt",
        "ask_events",
        entities=[("school", "Roosevelt")],
        slots={"school": "Jordan"},
    )
    message = answer(tracker)
    assert message["where"] == "Roosevelt"
    assert "El camino a la universidad" in render(message, "es")


def test_another_schools_own_event_is_not_listed(action_db):
    message = answer(
        make_tracker("events", "ask_events", slots={"school": "Markham"}, language="en")
    )
    assert "College and career night" not in render(message, "en")


@pytest.mark.parametrize(
    "text, where, title",
    [
        ("eventos en boyle heights?", "Boyle Heights", "El camino a la universidad"),
        ("q hay en el SUR DE LA", "South LA", "Bienestar familiar"),
        ("algo en watts este mes", "Watts", "Cómo apoyar con la tarea"),
    ],
)
def test_a_neighbourhood_named_in_the_message(action_db, text, where, title):
    # The neighbourhood asked about wins over the school remembered from before.
    message = answer(make_tracker(text, "ask_events", slots={"school": "Jordan"}))
    assert message["response"] == "utter_events_near"
    assert message["where"] == where
    assert title in render(message, "es")


def test_spanish_dates_in_the_reply(action_db):
    text = render(answer(make_tracker("eventos", "ask_events")), "es")
    assert text.startswith("Próximos eventos:\n")
    assert "Parent College: Cómo apoyar con la tarea - sábado 16 de enero, 9 a. m." in text


def test_everything_upcoming_when_we_know_nothing_of_the_family(action_db):
    message = answer(make_tracker("events?", "ask_events", language="en"))
    assert message["response"] == "utter_events_upcoming"
    lines = render(message, "en").splitlines()[1:]
    # Three Saturdays of classes come first by date; the college night still gets a place, and
    # the list reads soonest first.
    assert [line.split(" - ")[0] for line in lines] == [
        "Parent College: Supporting homework",
        "Parent College: Road to college",
        "College and career night",
    ]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("school", [None, "Jordan", "Stevenson", "Grape Street"])
def test_every_reply_fits_in_two_segments(action_db, language, school):
    slots = {"school": school} if school else {}
    message = answer(make_tracker("eventos", "ask_events", slots=slots, language=language))
    text = render(message, language)
    assert count_segments(text).segments <= 2, text
    assert message["events"], "at least the soonest event is always listed"


def test_items_are_dropped_until_the_reply_fits(action_db):
    # Three events in English fit in two segments; in Spanish (UCS-2, 134 characters) one does.
    english = render(answer(make_tracker("events", "ask_events", language="en")), "en")
    spanish = render(answer(make_tracker("eventos", "ask_events")), "es")
    assert len(english.splitlines()) == 4
    assert len(spanish.splitlines()) == 2


def test_none_for_the_school_offers_the_others(action_db):
    archive_session(action_db, "2027-01-boyle-heights")
    message = answer(make_tracker("eventos", "ask_events", slots={"school": "Roosevelt"}))
    assert message["response"] == "utter_events_none_near"
    text = render(message, "es")
    assert text.startswith("No hay eventos próximos en Roosevelt. Estos son otros:\n")
    assert "Cómo apoyar con la tarea" in text


def test_nothing_upcoming_points_to_the_website(action_db):
    after_everything = datetime(2027, 6, 1, tzinfo=timezone.utc)
    message = answer(
        make_tracker("eventos", "ask_events", slots={"school": "Jordan"}), lambda: after_everything
    )
    assert message["response"] == "utter_events_none"
    assert render(message, "es") == (
        "Por ahora no hay eventos próximos. Encuentre más información en partnershipla.org."
    )


def test_nothing_upcoming_and_no_website(action_db):
    with action_db() as session:
        for model in (Event, ParentCollegeSession):
            session.execute(update(model).values(archived=True))
        session.execute(update(Organization).values(website=None))
        session.commit()
    message = answer(make_tracker("events", "ask_events", language="en"))
    assert (
        render(message, "en") == "There are no upcoming events right now. Please ask us again soon."
    )


@pytest.mark.parametrize(
    "text, language, expected",
    [
        (
            "when is college night at jordan",
            "en",
            "College and career night: Thursday, February 11, 5:30 p.m.-7:30 p.m., at Jordan "
            "High School, 2265 E 103rd St.",
        ),
        (
            "cuando es la noche de universidad?",
            "es",
            "Noche de universidad y carreras: jueves 11 de febrero, 5:30 p. m. a 7:30 p. m., en "
            "Jordan High School, 2265 E 103rd St.",
        ),
    ],
)
def test_an_event_named_by_its_title_gets_its_date_hours_and_place(
    action_db, text, language, expected
):
    message = answer(make_tracker(text, "ask_events", language=language))
    assert render(message, language) == expected
