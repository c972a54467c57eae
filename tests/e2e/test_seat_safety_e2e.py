"""A family's Parent College seat changes only on its clear yes, end to end on the real Rasa
server and action server: questions about a sign-up leave it alone, and cancelling asks first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Registration
from tests.e2e.conftest import Family, session_label

pytestmark = pytest.mark.e2e

# Whole sign-ups, answer by answer (name, school, first session offered, adults, no childcare).
SIGN_UP = {
    "es": ("quiero inscribirme a parent college", "Rosa Diaz", "markham", "1", "1", "no", "si"),
    "en": ("sign me up for parent college", "Rosa Diaz", "markham", "1", "1", "no", "yes"),
}
CANCELLED = {"es": "Listo, cancelamos su lugar", "en": "Done, we cancelled your spot"}

# What a family asks about a seat it holds: when, where, whether it arrived, what to bring. None of
# these asks to cancel.
QUESTIONS = {
    "es": (
        "cuando es mi clase?",
        "a q hora empieza mi clase del sabado",
        "donde va a ser la clase?",
        "recibieron mi inscripcion?",
        "si quede apuntada verdad?",
        "me anotaron para el sabado?",
        "puedo llevar a mis hijos a la clase?",
        "cuanto cuesta la clase",
        "me van a mandar un recordatorio?",
        "y si llego tarde a la clase?",
    ),
    "en": (
        "when is my class?",
        "what time does my class start on saturday",
        "where is the class gonna be?",
        "did you get my sign up?",
        "am i on the list for saturday?",
        "did my registration go through",
        "can i bring my kids to the class?",
        "how much does the class cost",
        "will you send me a reminder?",
        "what if im late to class?",
    ),
}


def _signed_up(client, language: str) -> Family:
    family = Family(client)
    for answer in SIGN_UP[language]:
        replies = family.says(answer)
    assert replies[0].startswith(("¡Listo!", "You're all set!")), replies
    return family


def _statuses(e2e_sessions, family: Family) -> list[str]:
    with e2e_sessions() as session:
        contact = family.contact(session)
        return list(
            session.execute(select(Registration.status).filter_by(contact_id=contact.id)).scalars()
        )


@pytest.mark.parametrize("language", ["es", "en"])
def test_questions_about_a_sign_up_leave_it_intact(client, e2e_sessions, pc_sessions, language):
    family = _signed_up(client, language)
    for question in QUESTIONS[language]:
        # What each answer says is issue 13's business; here, only that nothing changed.
        replies = family.says(question)
        assert not any(CANCELLED[language] in reply for reply in replies), (question, replies)
        assert _statuses(e2e_sessions, family) == ["registered"], question


@pytest.mark.parametrize(
    ("language", "cancel", "no", "kept"),
    [
        ("es", "ya no voy a poder ir, cancelen mi lugar", "no", "sigue apartado"),
        ("en", "cancel my registration", "no, keep it", "is still saved"),
    ],
)
def test_cancel_then_no_keeps_the_seat(
    client, e2e_sessions, pc_sessions, language, cancel, no, kept
):
    family = _signed_up(client, language)
    watts = session_label(pc_sessions, "e2e-watts", language)
    (question,) = family.says(cancel)
    assert watts in question and ("SÍ o NO" in question or "YES or NO" in question), question
    assert _statuses(e2e_sessions, family) == ["registered"]
    (answer,) = family.says(no)
    assert kept in answer and watts in answer, answer
    assert _statuses(e2e_sessions, family) == ["registered"]
    # A yes later on, out of the question's turn, cancels nothing.
    family.says("si" if language == "es" else "yes")
    assert _statuses(e2e_sessions, family) == ["registered"]


@pytest.mark.parametrize(
    ("language", "cancel", "yes"),
    [
        ("es", "quiero darme de baja de parent college", "sí"),
        ("en", "I can't make it, cancel my spot", "yes please"),
    ],
)
def test_cancel_then_yes_cancels_the_seat(client, e2e_sessions, pc_sessions, language, cancel, yes):
    family = _signed_up(client, language)
    watts = session_label(pc_sessions, "e2e-watts", language)
    (question,) = family.says(cancel)
    assert watts in question, question
    assert family.says(yes) == [
        {
            "es": f"Listo, cancelamos su lugar del {watts}. Si cambia de opinión, escriba "
            "INSCRIBIRME.",
            "en": f"Done, we cancelled your spot for {watts}. If you change your mind, text SIGN "
            "ME UP.",
        }[language]
    ]
    assert _statuses(e2e_sessions, family) == ["cancelled"]


def test_an_unclear_answer_to_the_cancel_question_asks_again_and_keeps_the_seat(
    client, e2e_sessions, pc_sessions
):
    family = _signed_up(client, "es")
    watts = session_label(pc_sessions, "e2e-watts", "es")
    family.says("cancelen mi inscripcion porfa")
    assert family.says("el sabado") == [
        f"Perdón, no entendí. ¿Cancelo su lugar del {watts}? Responda SÍ para cancelar o NO para "
        "quedarse."
    ]
    assert _statuses(e2e_sessions, family) == ["registered"]
    (done,) = family.says("si")
    assert done.startswith("Listo, cancelamos su lugar")
    assert _statuses(e2e_sessions, family) == ["cancelled"]
