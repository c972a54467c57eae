"""The Parent College registration actions called directly, with rasa_sdk trackers, on a seeded
database whose sessions are moved a few weeks ahead of today (the seed's dates will pass)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.cancellation import ActionAskBeforeCancelling, ActionTakeCancelAnswer
from actions.registration import (
    ActionAskConfirmation,
    ActionAskSession,
    ActionSubmitRegistration,
    ActionValidateRegistrationForm,
)
from actions.sessions import session_label
from actions.sign_up_answers import clean_name
from actions.sign_up_questions import ActionCheckRegistration
from bot.models import Contact, ParentCollegeSession, Registration, utcnow
from bot.text.segments import count_segments
from tests.support.trackers import domain, make_tracker, render


@pytest.fixture
def family(action_db):
    """A contact as the web process creates it; Rasa knows it by its public id."""
    with action_db() as session:
        for weeks, pc_session in enumerate(
            session.execute(select(ParentCollegeSession).order_by("starts_at")).scalars(), 1
        ):
            pc_session.starts_at = utcnow() + timedelta(weeks=weeks)
            pc_session.ends_at = pc_session.starts_at + timedelta(hours=3)
        contact = Contact(phone="+13235550100", language="es")
        session.add(contact)
        session.commit()
        return contact.public_id


def _slugs(action_db):
    with action_db() as session:
        return list(
            session.execute(
                select(ParentCollegeSession.slug).order_by(ParentCollegeSession.starts_at)
            ).scalars()
        )


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain())
    return dispatcher.messages, events


@pytest.mark.parametrize(
    "typed, name",
    [
        ("me llamo rosa díaz", "Rosa Díaz"),
        ("Soy María de la Luz Pérez", "María de la Luz Pérez"),
        ("my name is John O'Neil", "John O'Neil"),
        ("12345", None),
        ("si", None),
        ("ok", None),
        ("Yesenia Nolasco", "Yesenia Nolasco"),
        ("a", None),
        ("", None),
    ],
)
def test_names_are_read_from_how_families_introduce_themselves(typed, name):
    assert clean_name(typed) == name


def test_the_session_list_is_numbered_fits_two_segments_and_is_remembered(family, action_db):
    tracker = make_tracker("markham", "inform", sender_id=family)
    messages, events = _run(ActionAskSession(), tracker)
    text = render(messages[0], "es")
    assert text.startswith("¿A qué sesión quiere ir? Responda con el número:\n1) ")
    assert count_segments(text).segments <= 2
    offered = events[0]["value"]
    assert offered == _slugs(action_db)[: len(offered)]
    assert text.count(")") == len(offered) >= 1


def test_validators_read_sessions_numbers_and_yes_no(family, action_db):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    tracker = make_tracker(
        "el segundo", "inform", slots={"session_choices": slugs}, sender_id=family
    )
    dispatcher = CollectingDispatcher()
    assert form.validate_pc_session("el segundo", dispatcher, tracker, domain()) == {
        "pc_session": slugs[1]
    }
    assert form.validate_pc_session("watts", dispatcher, tracker, domain()) == {
        "pc_session": slugs[0]
    }
    assert form.validate_pc_session("9", dispatcher, tracker, domain()) == {"pc_session": None}
    assert dispatcher.messages[-1]["response"] == "utter_invalid_session"
    assert form.validate_adults("somos 3", dispatcher, tracker, domain()) == {"adults": 3.0}
    assert form.validate_adults("0", dispatcher, tracker, domain()) == {"adults": None}
    assert form.validate_childcare("si, 2 niños", dispatcher, tracker, domain()) == {
        "childcare": True,
        "children": 2.0,
    }
    assert form.validate_childcare("no", dispatcher, tracker, domain()) == {
        "childcare": False,
        "children": 0.0,
    }
    assert form.validate_childcare("sí", dispatcher, tracker, domain()) == {"childcare": True}
    assert form.validate_childcare("quizás", dispatcher, tracker, domain()) == {"childcare": None}
    # Children are asked only when childcare is wanted and the count is not known yet.
    needs = asyncio.run(
        form.required_slots(
            list(domain()["forms"]["registration_form"]["required_slots"]),
            dispatcher,
            make_tracker("no", "deny", slots={"childcare": False}),
            domain(),
        )
    )
    assert "children" not in needs and "confirm_registration" in needs


def test_with_no_session_coming_up_the_form_asks_nothing_and_says_so(family, action_db):
    with action_db() as session:
        for pc_session in session.execute(select(ParentCollegeSession)).scalars():
            pc_session.archived = True
        session.commit()
    needs = asyncio.run(
        ActionValidateRegistrationForm().required_slots(
            ["person_name"], CollectingDispatcher(), make_tracker("quiero", "x"), domain()
        )
    )
    assert needs == []
    messages, _ = _run(ActionSubmitRegistration(), make_tracker("si", "affirm", sender_id=family))
    assert messages[0]["response"] == "utter_no_sessions"


def _filled(family, slug, **slots):
    values = {
        "person_name": "Rosa Díaz",
        "school": "Markham",
        "pc_session": slug,
        "adults": 2.0,
        "childcare": True,
        "children": 1.0,
        "confirm_registration": True,
        **slots,
    }
    return make_tracker("si", "affirm", slots=values, sender_id=family)


def test_confirmation_summary_and_sign_up_then_check_then_cancel(family, action_db):
    slug = _slugs(action_db)[0]
    messages, _ = _run(ActionAskConfirmation(), _filled(family, slug))
    summary = render(messages[0], "es")
    assert summary.startswith("Confirmo: Rosa Díaz, ")
    assert "2 adultos, cuidado para 1 niño." in summary
    messages, events = _run(ActionSubmitRegistration(), _filled(family, slug))
    assert messages[0]["response"] == "utter_registered"
    # The form's answers are cleared for next time; name and school stay.
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert {"pc_session", "adults", "confirm_registration"} <= cleared
    assert "person_name" not in cleared
    with action_db() as session:
        registration = session.execute(select(Registration)).scalar_one()
        assert (registration.adults, registration.children, registration.status) == (
            2, 1, "registered"
        )  # fmt: skip
        assert registration.contact.school.short_name == "Markham"

    messages, _ = _run(ActionSubmitRegistration(), _filled(family, slug))
    assert messages[0]["response"] == "utter_already_registered"

    messages, _ = _run(ActionCheckRegistration(), make_tracker("ya estoy?", "x", sender_id=family))
    assert render(messages[0], "es").startswith("Sus inscripciones: ")

    # Cancelling asks about the exact seat and changes nothing until the yes.
    messages, events = _run(
        ActionAskBeforeCancelling(), make_tracker("cancela", "x", sender_id=family)
    )
    asked = render(messages[0], "es")
    assert asked.startswith("¿Seguro que quiere cancelar su lugar del ") and "SÍ o NO" in asked
    (pending,) = [e["value"] for e in events if e["name"] == "cancel_pending"]
    with action_db() as session:
        assert session.execute(select(Registration.status)).scalar_one() == "registered"
        assert session.execute(select(Registration.id)).scalar_one() == pending

    answer = {"cancel_pending": pending}
    messages, events = _run(
        ActionTakeCancelAnswer(), make_tracker("si", "affirm", slots=answer, sender_id=family)
    )
    assert messages[0]["response"] == "utter_registration_cancelled"
    assert {"event": "slot", "name": "cancel_pending", "value": None, "timestamp": None} in events
    with action_db() as session:
        assert session.execute(select(Registration.status)).scalar_one() == "cancelled"
    messages, _ = _run(ActionAskBeforeCancelling(), make_tracker("cancela", "x", sender_id=family))
    assert messages[0]["response"] == "utter_nothing_to_cancel"
    # A second yes to a question already answered changes nothing and says nothing odd.
    messages, _ = _run(
        ActionTakeCancelAnswer(), make_tracker("si", "affirm", slots=answer, sender_id=family)
    )
    assert messages[0]["response"] == "utter_nothing_to_cancel"


@pytest.mark.parametrize(
    ("text", "intent", "response", "status"),
    [
        ("no", "deny", "utter_registration_kept", "registered"),
        ("nel, mejor no", "deny", "utter_registration_kept", "registered"),
        ("el sabado", "inform", "utter_ask_cancel_again", "registered"),
        ("cancelalo", "cancel_registration", "utter_ask_cancel_again", "registered"),
        ("sí, cancélelo", "cancel_registration", "utter_registration_cancelled", "cancelled"),
        ("dale", "nlu_fallback", "utter_registration_cancelled", "cancelled"),
    ],
)
def test_only_a_clear_yes_to_the_cancel_question_cancels(
    family, action_db, text, intent, response, status
):
    slug = _slugs(action_db)[0]
    _run(ActionSubmitRegistration(), _filled(family, slug))
    _, events = _run(ActionAskBeforeCancelling(), make_tracker("cancela", "x", sender_id=family))
    (pending,) = [e["value"] for e in events if e["name"] == "cancel_pending"]
    tracker = make_tracker(text, intent, slots={"cancel_pending": pending}, sender_id=family)
    messages, _ = _run(ActionTakeCancelAnswer(), tracker)
    assert messages[0]["response"] == response
    with action_db() as session:
        assert session.execute(select(Registration.status)).scalar_one() == status


def test_a_yes_with_no_question_pending_cancels_nothing(family, action_db):
    slug = _slugs(action_db)[0]
    _run(ActionSubmitRegistration(), _filled(family, slug))
    messages, _ = _run(ActionTakeCancelAnswer(), make_tracker("si", "affirm", sender_id=family))
    assert messages[0]["response"] == "utter_anything_else"
    with action_db() as session:
        assert session.execute(select(Registration.status)).scalar_one() == "registered"


def test_a_full_session_waitlists_and_a_no_signs_nobody_up(family, action_db):
    slug = _slugs(action_db)[0]
    with action_db() as session:
        session.execute(select(ParentCollegeSession).filter_by(slug=slug)).scalar_one().capacity = 1
        session.commit()
    messages, _ = _run(
        ActionSubmitRegistration(), _filled(family, slug, confirm_registration=False)
    )
    assert messages[0]["response"] == "utter_registration_not_confirmed"
    messages, _ = _run(ActionSubmitRegistration(), _filled(family, slug))
    assert messages[0]["response"] == "utter_waitlisted" and messages[0]["position"] == 1


def test_a_session_archived_after_it_was_offered_signs_nobody_up(family, action_db):
    slug = _slugs(action_db)[0]
    with action_db() as session:
        session.execute(
            select(ParentCollegeSession).filter_by(slug=slug)
        ).scalar_one().archived = True
        session.commit()
    messages, _ = _run(ActionSubmitRegistration(), _filled(family, slug))
    assert messages[0]["response"] == "utter_no_sessions"
    with action_db() as session:
        assert session.execute(select(Registration)).first() is None


def test_session_labels_are_short_in_spanish_and_full_in_english(family, action_db):
    with action_db() as session:
        pc_session = (
            session.execute(select(ParentCollegeSession).order_by(ParentCollegeSession.starts_at))
            .scalars()
            .first()
        )
        spanish, english = session_label(pc_session, "es"), session_label(pc_session, "en")
    assert " de " in spanish and spanish.endswith(" en Markham") and "sábado" not in spanish
    assert english.endswith(" at Markham") and english.split(",")[0] in {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    }  # fmt: skip


@pytest.mark.parametrize("question", ["a que hora empieza?", "oiga y es gratis?", "where is it?"])
def test_a_question_in_place_of_an_answer_gets_the_class_and_counts_as_no_answer(
    family, action_db, question
):
    form = ActionValidateRegistrationForm()
    tracker = make_tracker(question, "nlu_fallback", slots={"form_misses": 0.0}, sender_id=family)
    tracker.active_loop = {"name": "registration_form"}
    dispatcher = CollectingDispatcher()
    result = form.validate_person_name(question, dispatcher, tracker, domain())
    assert result == {"person_name": None, "form_misses": 1.0}  # answered, then asked once more
    assert [m["response"] for m in dispatcher.messages] in (
        ["utter_parent_college_next_in_form"],
        ["utter_parent_college_no_dates"],
    )


@pytest.mark.parametrize("confused", ["??", "mande?", "huh"])
def test_not_following_is_still_an_answer_the_form_cannot_read(family, action_db, confused):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    tracker = make_tracker(
        confused, "nlu_fallback", slots={"session_choices": slugs}, sender_id=family
    )
    dispatcher = CollectingDispatcher()
    assert form.validate_pc_session(confused, dispatcher, tracker, domain()) == {"pc_session": None}
    if confused != "huh":  # a one-word name is a name; a question mark never is
        assert form.validate_person_name(confused, dispatcher, tracker, domain()) == {
            "person_name": None
        }


@pytest.mark.parametrize(
    "typed, entity, name",
    [
        ("Rosa Diaz", "Diaz", "Rosa Diaz"),
        ("me llamo Maria Guadalupe Ramos", "Guadalupe Ramos", "Maria Guadalupe Ramos"),
        ("Rosa Diaz", "Rosa Diaz", "Rosa Diaz"),
    ],
)
def test_a_name_the_model_marked_in_part_is_taken_whole(family, action_db, typed, entity, name):
    tracker = make_tracker(typed, "inform", sender_id=family)
    result = ActionValidateRegistrationForm().validate_person_name(
        entity, CollectingDispatcher(), tracker, domain()
    )
    assert result == {"person_name": name}


@pytest.mark.parametrize(
    ("misses", "language", "asked"),
    [
        (None, "es", "¡Con gusto le inscribo en Parent College! ¿Cuál es su nombre completo?"),
        (1.0, "es", "Para seguir con su inscripción, ¿cuál es su nombre completo?"),
        (1.0, "en", "To go on with your sign-up, what is your full name?"),
    ],
)
def test_the_name_is_asked_again_briefly(misses, language, asked):
    from actions.registration import ActionAskPersonName

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("x", "inform", slots={"form_misses": misses}, language=language)
    ActionAskPersonName().run(dispatcher, tracker, domain())
    assert [render(m, language) for m in dispatcher.messages] == [asked]


@pytest.mark.parametrize(
    ("text", "intent", "stops"),
    [
        ("y donde mero es eso? no conozco por alla", "deny", False),
        ("no gracias, ya no quiero", "deny", True),
        ("cuando es? bueno ya no, cancelelo", "cancel_registration", True),
    ],
)
def test_a_question_about_the_class_read_as_a_no_does_not_stop_the_sign_up(
    action_db, text, intent, stops
):
    from rasa_sdk.events import ActiveLoop, FollowupAction

    from actions.registration import ActionStopRegistration

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, active_loop="registration_form")
    events = ActionStopRegistration().run(dispatcher, tracker, domain())
    responses = [m["response"] for m in dispatcher.messages]
    if stops:
        assert responses == ["utter_registration_stopped"]
        assert events[0] == ActiveLoop(None)
    else:
        assert responses[0].startswith("utter_parent_college")
        assert events == [FollowupAction("registration_form")]


def test_after_a_count_of_adults_the_name_is_asked_again_briefly():
    from actions.registration import ActionAskPersonName

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("1 adulto nomas", "inform", slots={"form_misses": 0.0, "adults": 1.0})
    ActionAskPersonName().run(dispatcher, tracker, domain())
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_person_name_again"]


@pytest.mark.parametrize(
    ("text", "language", "stops"),
    [
        ("no se", "es", False),
        ("nose cual es", "es", False),
        ("idk", "en", False),
        ("no se, ya no quiero", "es", True),
        ("no", "es", True),
    ],
)
def test_not_knowing_the_answer_is_not_a_no(action_db, text, language, stops):
    """ "no sé" where the school was asked, read as a no, once stopped the sign-up."""
    from rasa_sdk.events import FollowupAction

    from actions.registration import ActionStopRegistration

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "deny", active_loop="registration_form", language=language)
    events = ActionStopRegistration().run(dispatcher, tracker, domain())
    if stops:
        assert [m["response"] for m in dispatcher.messages] == ["utter_registration_stopped"]
    else:
        assert [m["response"] for m in dispatcher.messages] == ["utter_form_unsure"]
        assert events == [FollowupAction("registration_form")]


def test_a_count_of_people_is_not_a_pick_from_the_session_list_but_answers_the_adults(
    family, action_db
):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    dispatcher = CollectingDispatcher()
    for text, picked in [
        (
            "just me, 1 adult, no childcare",
            {
                "pc_session": None,
                "adults": 1.0,
                "childcare": False,
                "children": 0.0,
                "form_misses": 0.0,
            },
        ),
        ("somos 2 adultos", {"pc_session": None, "adults": 2.0, "form_misses": 0.0}),
        # All the sessions are on Saturdays: "yo y mi esposo" counts two people, not session 2.
        (
            "la del sabado, vamos yo y mi esposo",
            {"pc_session": None, "adults": 2.0, "form_misses": 0.0},
        ),
        ("la primera, somos 2 adultos", {"pc_session": slugs[0], "adults": 2.0}),
        ("ok la primera sesion, nomas yo", {"pc_session": slugs[0], "adults": 1.0}),
        ("the 2nd one, me and my wife", {"pc_session": slugs[1], "adults": 2.0}),
        ("la primera, con mis 3 ninos", {"pc_session": slugs[0]}),  # children are not adults
        ("2", {"pc_session": slugs[1]}),
    ]:
        tracker = make_tracker(text, "inform", slots={"session_choices": slugs}, sender_id=family)
        assert form.validate_pc_session(text, dispatcher, tracker, domain()) == picked, text


def test_adults_and_childcare_given_where_the_session_was_asked_are_said_back_not_refused(
    family, action_db
):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    text = "vamos a ir 2 adultos y si necesito que me cuiden a los ninos"
    tracker = make_tracker(text, "inform", slots={"session_choices": slugs, "form_misses": 1.0},
                           sender_id=family)  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert form.validate_pc_session(text, dispatcher, tracker, domain()) == {
        "pc_session": None, "adults": 2.0, "childcare": True, "form_misses": 1.0,
    }  # fmt: skip
    assert [m["response"] for m in dispatcher.messages] == ["utter_adults_noted"]


def test_a_number_inside_a_question_about_cost_or_childcare_picks_nothing(family, action_db):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    text = "is the childcare free? my youngest is only 2 is that ok"
    tracker = make_tracker(text, "ask_parent_college", slots={"session_choices": slugs},
                           sender_id=family, language="en")  # fmt: skip
    tracker.active_loop = {"name": "registration_form"}
    dispatcher = CollectingDispatcher()
    assert form.validate_pc_session(text, dispatcher, tracker, domain())["pc_session"] is None
    assert dispatcher.messages[0]["response"].startswith("utter_parent_college")
    assert "utter_parent_college_childcare_in_form" in [m["response"] for m in dispatcher.messages]
    dispatcher = CollectingDispatcher()
    assert form.validate_adults("somos 2, se paga algo?", dispatcher, tracker, domain()) == {
        "adults": None,
        "form_misses": 1.0,
    }


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("somos 2 yo y mi esposo", "es", "Anotado: 2 adultos."),
        ("nomas yo", "es", "Anotado: 1 adulto."),
        ("me and my husband, 2 adults", "en", "Got it: 2 adults."),
    ],
)
def test_a_count_of_adults_where_the_school_was_asked_is_kept_and_does_not_end_the_sign_up(
    family, action_db, text, language, said
):
    """The school was asked twice: a count of adults answers a later question, not nothing, so
    the sign-up goes on, keeps the count and asks the school again (it once let go here)."""
    from rasa_sdk.events import SlotSet

    slots = {"person_name": "Rosa Diaz", "requested_slot": "school", "form_misses": 1.0}
    tracker = make_tracker(text, "inform", slots=slots, sender_id=family, language=language,
                           active_loop="registration_form")  # fmt: skip
    tracker.events.append({"event": "slot", "name": "school", "value": text})  # Rasa's from_text
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionValidateRegistrationForm().run(dispatcher, tracker, domain()))
    assert SlotSet("form_let_go", True) not in events
    assert SlotSet("adults", 2.0 if "2" in text else 1.0) in events
    assert SlotSet("form_misses", 1.0) in events  # the count of misses is kept, not raised
    assert SlotSet("school", None) in events
    assert [render(m, language) for m in dispatcher.messages] == [said]


def test_a_school_and_a_count_of_adults_in_one_answer_fill_both(family, action_db):
    tracker = make_tracker("markham, vamos 2 adultos", "inform", [("school", "markham")],
                           sender_id=family)  # fmt: skip
    result = ActionValidateRegistrationForm().validate_school(
        "markham", CollectingDispatcher(), tracker, domain()
    )
    assert result == {"school": "Markham", "adults": 2.0}


def test_a_school_the_model_did_not_mark_is_found_in_the_whole_message(family, action_db):
    """The model marked part of the name as the school; the school was in the message."""
    text = "Rosa Elvira Canales, mi hijo va en la 99 street"
    tracker = make_tracker(text, "inform", [("school", "Canales")], sender_id=family)
    dispatcher = CollectingDispatcher()
    result = ActionValidateRegistrationForm().validate_school(
        "Canales", dispatcher, tracker, domain()
    )
    assert result == {"school": "99th Street"}
    assert dispatcher.messages == []


def test_a_school_the_line_lacks_named_again_lets_the_sign_up_go_on(family, action_db):
    """ "la weigand" after a question in place of the school: the sign-up once let go of a family
    that had answered; the school only orders the sessions."""
    form = ActionValidateRegistrationForm()
    for misses, result, said in [
        (0.0, {"school": None}, "utter_school_unknown"),
        (1.0, {"school": "la weigand", "form_misses": 0.0}, "utter_school_not_ours_go_on"),
    ]:
        tracker = make_tracker("la weigand", "inform", slots={"form_misses": misses},
                               sender_id=family)  # fmt: skip
        dispatcher = CollectingDispatcher()
        assert form.validate_school("la weigand", dispatcher, tracker, domain()) == result
        assert [m["response"] for m in dispatcher.messages] == [said]
    # Nor is a yes, a number or a question taken for a school.
    for text in ("si", "2", "cual escuela?"):
        tracker = make_tracker(text, "inform", slots={"form_misses": 1.0}, sender_id=family)
        assert (
            form.validate_school(text, CollectingDispatcher(), tracker, domain())["school"] is None
        )


def test_adults_and_childcare_in_one_answer_fill_both(family, action_db):
    form = ActionValidateRegistrationForm()
    dispatcher = CollectingDispatcher()
    for text, result in [
        ("1 y no ocupo cuidado de ninos", {"adults": 1.0, "childcare": False, "children": 0.0}),
        ("vamos 2 y si necesito q me cuiden al nene", {"adults": 2.0, "childcare": True}),
        ("2", {"adults": 2.0}),
    ]:
        tracker = make_tracker(text, "inform", sender_id=family)
        assert form.validate_adults(text, dispatcher, tracker, domain()) == result, text


def test_an_answer_read_as_out_of_scope_is_read_as_the_answer(family, action_db):
    """ "vamos 2 adultos y si necesito q me cuiden al nene", read as out of scope where the adults
    were asked, once got "con eso no le puedo ayudar" and the question again."""
    from rasa_sdk.events import SlotSet

    from actions.sign_up_questions import ActionAnswerAside

    text = "vamos 2 adultos y si necesito q me cuiden al nene"
    slots = {"requested_slot": "adults", "form_misses": 0.0}
    tracker = make_tracker(text, "out_of_scope", slots=slots, sender_id=family,
                           active_loop="registration_form")  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = ActionAnswerAside().run(dispatcher, tracker, domain())
    assert events == [SlotSet("adults", 2.0), SlotSet("childcare", True)]
    assert dispatcher.messages == []
    # The form comes back without counting it as a message that did not answer.
    tracker.events += [{"event": "action", "name": "action_answer_aside"}, *events]
    events = asyncio.run(ActionValidateRegistrationForm().run(dispatcher, tracker, domain()))
    assert not any(e.get("name") == "form_misses" and e.get("value") for e in events)
    # Out of scope where nothing it says answers the question, it is still out of scope.
    tracker = make_tracker("quien gano el partido", "out_of_scope", slots=slots,
                           active_loop="registration_form")  # fmt: skip
    dispatcher = CollectingDispatcher()
    assert ActionAnswerAside().run(dispatcher, tracker, domain()) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


def test_asking_whether_one_is_signed_up_halfway_through_says_not_yet(family, action_db):
    """ "¿ya quedé?" in the middle of the sign-up once got "no sign-ups, text SIGN UP" and counted
    as a message that did not answer, so the form let go of a family that was signing up."""
    from actions.forms import misses_after

    slots = {"requested_slot": "children", "form_misses": 1.0}
    tracker = make_tracker("a q hora es mi clase? ya quede?", "check_registration", slots=slots,
                           sender_id=family, active_loop="registration_form")  # fmt: skip
    messages, _ = _run(ActionCheckRegistration(), tracker)
    assert [m["response"] for m in messages] == ["utter_registration_in_progress"]
    tracker.events.append({"event": "action", "name": "action_check_registration"})
    assert misses_after(tracker, "children", []) is None  # the count is left as it was
    # Outside a sign-up, the family is told it has none and how to sign up.
    tracker = make_tracker("ya quede?", "check_registration", sender_id=family)
    messages, _ = _run(ActionCheckRegistration(), tracker)
    assert [m["response"] for m in messages] == ["utter_no_registrations"]


def test_a_session_count_and_childcare_in_one_answer(family, action_db):
    form = ActionValidateRegistrationForm()
    slugs = _slugs(action_db)
    text = "bueno la 2 entonces, solo yo y si ocupo cuido pal niño"
    tracker = make_tracker(text, "inform", slots={"session_choices": slugs}, sender_id=family)
    assert form.validate_pc_session(text, CollectingDispatcher(), tracker, domain()) == {
        "pc_session": slugs[1],
        "adults": 1.0,
        "childcare": True,
    }
