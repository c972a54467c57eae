"""Web chat on the real Rasa and action servers: the same answers and the same Parent College
sign-up as by SMS, each browser its own family, and the phone simulator's thread."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Contact, Registration

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser(stack):
    """A fresh web app client: its own cookie jar, so its own visitor."""
    from webhooks import create_app

    return create_app(stack).test_client()


def _say(browser, text: str) -> list[str]:
    response = browser.post("/chat/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json["replies"]


def test_a_visitor_asks_in_english_and_signs_up(browser, e2e_sessions, pc_sessions):
    assert _say(browser, "hi, what is the address of markham?") == [
        "Markham Middle School is at 1650 E 104th St, Los Angeles, CA 90002."
    ]
    assert _say(browser, "sign me up for parent college") == [
        "Happy to sign you up for Parent College! What is your full name?"
    ]
    # The school asked about first is remembered: the form goes straight to the sessions,
    # the family's own neighbourhood first.
    (offer,) = _say(browser, "Ana Torres")
    assert offer.startswith("Which session would you like? Reply with the number:\n1) ")
    assert offer.split("\n")[1].endswith(" at Markham")
    _say(browser, "1")
    _say(browser, "2")
    _say(browser, "no")
    (done,) = _say(browser, "yes")
    assert done.startswith("You're all set! We saved you a spot for ")
    with e2e_sessions() as session:
        registration = session.execute(
            select(Registration).join(Contact).filter(Contact.name == "Ana Torres")
        ).scalar_one()
        assert registration.contact.phone is None and registration.contact.web_chat_id
        assert registration.adults == 2
    # A reload shows the thread.
    assert browser.get("/chat/messages").json["messages"][0]["body"].startswith("hi, what")


def test_a_second_browser_is_another_family(stack, e2e_sessions):
    from webhooks import create_app

    first, second = create_app(stack).test_client(), create_app(stack).test_client()
    _say(first, "hola, donde queda jordan?")
    assert _say(second, "ya estoy inscrita?") == [
        "No tiene inscripciones pendientes para Parent College. Para inscribirse, escriba "
        "INSCRIBIRME."
    ]
    assert [m["body"] for m in second.get("/chat/messages").json["messages"]][0] == (
        "ya estoy inscrita?"
    )


def test_the_phone_simulator_shows_the_sms_thread(browser):
    response = browser.post(
        "/simulator/messages", json={"phone": "+13235550177", "text": "donde queda gompers?"}
    )
    assert response.status_code == 200, response.text
    bodies = [m["body"] for m in response.json["messages"]]
    assert bodies[0] == "donde queda gompers?"
    assert bodies[1].startswith("La dirección de Gompers Middle School es ")
