"""action_answer_school_info on the seeded schools: the fact asked, never another one. The seed
has addresses but no confirmed phones, hours or principals (seed/README.md), so tests that need
a known one set it first."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.school_info import ActionAnswerSchoolInfo
from bot.models import School
from tests.actions.conftest import set_school_facts
from tests.support.trackers import domain, make_tracker, render


def answer(text, language="es", school="Jordan", earlier=()):
    tracker = make_tracker(text, "ask_school_info", slots={"school": school}, language=language)
    # Earlier messages of the same conversation, oldest first, before the latest one.
    for older_text, intent in reversed(earlier):
        tracker.events.insert(
            1,
            {
                "event": "user",
                "text": older_text,
                "parse_data": {"intent": {"name": intent, "confidence": 1.0}},
            },
        )
    dispatcher = CollectingDispatcher()
    assert ActionAnswerSchoolInfo().run(dispatcher, tracker, domain()) == []
    return [render(m, language) for m in dispatcher.messages if m.get("response")], [
        m["custom"] for m in dispatcher.messages if m.get("custom")
    ]


def test_the_principal_asked_is_not_answered_with_the_address(action_db):
    # "dirección" is the address, "director" the principal; the seed has no principal yet.
    texts, custom = answer("quien es el director de jordan")
    assert texts == [
        "No tenemos el nombre del director(a) de Jordan. Le avisé al equipo y le responderán "
        + texts[0].split("le responderán ")[1]
    ]
    assert "Jordan High School is at" not in " ".join(texts) and "103rd" not in texts[0]
    assert custom == [{"handoff": "fact_unknown"}]


def test_a_known_fact_is_given_and_an_unknown_one_points_to_the_office(action_db):
    set_school_facts(action_db, "jordan", phone="(323) 555-0142", principal="Dra. Ana Pérez")
    texts, custom = answer("quien es la directora de la jordan")
    assert texts == ["Jordan High School está a cargo de Dra. Ana Pérez."]
    texts, custom = answer("what time does jordan open", language="en")
    assert texts == [
        "We don't have the office hours for Jordan. The school office can help: (323) 555-0142."
    ]
    assert custom == []  # the office answers; nothing waits for staff
    texts, _ = answer("telefono de jordan")
    assert texts == ["El teléfono de Jordan High School es (323) 555-0142."]


def test_a_placeholder_is_never_shown_as_a_fact(action_db):
    # Staff typed a value but left it marked "still to confirm": not told to families.
    with action_db() as session:
        school = session.execute(select(School).filter_by(slug="jordan")).scalar_one()
        school.principal = "Nombre por confirmar"
        session.commit()
    texts, _ = answer("who is the principal at jordan", language="en")
    assert "Nombre por confirmar" not in " ".join(texts)
    assert texts[0].startswith("We don't have the principal's name for Jordan yet.")


def test_no_fact_named_gives_the_address_and_a_known_phone(action_db):
    set_school_facts(action_db, "jordan", phone="(323) 555-0142")
    texts, _ = answer("info de la jordan")
    assert texts[0].startswith("La dirección de Jordan High School es ")
    assert texts[1] == "Teléfono: (323) 555-0142"


@pytest.mark.parametrize(
    "earlier, latest, first",
    [
        # Asked which school, the family answers with its name: the question was two back.
        ([("a que hora abre la escuela", "ask_school_info")], "jordan", "No tenemos el horario"),
        ([("where is it", "ask_school_info")], "jordan", "La dirección de Jordan"),
    ],
)
def test_the_question_before_the_forms_answer_decides_the_fact(action_db, earlier, latest, first):
    texts, _ = answer(latest, earlier=earlier)
    assert texts[0].startswith(first), texts


def test_several_unknown_facts_are_named_together(action_db):
    texts, _ = answer("horario y telefono de jordan")
    assert texts[0].startswith("No tenemos esos datos de Jordan.")


def test_a_question_about_a_school_that_names_no_fact_goes_to_a_person(action_db):
    set_school_facts(action_db, "jordan", phone="(323) 555-0142")
    texts, custom = answer("a mi hijo lo estan molestando unos niños en la jordan, que hago?")
    assert texts[0].startswith("Con eso le ayuda mejor una persona: ya le pasé su mensaje")
    assert texts[1] == "Teléfono: (323) 555-0142"
    assert custom == [{"handoff": "school_question"}]
    assert "La dirección" not in " ".join(texts)  # never another fact instead


def _after_parent_college(text, intent="ask_school_info", entities=()):
    tracker = make_tracker(text, intent, slots={"school": "Jordan"}, language="en")
    tracker.latest_message["entities"] = list(entities)
    tracker.events[1:1] = [
        {"event": "user", "text": "when is parent college", "parse_data": {}},
        {"event": "action", "name": "action_answer_parent_college"},
        {"event": "user", "text": "English please", "parse_data": {}},
        {"event": "action", "name": "utter_language_changed"},
    ]
    return tracker


def test_a_time_asked_right_after_parent_college_is_the_class_time(action_db):
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(
        dispatcher, _after_parent_college("what time does it start?"), domain()
    )
    assert [m["response"] for m in dispatcher.messages][0].startswith("utter_parent_college")
    # Naming a school asks about the school.
    named = _after_parent_college(
        "what time does jordan start?", entities=[{"entity": "school", "value": "Jordan"}]
    )
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(dispatcher, named, domain())
    assert not [
        m
        for m in dispatcher.messages
        if (m.get("response") or "").startswith("utter_parent_college")
    ]
    # So does asking about school itself: "what time does school start?" once got the class.
    for text in ("what time does school start?", "a q hora salen de la escuela?"):
        dispatcher = CollectingDispatcher()
        ActionAnswerSchoolInfo().run(dispatcher, _after_parent_college(text), domain())
        responses = [m.get("response") or "" for m in dispatcher.messages]
        assert not [r for r in responses if r.startswith("utter_parent_college")], text


def test_a_school_is_found_among_everything_the_model_marked_as_one(action_db):
    from actions.school_info import ActionValidateSchoolInfoForm

    text = "is there a school bus to jordan from our street"
    tracker = make_tracker(text, "ask_bus", [("school", "Jordan"), ("school", "street")])
    result = ActionValidateSchoolInfoForm().validate_school(
        "street", CollectingDispatcher(), tracker, domain()
    )
    assert result == {"school": "Jordan"}


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("es", ["llame a la oficina de la escuela", "este chat no le avisa a la escuela"]),
        ("en", ["call your child's school office", "texting us does not tell the school"]),
    ],
)
def test_a_sick_child_at_a_school_the_line_lacks_gets_the_way_forward_at_once(
    action_db, language, says
):
    """ "my son is sick" -> "which school?" -> "ritter": no list of schools, no second question."""
    from actions.school_info import ActionValidateSchoolInfoForm

    tracker = make_tracker("ritter", "inform", [("school", "ritter")], language=language)
    tracker.events.insert(  # the question that made the form ask "which school?"
        1,
        {
            "event": "user",
            "text": "mi hijo esta enfermo",
            "parse_data": {"intent": {"name": "report_absence", "confidence": 1.0}},
        },
    )
    dispatcher = CollectingDispatcher()
    result = ActionValidateSchoolInfoForm().validate_school("ritter", dispatcher, tracker, domain())
    assert result == {"school": None, "form_let_go": True}
    texts = [render(m, language) for m in dispatcher.messages if m.get("response")]
    assert len(texts) == 1 and says[0] in texts[0] and says[1] in texts[0]
    assert {"handoff": "school_question"} in [m.get("custom") for m in dispatcher.messages]


def test_a_school_the_line_lacks_for_a_question_about_the_school_lists_ours(action_db):
    from actions.school_info import ActionValidateSchoolInfoForm

    tracker = make_tracker("ritter", "inform", [("school", "ritter")])
    dispatcher = CollectingDispatcher()
    result = ActionValidateSchoolInfoForm().validate_school("ritter", dispatcher, tracker, domain())
    assert result == {"school": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_school_unknown"]


def test_an_answer_read_as_a_school_question_still_finds_the_question_before_it(action_db):
    """ "¿cómo inscribo a mi hijo en la Weigand?" -> "which school?" -> "q papeles necesito?"."""
    from actions.school_info import ActionValidateSchoolInfoForm

    tracker = make_tracker("q papeles necesito?", "ask_school_info")
    tracker.events.insert(
        1,
        {
            "event": "user",
            "text": "como inscribo a mi hijo en la weigand",
            "parse_data": {"intent": {"name": "ask_enrollment", "confidence": 1.0}},
        },
    )
    dispatcher = CollectingDispatcher()
    result = ActionValidateSchoolInfoForm().validate_school(
        "q papeles necesito?", dispatcher, tracker, domain()
    )
    assert result == {"school": None, "form_let_go": True}
    assert "inscripciones" in render(dispatcher.messages[0], "es")


@pytest.mark.parametrize(
    ("text", "intent", "language", "says"),
    [
        ("mi niño va en la ritter y amanecio con calentura", "report_absence", "es", "oficina"),
        ("how do i enroll my daughter at ritter elementary", "ask_enrollment", "en", "office"),
    ],
)
def test_a_school_named_that_the_line_lacks_is_not_asked_for_again(
    action_db, text, intent, language, says
):
    from actions.school_info import ActionValidateSchoolInfoForm

    tracker = make_tracker(text, intent, language=language)
    assert (
        asyncio.run(ActionValidateSchoolInfoForm().required_slots(["school"], None, tracker, {}))
        == []
    )
    tracker = make_tracker(text, intent, slots={"school": None}, language=language)
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(dispatcher, tracker, domain())
    texts = [render(m, language) for m in dispatcher.messages if m.get("response")]
    assert len(texts) == 1 and says in texts[0]
    assert {"handoff": "school_question"} in [m.get("custom") for m in dispatcher.messages]


def test_a_named_school_of_ours_is_still_looked_up(action_db):
    from actions.school_info import ActionValidateSchoolInfoForm

    tracker = make_tracker("mi hija va en la markham y esta enferma", "report_absence")
    slots = asyncio.run(
        ActionValidateSchoolInfoForm().required_slots(["school"], None, tracker, {})
    )
    assert slots == ["school"]


@pytest.mark.parametrize(
    ("text", "entities", "about_the_class"),
    [
        ("a que hora empieza?", [], True),
        ("y donde es?", [], True),
        ("a que hora entran en Jordan?", [("school", "Jordan")], False),
    ],
)
def test_a_time_or_place_asked_during_the_sign_up_is_about_the_class(
    action_db, text, entities, about_the_class
):
    tracker = make_tracker(
        text, "ask_school_info", entities, active_loop="registration_form", language="es"
    )
    dispatcher = CollectingDispatcher()
    ActionAnswerSchoolInfo().run(dispatcher, tracker, domain())
    responses = [m.get("response") or "" for m in dispatcher.messages]
    assert any(r.startswith("utter_parent_college") for r in responses) == about_the_class
    assert "utter_ask_school" not in responses or not about_the_class


def _out_of_scope(text, earlier_intent, school="Roosevelt", entities=()):
    from actions.school_info import ActionAnswerOutOfScope

    tracker = make_tracker(text, "out_of_scope", entities, slots={"school": school})
    tracker.events.insert(  # the family's message before this one
        1,
        {"event": "user", "text": "...", "parse_data": {"intent": {"name": earlier_intent}}},
    )
    dispatcher = CollectingDispatcher()
    events = ActionAnswerOutOfScope().run(dispatcher, tracker, domain())
    return [render(m, "es") for m in dispatcher.messages if m.get("response")], events


def test_a_school_fact_asked_in_words_read_as_out_of_scope_is_answered(action_db):
    """ "¿a qué hora salen los miércoles?" about Roosevelt, then this, once got "con eso no le
    puedo ayudar" although the line has Roosevelt's address."""
    texts, _ = _out_of_scope(
        "y la direccion porfa q voy a ir a recojer unos papeles", "ask_days_off"
    )
    assert len(texts) == 1 and texts[0].startswith("La dirección de Roosevelt High School es")
    texts, events = _out_of_scope("cual es la direccion de la jordan", "greet", school=None,
                                  entities=[("school", "jordan")])  # fmt: skip
    assert texts[0].startswith("La dirección de Jordan High School es")


@pytest.mark.parametrize(
    ("text", "earlier"),
    [
        ("y el telefono de la clinica?", "ask_events"),  # the school is not what they talk about
        ("quien gano el partido de los dodgers", "ask_school_info"),  # no school fact asked
    ],
)
def test_out_of_scope_stays_out_of_scope(action_db, text, earlier):
    texts, events = _out_of_scope(text, earlier)
    assert texts == ["Perdón, con eso no le puedo ayudar. Puedo informarle de escuelas, eventos y "
                     "programas. Si quiere hablar con una persona, dígame."]  # fmt: skip
    assert events == []


def test_bringing_a_child_right_after_the_class_answer_is_about_the_class(action_db):
    """ "y puedo llevar a mi niña chiquita? no tengo con quien dejarla", read as out of scope right
    after the Parent College answer, once got "con eso no le puedo ayudar"."""
    from actions.school_info import ActionAnswerOutOfScope

    text = "y puedo llevar a mi nina chiquita tiene 2 anitos no tengo con quien dejarla"
    tracker = _after_parent_college(text, intent="out_of_scope")
    dispatcher = CollectingDispatcher()
    ActionAnswerOutOfScope().run(dispatcher, tracker, domain())
    responses = [m.get("response") or "" for m in dispatcher.messages]
    assert responses[0].startswith("utter_parent_college")
    assert "utter_out_of_scope" not in responses
