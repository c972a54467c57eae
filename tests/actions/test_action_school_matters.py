"""Everyday school questions through action_answer_school_info on the seeded schools: the school's
own fact where staff entered it, else its office phone, else a person
(bot/reading/school_matters.py). The seed knows none of these facts (seed/README.md); tests set
what they need."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.school_info import ActionAnswerSchoolInfo
from bot.reading.school_matters import MATTERS
from tests.actions.conftest import set_school_facts
from tests.support.trackers import domain, make_tracker, render

MARKHAM = {
    "phone": "(323) 555-0110",
    "attendance_phone": "(323) 555-0111",
    "enrollment_contact": {
        "en": "the main office, Room 101",
        "es": "la oficina principal, salón 101",
    },
    "days_off": {"en": "Dec 21 to Jan 8", "es": "del 21 de dic. al 8 de ene."},
    "bell_times": {"en": "8:00 a.m. to 3:03 p.m.", "es": "de 8:00 a. m. a 3:03 p. m."},
}


def ask(text, intent, language="es", school="Markham", earlier=(), active_loop=None):
    tracker = make_tracker(text, intent, slots={"school": school}, language=language)
    for older_text, older_intent in reversed(earlier):
        tracker.events.insert(
            1,
            {
                "event": "user",
                "text": older_text,
                "parse_data": {"intent": {"name": older_intent, "confidence": 1.0}},
            },
        )
    if active_loop:
        tracker.active_loop = {"name": active_loop}
    dispatcher = CollectingDispatcher()
    events = ActionAnswerSchoolInfo().run(dispatcher, tracker, domain())
    texts = [render(m, language) for m in dispatcher.messages if m.get("response")]
    return texts, [m["custom"] for m in dispatcher.messages if m.get("custom")], events


def test_a_sick_child_gets_the_attendance_line_and_is_told_the_text_is_not_the_school(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    texts, custom, _ = ask("mi hija amanecio con fiebre, a quien le aviso", "report_absence")
    assert texts == [
        "Para avisar una falta en Markham, llame a la línea de asistencia: (323) 555-0111. "
        "Este chat no le avisa a la escuela."
    ]
    assert custom == []  # answered from the data: nothing waits for staff


def test_enrolling_a_child_gets_the_enrollment_contact_and_the_office_phone(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    texts, custom, _ = ask("how do i enroll my son for 6th grade", "ask_enrollment", "en")
    assert texts == [
        "To enroll your child at Markham: the main office, Room 101. Phone: (323) 555-0110"
    ]
    assert custom == []


def test_days_off_are_the_schools_own(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    texts, _, _ = ask("hay clases en navidad?", "ask_days_off")
    assert texts == ["Días sin clases en Markham: del 21 de dic. al 8 de ene."]


def test_a_fact_the_school_lacks_points_to_the_office_and_waits_for_no_one(action_db):
    set_school_facts(action_db, "roosevelt", phone="(323) 555-0120")
    texts, custom, _ = ask("my son is sick today", "report_absence", "en", school="Roosevelt")
    assert texts == [
        "To report an absence at Roosevelt, call the school office: (323) 555-0120. "
        "Texting us does not tell the school."
    ]
    assert custom == []


@pytest.mark.parametrize("matter", [m for m, fact in MATTERS.items() if fact is None])
def test_questions_for_the_office_give_its_phone_and_go_to_staff(action_db, matter):
    set_school_facts(action_db, "roosevelt", phone="(323) 555-0120")
    texts, custom, _ = ask("pregunta", matter, school="Roosevelt")
    assert "(323) 555-0120" in texts[0] and "Roosevelt" in texts[0]
    assert texts[1].startswith("También le pasé su pregunta a nuestro equipo; le responderán")
    assert custom == [{"handoff": "school_question"}]


@pytest.mark.parametrize("matter", sorted(set(MATTERS) - {"report_absence"}))
def test_nothing_known_goes_to_a_person_with_an_acknowledgement(action_db, matter):
    texts, custom, _ = ask("una pregunta", matter, school="Jordan")
    assert len(texts) == 1 and texts[0].startswith("No tengo datos sobre ")
    assert "en Jordan. Ya pasé su pregunta al equipo; le responden " in texts[0]
    assert custom == [{"handoff": "school_question"}]


def test_which_school_is_asked_first_and_the_question_answered_after(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    texts, _, events = ask("mi hijo esta enfermo", "report_absence", school=None)
    assert texts == ["¿De qué escuela? Por ejemplo: Markham, Jordan o Roosevelt."]
    assert events == [{"event": "slot", "timestamp": None, "name": "school", "value": None}]
    # "¿De qué escuela?" -> "markham": the absence two messages back is what is answered.
    texts, _, _ = ask("markham", "inform", earlier=[("mi hijo esta enfermo", "report_absence")])
    assert "(323) 555-0111" in texts[0]


def test_a_school_question_after_an_everyday_one_is_the_one_answered(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    texts, _, _ = ask(
        "a que hora entran en markham",
        "ask_school_info",
        earlier=[("mi hijo esta enfermo", "report_absence")],
    )
    assert texts == ["Horario de clases de Markham Middle School: de 8:00 a. m. a 3:03 p. m."]


def test_in_the_sign_up_with_no_school_the_general_way_forward(action_db):
    texts, custom, _ = ask(
        "se le perdio la chamarra", "report_lost_item", school=None, active_loop="registration_form"
    )
    assert texts == [
        "La oficina de la escuela le puede ayudar con las cosas perdidas. También pasé su "
        f"pregunta al equipo; le responden {texts[0].split('le responden ')[1]}"
    ]
    assert custom == [{"handoff": "school_question"}]


def test_a_did_you_mean_pick_says_which_question_was_meant(action_db):
    set_school_facts(action_db, "markham", **MARKHAM)
    tracker = make_tracker("markham", "inform", slots={"school": "Markham"}, language="es")
    tracker.slots["clarified_intent"] = "report_absence"
    tracker.events[1:1] = [
        {
            "event": "user",
            "text": "mi nene anda malito",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        },
        {"event": "user", "text": "1", "parse_data": {"intent": {"name": "inform"}}},
    ]
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(dispatcher, tracker, domain())
    assert "(323) 555-0111" in render(dispatcher.messages[0], "es")


def test_an_absence_with_nothing_known_says_the_school_is_not_told(action_db):
    texts, custom, _ = ask("mi hijo no va a ir hoy", "report_absence", school="Jordan")
    assert texts[0].startswith("Este chat no le avisa a la escuela: llame a la oficina de Jordan.")
    assert custom == [{"handoff": "school_question"}]


def test_an_unsure_school_question_in_the_sign_up_is_about_the_class(action_db):
    tracker = make_tracker(
        "puedo llevar a mis ninos?",
        "ask_uniform",
        slots={"school": None},
        active_loop="registration_form",
    )
    tracker.latest_message["intent"]["confidence"] = 0.46
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(dispatcher, tracker, domain())
    assert dispatcher.messages[0]["response"] in (
        "utter_parent_college_next_in_form",
        "utter_parent_college_no_dates",
    )
