"""action_answer_parent_college on the seeded sessions (Watts at Markham on January 16, 2027,
Boyle Heights at Roosevelt on the 23rd, South LA at Gompers on the 30th), asked on December 1,
2026: the date, time and place asked for, the family's own neighbourhood first."""

from datetime import datetime, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

from actions.parent_college import ActionAnswerParentCollege
from bot.models import ParentCollegeSession
from bot.text.segments import count_segments
from tests.actions.conftest import archive_session
from tests.support.trackers import domain, make_tracker, render

ASKED_ON = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


def answer(tracker, clock=lambda: ASKED_ON):
    dispatcher = CollectingDispatcher()
    assert ActionAnswerParentCollege(clock).run(dispatcher, tracker, domain()) == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


def test_the_next_session_with_date_time_and_street_in_spanish(action_db):
    text = render(
        answer(make_tracker("cuando es el proximo parent college", "ask_parent_college")), "es"
    )
    assert text.startswith("Parent College (gratis, en inglés y español). Próximas clases:\n")
    first = text.split("\n")[1]
    assert first == ("sábado 16 de enero, 9 a. m. a 12 p. m., Markham, 1650 E 104th St")
    assert text.split("\n")[2] == "23 de enero, 9 a. m. en Roosevelt"
    assert text.endswith("Para inscribirse, escriba INSCRIBIRME.")
    assert count_segments(text).segments <= 3


def test_english_lists_more_sessions_in_the_same_room(action_db):
    text = render(
        answer(make_tracker("when is parent college", "ask_parent_college", language="en")), "en"
    )
    lines = text.split("\n")
    assert lines[1] == ("Saturday, January 16, 9 a.m.-12 p.m., Markham, 1650 E 104th St")
    assert "Saturday, January 23, 9 a.m. at Roosevelt" in lines
    assert lines[-1] == "To sign up, text SIGN ME UP."
    assert count_segments(text).segments <= 3


@pytest.mark.parametrize(
    "text, entities, slots, first_place",
    [
        ("where is parent college in boyle heights", [], {}, "Roosevelt, 456 S Mathews St"),
        ("a que hora es la clase en el sur de la", [], {"school": "Jordan"}, "Gompers, 234 E"),
        ("cuando es parent college", [], {"school": "Hollenbeck"}, "Roosevelt, 456"),
        ("parent college en roosevelt?", [("school", "Roosevelt")], {}, "Roosevelt, 456"),
    ],
)
def test_the_familys_neighbourhood_comes_first(action_db, text, entities, slots, first_place):
    message = answer(make_tracker(text, "ask_parent_college", entities=entities, slots=slots))
    first = render(message, "es").split("\n")[1]
    assert first_place in first


def test_past_and_archived_sessions_are_not_offered(action_db):
    archive_session(action_db, "2027-01-watts")
    text = render(answer(make_tracker("cuando es", "ask_parent_college")), "es")
    assert "16 de enero" not in text and "23 de enero" in text
    after_all = datetime(2027, 12, 31, tzinfo=timezone.utc)
    message = answer(make_tracker("cuando es", "ask_parent_college"), clock=lambda: after_all)
    assert message["response"] == "utter_parent_college_no_dates"
    assert "Aún no hay fechas" in render(message, "es")


def test_another_event_named_in_a_parent_college_reading_is_answered_instead(action_db):
    # "college night" can be read as a Parent College question; the event it names is the fact.
    message = answer(make_tracker("when is college night at jordan", "ask_parent_college"))
    assert render(message, "es").startswith("Noche de universidad y carreras: jueves 11 de febrero")
    message = answer(make_tracker("parent college night?", "ask_parent_college"))
    assert message["response"] == "utter_parent_college_next"


def test_inside_the_sign_up_the_answer_does_not_say_how_to_sign_up(action_db):
    tracker = make_tracker("son en español las clases?", "ask_parent_college")
    tracker.active_loop = {"name": "registration_form"}
    message = answer(tracker)
    assert message["response"] == "utter_parent_college_next_in_form"
    text = render(message, "es")
    assert "en inglés y español" in text and "INSCRIBIRME" not in text


def test_sessions_in_one_language_say_so_and_mixed_ones_do_not(action_db):
    with action_db() as session:
        session.execute(update(ParentCollegeSession).values(language="es"))
        session.commit()
    text = render(answer(make_tracker("when", "ask_parent_college", language="en")), "en")
    assert text.startswith("Parent College (free, in Spanish). Next classes:")
    with action_db() as session:
        session.execute(
            update(ParentCollegeSession)
            .where(ParentCollegeSession.slug == "2027-01-watts")
            .values(language="both")
        )
        session.commit()
    text = render(answer(make_tracker("when", "ask_parent_college", language="en")), "en")
    assert text.startswith("Parent College (free). Next classes:")


@pytest.mark.parametrize(
    ("text", "language", "line"),
    [
        ("puedo llevar a mis niños a la clase?", "es", "Hay cuidado de niños durante la clase"),
        ("is there childcare on saturday?", "en", "There is childcare during the class"),
        ("oiga y ahi cuidan a los ninos mientras uno esta en la clase?", "es",
         "Hay cuidado de niños durante la clase"),
        ("will someone watch the kids while we're in class?", "en",
         "There is childcare during the class"),
    ],
)  # fmt: skip
def test_a_childcare_question_gets_the_dates_and_the_childcare(action_db, text, language, line):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "ask_parent_college", language=language)
    ActionAnswerParentCollege(lambda: ASKED_ON).run(dispatcher, tracker, domain())
    texts = [render(m, language) for m in dispatcher.messages]
    assert len(texts) == 2 and texts[1].startswith(line)
    assert texts[0].startswith("Parent College")


@pytest.mark.parametrize(
    ("text", "about_the_class"),
    [
        ("y a q hora empieza?", True),
        ("what time does it end", True),
        ("what time does school start?", False),  # the child's school day, not the class
        ("a q hora salen los niños de la escuela", False),
        ("ok", False),
    ],
)
def test_an_unplaced_question_right_after_the_class_answer(action_db, text, about_the_class):
    from rasa_sdk.events import FollowupAction

    from actions.parent_college import ActionAnswerAfterParentCollege

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", language="en")
    events = ActionAnswerAfterParentCollege().run(dispatcher, tracker, domain())
    if about_the_class:
        assert dispatcher.messages[0]["response"].startswith("utter_parent_college")
    else:
        assert events == [FollowupAction("action_clarify")] and dispatcher.messages == []
