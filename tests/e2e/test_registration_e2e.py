"""Parent College by text, end to end: signed SMS through the Flask app to the real Rasa server
and action server, in Spanish and in English: the happy path, answers that need asking again,
a question in the middle, the waitlist, a duplicate, checking and cancelling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import ParentCollegeSession, Registration
from bot.text.dates import time_range
from tests.e2e.conftest import Family, session_label

pytestmark = pytest.mark.e2e


def test_a_spanish_speaking_parent_signs_up_checks_and_cancels(client, e2e_sessions, pc_sessions):
    family = Family(client)
    assert family.says("hola quiero inscribirme al parent college") == [
        "¡Con gusto le inscribo en Parent College! ¿Cuál es su nombre completo?"
    ]
    assert family.says("me llamo rosa diaz") == [
        "Gracias, Rosa Diaz. ¿A qué escuela va su hijo o hija? Por ejemplo: Markham, Jordan o "
        "Roosevelt."
    ]
    (offer,) = family.says("markham")
    watts = session_label(pc_sessions, "e2e-watts", "es")
    assert offer.startswith("¿A qué sesión quiere ir? Responda con el número:\n")
    assert f"1) {watts}" in offer
    assert family.says("el primero") == [
        "¿Cuántos adultos van a venir, contándose usted? Escriba un número, por ejemplo 2."
    ]
    assert family.says("somos dos") == [
        "¿Necesita cuidado de niños durante la clase? Responda SÍ o NO."
    ]
    assert family.says("si, para 2 niños") == [
        f"Confirmo: Rosa Diaz, {watts}; 2 adultos, cuidado para 2 niños. ¿Está bien? "
        "Responda SÍ o NO."
    ]
    (done,) = family.says("si")
    assert done.startswith(f"¡Listo! Le apartamos un lugar el {watts}.")
    with e2e_sessions() as session:
        contact = family.contact(session)
        (registration,) = session.execute(
            select(Registration).filter_by(contact_id=contact.id)
        ).scalars()
        assert (registration.name, registration.adults, registration.children) == (
            "Rosa Diaz",
            2,
            2,
        )
        assert registration.status == "registered" and registration.childcare
        assert contact.school.short_name == "Markham" and contact.name == "Rosa Diaz"

    (listed,) = family.says("ya estoy inscrita?")
    assert listed.startswith(f"Sus inscripciones: {watts} (2 adultos, cuidado para 2 niños)")

    assert family.says("quiero cancelar mi inscripcion") == [
        f"¿Seguro que quiere cancelar su lugar del {watts}? Responda SÍ o NO."
    ]
    assert family.says("si") == [
        f"Listo, cancelamos su lugar del {watts}. Si cambia de opinión, escriba INSCRIBIRME."
    ]
    with e2e_sessions() as session:
        assert (
            session.execute(
                select(Registration.status).filter_by(contact_id=family.contact(session).id)
            ).scalar_one()
            == "cancelled"
        )
    assert family.says("estoy registrada?") == [
        "No tiene inscripciones pendientes para Parent College. Para inscribirse, escriba "
        "INSCRIBIRME."
    ]


def test_an_english_speaker_is_asked_again_when_an_answer_does_not_fit(client, pc_sessions):
    family = Family(client)
    assert family.says("I want to sign up for parent college") == [
        "Happy to sign you up for Parent College! What is your full name?"
    ]
    assert family.says("12345") == [
        "Sorry, I didn't get your name. Please write it like this: Rosa Diaz.",
        "To go on with your sign-up, what is your full name?",  # asked again briefly
    ]
    (school_question,) = family.says("Maria Lopez")
    assert school_question.startswith("Thanks, Maria Lopez. Which school")
    (offer,) = family.says("jordan")
    assert offer.startswith("Which session would you like? Reply with the number:\n")
    (sorry, offer_again) = family.says("the fifth one")
    assert sorry == (
        "Sorry, I didn't catch which session. Please reply with just its number from the list."
    )
    assert offer_again == offer
    family.says("2")
    assert family.says("lots of us") == [
        "Sorry, I didn't get the number. Please text just a number, for example 2.",
        "How many adults are coming, counting you? Text a number, for example 2.",
    ]
    assert family.says("1") == ["Do you need childcare during the class? Reply YES or NO."]
    boyle = session_label(pc_sessions, "e2e-boyle-heights", "en")
    assert family.says("no") == [
        f"To confirm: Maria Lopez, {boyle}; 1 adult, no childcare. Is that right? Reply YES or NO."
    ]
    (done,) = family.says("yes")
    assert done.startswith(f"You're all set! We saved you a spot for {boyle}.")


def test_a_question_in_the_middle_is_answered_and_the_form_goes_on(client, pc_sessions):
    family = Family(client)
    family.says("quiero inscribirme")
    replies = family.says("que es parent college?")
    assert replies[0].startswith("Parent College (gratis, en inglés y español). Próximas clases:\n")
    assert "INSCRIBIRME" not in replies[0]  # already signing up
    # The nearest session in full: its date, time and street.
    assert replies[0].split("\n")[1].startswith("sábado "), replies[0]
    starts = pc_sessions["e2e-watts"][0]
    hours = time_range(starts, starts + timedelta(hours=3), "es")
    assert f"{hours}, Markham, 1650 E 104th St" in replies[0], replies[0]
    assert replies[-1] == "Para seguir con su inscripción, ¿cuál es su nombre completo?"
    (school_question,) = family.says("Guadalupe Ramirez")
    assert school_question.startswith("Gracias, Guadalupe Ramirez.")


def test_a_full_session_puts_the_family_on_the_waitlist(client, e2e_sessions, pc_sessions):
    answers, offers = {}, {}
    for name in ("Ana Cruz", "Luis Gil"):
        family = Family(client)
        family.says("quiero inscribirme a parent college")
        family.says(name)
        # A Gompers family is offered the South LA session first.
        (offers[name],) = family.says("gompers")
        for text in ("1", "1", "no"):
            family.says(text)
        (answers[name],) = family.says("si")
    full = session_label(pc_sessions, "e2e-full", "es")
    assert f"\n1) {full}\n" in offers["Ana Cruz"]
    assert f"\n1) {full} (llena: lista de espera)" in offers["Luis Gil"]
    # One seat: the first family takes it, the second waits.
    assert answers["Ana Cruz"].startswith("¡Listo! Le apartamos un lugar")
    assert answers["Luis Gil"] == (
        f"Esa sesión está llena: queda en lista de espera (número 1) del {full}. Le avisamos si "
        "se abre un lugar."
    )
    with e2e_sessions() as session:
        statuses = (
            session.execute(
                select(Registration.status)
                .join(ParentCollegeSession)
                .filter(ParentCollegeSession.slug == "e2e-full")
                .order_by(Registration.id)
            )
            .scalars()
            .all()
        )
    assert statuses == ["registered", "waitlisted"]


def test_signing_up_twice_for_one_session_is_told_not_duplicated(client, e2e_sessions, pc_sessions):
    family = Family(client)
    for text in ("sign me up for parent college", "Rosa Diaz", "markham", "1", "1", "no"):
        family.says(text)
    (first,) = family.says("yes")
    assert first.startswith("You're all set!")
    # The family's name and school are remembered: the second time starts at the session.
    (offer,) = family.says("sign me up for parent college")
    assert offer.startswith("Which session would you like?")
    for text in ("1", "1", "no"):
        family.says(text)
    watts = session_label(pc_sessions, "e2e-watts", "en")
    assert family.says("yes") == [f"You already have a spot for {watts}. No need to sign up again."]
    with e2e_sessions() as session:
        rows = (
            session.execute(select(Registration).filter_by(contact_id=family.contact(session).id))
            .scalars()
            .all()
        )
        assert len(rows) == 1


def test_saying_no_at_the_confirmation_signs_nobody_up(client, e2e_sessions, pc_sessions):
    family = Family(client)
    for answer in ("quiero inscribirme", "Rosa Diaz", "markham", "2", "1", "no"):
        family.says(answer)
    assert family.says("no") == [
        "Está bien, no le inscribí. Cuando quiera empezar de nuevo, escriba INSCRIBIRME."
    ]
    with e2e_sessions() as session:
        assert not session.execute(
            select(Registration).filter_by(contact_id=family.contact(session).id)
        ).first()


def test_cancel_and_check_with_nothing_to_cancel(client, pc_sessions):
    family = Family(client)
    assert family.says("cancel my spot for parent college") == [
        "You have no upcoming Parent College sign-ups, so there's nothing to cancel."
    ]
    assert family.says("am I signed up?") == [
        "You have no upcoming Parent College sign-ups. To sign up, text SIGN ME UP."
    ]


def test_a_no_halfway_stops_the_sign_up(client, e2e_sessions, pc_sessions):
    family = Family(client)
    family.says("quiero inscribirme")
    family.says("Rosa Diaz")
    assert family.says("ya no") == [
        "Está bien, dejamos la inscripción aquí. Cuando quiera, escriba INSCRIBIRME para empezar "
        "de nuevo."
    ]
    # Out of the form, a school name is a school question again.
    assert family.says("markham")[0].startswith("La dirección de Markham")


def test_switching_language_halfway_keeps_the_form_going_in_the_new_language(client, pc_sessions):
    family = Family(client)
    family.says("quiero inscribirme")
    assert family.says("en ingles por favor") == [
        "OK, I'll write to you in English from now on.",
        "Happy to sign you up for Parent College! What is your full name?",
    ]
    (school_question,) = family.says("Rosa Diaz")
    assert school_question.startswith("Thanks, Rosa Diaz. Which school")


def test_two_answers_in_a_row_it_cannot_read_end_the_sign_up_kindly(client, e2e_sessions):
    family = Family(client)
    family.says("quiero inscribirme")
    assert family.says("12345") == [
        "Perdón, no entendí su nombre. Escríbalo así: Rosa Díaz.",
        "Para seguir con su inscripción, ¿cuál es su nombre completo?",
    ]
    # The second one ends the form instead of asking a third time.
    assert family.says("98765") == [
        "Está bien, dejamos la inscripción aquí. Cuando quiera, escriba INSCRIBIRME para empezar "
        "de nuevo."
    ]
    # Later replies come without the form's question stuck on.
    replies = family.says("gracias")
    assert replies and not any("nombre completo" in reply for reply in replies)
