"""action_answer_programs on the seeded programs."""

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update

from actions.programs import ActionAnswerPrograms
from bot.models import Program
from bot.text.segments import count_segments
from tests.support.trackers import domain, make_tracker, render


def answer(tracker):
    dispatcher = CollectingDispatcher()
    assert ActionAnswerPrograms().run(dispatcher, tracker, domain()) == []
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0]


def test_the_list_in_english_has_every_program(action_db):
    message = answer(make_tracker("what programs do you have", "ask_programs", language="en"))
    assert message["response"] == "utter_programs_list"
    assert render(message, "en") == (
        "Our programs: Parent College, Students Connected, ST Math, Achieve3000, Arts education, "
        "Summer and expanded learning. Text the name of one to learn more."
    )


def test_the_list_in_spanish_names_as_many_as_fit(action_db):
    message = answer(make_tracker("que programas tienen", "ask_programs"))
    text = render(message, "es")
    assert message["response"] == "utter_programs_list_some"
    assert text.startswith("Algunos de nuestros programas: Parent College, Students Connected")
    assert text.endswith("Escriba el nombre de uno y le cuento más.")
    assert count_segments(text).segments <= 2


def test_archived_programs_are_not_listed(action_db):
    with action_db() as session:
        session.execute(update(Program).where(Program.slug == "st-math").values(archived=True))
        session.commit()
    message = answer(make_tracker("programs", "ask_programs", language="en"))
    assert "ST Math" not in message["programs"]


def test_one_program_in_spanish(action_db):
    tracker = make_tracker("que es st math", "ask_programs", entities=[("program", "st-math")])
    message = answer(tracker)
    assert message["response"] == "utter_program_details"
    assert render(message, "es") == (
        "ST Math: ST Math es un programa de matemáticas con juegos visuales que los alumnos usan "
        "en clase y en casa."
    )


def test_one_program_in_english(action_db):
    tracker = make_tracker(
        "do u have wifi",
        "ask_programs",
        entities=[("program", "students-connected")],
        language="en",
    )
    assert render(answer(tracker), "en") == (
        "Students Connected: Students Connected gives families high-speed home internet at no "
        "cost. It started during the pandemic and serves over 400 families."
    )


def test_a_long_description_is_cut_on_a_word_boundary(action_db):
    with action_db() as session:
        seeded = session.scalars(
            select(Program.summary).where(Program.slug == "parent-college")
        ).one()["es"]
    tracker = make_tracker(
        "parent college?", "ask_programs", entities=[("program", "parent-college")]
    )
    message = answer(tracker)
    assert count_segments(render(message, "es")).segments <= 2
    kept = message["summary"].removesuffix("...")
    assert message["summary"].endswith("...") and len(kept) > 40
    # Nothing rewritten: the seeded text up to the end of a word.
    assert seeded.startswith(kept)
    assert seeded[len(kept)] in " ,;:"


def test_a_website_is_given_when_the_program_has_one(action_db):
    with action_db() as session:
        session.execute(
            update(Program).where(Program.slug == "st-math").values(website="stmath.com")
        )
        session.commit()
    tracker = make_tracker("st math", "inform", entities=[("program", "st-math")], language="en")
    message = answer(tracker)
    assert message["response"] == "utter_program_details_website"
    text = render(message, "en")
    assert text.endswith("\nMore at stmath.com")
    assert count_segments(text).segments <= 2


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize(
    "slug",
    [
        "parent-college",
        "students-connected",
        "st-math",
        "achieve3000",
        "arts-education",
        "expanded-learning",
    ],
)
def test_every_program_fits_in_two_segments(action_db, slug, language):
    tracker = make_tracker(slug, "ask_programs", entities=[("program", slug)], language=language)
    message = answer(tracker)
    assert message["response"] == "utter_program_details"
    assert count_segments(render(message, language)).segments <= 2


def test_an_unknown_program_gets_the_list(action_db):
    tracker = make_tracker("chess club", "ask_programs", entities=[("program", "chess-club")])
    assert answer(tracker)["response"].startswith("utter_programs_list")


@pytest.mark.parametrize(
    ("text", "language", "entities", "passed_on"),
    [
        ("is it free? i get off work at 6 so i need till late", "en", [], True),
        ("como le hago para que mi hijo entre a la tutoria?", "es", [], True),
        ("does griffith have an after school program", "en", [("school", "griffith")], True),
        ("que es la tutoria", "es", [], False),
        ("tell me about after school", "en", [], False),
    ],
)
def test_what_a_programs_summary_does_not_say_goes_to_a_person(
    action_db, text, language, entities, passed_on
):
    """The summary, then, for its times, cost, joining or a school's own program, a person."""
    tracker = make_tracker(
        text, "ask_programs", [("program", "expanded-learning"), *entities], language=language
    )
    dispatcher = CollectingDispatcher()
    assert ActionAnswerPrograms().run(dispatcher, tracker, domain()) == []
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[0] == "utter_program_details"
    if passed_on:
        assert responses[1] == "utter_program_question_to_staff"
        assert dispatcher.messages[2]["custom"] == {"handoff": "program_question"}
        said = render(dispatcher.messages[1], language)
        assert ("nuestro equipo" if language == "es" else "our team") in said
    else:
        assert len(dispatcher.messages) == 1
