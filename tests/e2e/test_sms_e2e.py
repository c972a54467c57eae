"""A family texts the line: Twilio-signed requests through the Flask app to the real Rasa server
and action server, answered from the database in the family's language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.models import Message, School
from bot.sms.inbound_request import sign, twilio_sms_form
from tests.conftest import HEALTH_DETAILS, TEST_TWILIO_TOKEN, WEBHOOK_URL
from tests.e2e.conftest import texting

pytestmark = pytest.mark.e2e

MARKHAM = "1650 E 104th St, Los Angeles, CA 90002"


@pytest.fixture
def sessions(e2e_sessions):
    return e2e_sessions


def test_english_question_about_markham_gets_its_address_in_english(client):
    replies = texting(client, "Hi, what is the address of Markham?")
    assert replies == [f"Markham Middle School is at {MARKHAM}."]


def test_spanish_question_about_markham_gets_its_address_in_spanish(client):
    replies = texting(client, "hola, cual es la direccion de markham?")
    assert replies == [f"La dirección de Markham Middle School es {MARKHAM}."]


def test_the_answer_comes_from_the_database(client, sessions):
    with sessions() as session:
        session.execute(update(School).filter_by(slug="gompers").values(address="1 Test Way"))
        session.commit()
    assert texting(client, "donde queda gompers") == [
        "La dirección de Gompers Middle School es 1 Test Way."
    ]


def test_no_school_named_asks_which_then_answers(client):
    number = "+13235550999"
    assert texting(client, "where is the school?", number) == [
        "Which school? For example: Markham, Jordan or Roosevelt."
    ]
    assert texting(client, "jordan", number) == [
        "Jordan High School is at 2265 E 103rd St, Los Angeles, CA 90002."
    ]


def test_an_unknown_school_is_said_so_in_spanish(client):
    number = "+13235550998"
    assert texting(client, "donde queda la escuela", number) == [
        "¿De qué escuela? Por ejemplo: Markham, Jordan o Roosevelt."
    ]
    replies = texting(client, "la escuela pikachu", number)
    assert any("Jordan, Markham, Roosevelt" in reply for reply in replies), replies


def test_forged_or_missing_signature_gets_403(client):
    form = twilio_sms_form("hola", "+13235550100")
    assert client.post(WEBHOOK_URL, data=form).status_code == 403
    forged = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, "not-the-token")}
    assert client.post(WEBHOOK_URL, data=form, headers=forged).status_code == 403


def test_same_message_sid_twice_one_answer_one_logged_message(client, sessions):
    form = twilio_sms_form("where is roosevelt high", "+13235550997")
    first = texting(client, None, form=form)
    second = texting(client, None, form=form)
    assert first == ["Roosevelt High School is at 456 S Mathews St, Los Angeles, CA 90033."]
    assert second == []
    with sessions() as session:
        logged = session.execute(select(Message).filter_by(twilio_sid=form["MessageSid"])).all()
        assert len(logged) == 1
        inbound = logged[0][0]
        assert (inbound.intent, inbound.language) == ("ask_school_info", "en")
        assert inbound.confidence > 0.5


def test_health_reports_rasa_and_action_server_up(client):
    checks = client.get("/healthz", headers=HEALTH_DETAILS).get_json()["checks"]
    assert checks["database"]["ok"] and checks["rasa"]["ok"] and checks["action_server"]["ok"]
    assert checks["worker"]["ok"] is False  # no worker in this stack: reported, not hidden


def test_bot_sms_try_reaches_the_running_web_process(stack):
    bot = Path(sys.executable).with_name("bot")
    result = subprocess.run(
        [str(bot), "sms", "try", "hola, donde queda markham?", "--url",
         f"http://127.0.0.1:{stack.port}/twilio/sms"],
        capture_output=True, text=True, timeout=60,
        env={"TWILIO_AUTH_TOKEN": TEST_TWILIO_TOKEN, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"La dirección de Markham Middle School es {MARKHAM}."


@pytest.mark.parametrize(
    ("refusal", "number"),
    [("no hablo ingles", "+13235557001"), ("perdon pero no entiendo el inglés", "+13235557002")],
)
def test_a_family_that_says_it_does_not_speak_english_gets_spanish(
    client, sessions, refusal, number
):
    texting(client, "hi, where is markham?", number)
    assert texting(client, refusal, number) == [
        "Listo, de ahora en adelante le escribo en español."
    ]
    assert texting(client, "where is jordan?", number)[0].startswith("La dirección de Jordan")


def test_a_family_that_asks_for_english_keeps_english(client, sessions):
    number = "+13235550996"
    assert texting(client, "hola buenos dias", number) == [
        "¡Hola! Soy el asistente de Partnership for LA Schools. Pregúnteme por una escuela, "
        "eventos o programas."
    ]
    assert texting(client, "en ingles por favor", number) == [
        "OK, I'll write to you in English from now on."
    ]
    # Written in Spanish, answered in English: the family's explicit choice stays.
    assert texting(client, "donde queda markham", number) == [
        f"Markham Middle School is at {MARKHAM}."
    ]
