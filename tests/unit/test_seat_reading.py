"""A message about a sign-up already made is not a new sign-up (bot/reading/seat_reading.py)."""

import pytest

from bot.reading.seat_reading import as_made_sign_up, seat_reading


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        (
            "hi i signed up for parent college last week but i cant go anymore",
            "cancel_registration",
        ),
        ("me inscribi pero ya no voy a poder ir", "cancel_registration"),
        ("quiero darme de baja de las clases", "cancel_registration"),
        ("did my registration go through?", "check_registration"),
        ("ya quede inscrita para el sabado?", "check_registration"),
        ("les llego mi inscripcion?", "check_registration"),
        ("quiero inscribirme a parent college", None),
        ("quiero reservar mi lugar para el sabado", None),
        ("i signed up last year, sign me up again", None),
        ("me inscribi el año pasado, quiero inscribirme otra vez", None),
    ],
)
def test_seat_reading(text, meant):
    assert seat_reading(text) == meant


def test_only_a_sign_up_reading_is_reread():
    signed = [{"name": "register_parent_college", "confidence": 0.8},
              {"name": "check_registration", "confidence": 0.1}]  # fmt: skip
    assert as_made_sign_up(signed, "did my sign up go through") == [
        {"name": "check_registration", "confidence": 0.8},
        {"name": "register_parent_college", "confidence": 0.8},
    ]
    assert as_made_sign_up(signed, "quiero inscribirme") is None
    asked = [{"name": "ask_parent_college", "confidence": 0.9}, *signed]
    assert as_made_sign_up(asked, "did my sign up go through") is None


def test_a_reading_torn_between_sign_up_and_cancel_follows_the_words():
    """ "me anoté hace un mes pero ya no voy a poder ir" once got "¿Quiso decir…? 1) cancelar
    2) inscribirse"; the words say cancel, and the cancel asks first."""
    torn = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "cancel_registration", "confidence": 0.45},
        {"name": "register_parent_college", "confidence": 0.4},
    ]
    text = "yo me anote hace como un mes pa las clases pero ya no voy a poder ir"
    assert as_made_sign_up(torn, text)[0] == {"name": "cancel_registration", "confidence": 0.45}
    sure = [{"name": "cancel_registration", "confidence": 0.95}]
    assert as_made_sign_up(sure, text) is None  # already read so
    other = [{"name": "ask_events", "confidence": 0.5}, *torn[1:]]
    assert as_made_sign_up(other, text) is None  # only a seat reading is re-read
