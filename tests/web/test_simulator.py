"""The phone simulator: texts through the real SMS path as a number, that number's whole thread
from the message log, and no simulator at all once real Twilio credentials are configured."""

import pytest
from sqlalchemy import select

from bot.conversations.log import current_conversation, log_message
from bot.db import session_scope
from bot.families.contacts import find_or_create_by_phone
from bot.models import Contact, Message
from tests.conftest import make_settings

MESSAGES = "/simulator/messages"
ANA = "+13235550100"


def _messages(sessions):
    with sessions() as session:
        return session.execute(select(Message).order_by(Message.id)).scalars().all()


def _text(client, body, phone=ANA):
    return client.post(MESSAGES, json={"phone": phone, "text": body})


def test_a_text_goes_through_the_sms_path_and_the_thread_comes_back(client, sessions, fake_rasa):
    response = _text(client, "hola, donde queda markham?", phone="+1 323 555 0100")
    assert response.status_code == 200
    data = response.json
    assert data["phone"] == ANA
    assert data["replies"] == ["[es] you said: hola, donde queda markham?"]
    assert data["language"] == "es"
    sent, reply = data["messages"]
    assert (sent["direction"], sent["sender"], sent["intent"]) == ("in", "family", "greet")
    assert (reply["direction"], reply["sender"], reply["language"]) == ("out", "bot", "es")
    assert (sent["segments"], sent["encoding"]) == (1, "GSM-7")
    assert sent["sent_at"].endswith("Z")
    assert all(m.channel == "sms" for m in _messages(sessions))
    assert fake_rasa.received[-1]["metadata"] == {"language": "es", "channel": "sms"}
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
    assert (contact.phone, contact.web_chat_id) == (ANA, None)


def test_the_thread_shows_other_outbound_texts_to_the_number(client, sessions):
    _text(client, "hola")
    # What a broadcast or reminder through the console transport leaves in the log.
    reminder = (
        "Recordatorio: Parent College es mañana sábado a las 9 a.m. en Markham. "
        "Conteste CANCELAR si no puede venir."
    )
    with session_scope(sessions) as session:
        contact = find_or_create_by_phone(session, ANA, valid=True)
        conversation = current_conversation(session, contact, "sms")
        log_message(
            session, conversation, direction=Message.DIRECTION_OUT,
            sender=Message.SENDER_SYSTEM, body=reminder, language="es", delivery_status="sent",
        )  # fmt: skip
    thread = client.get(MESSAGES, query_string={"phone": "(323) 555-0100"}).json["messages"]
    assert [m["direction"] for m in thread] == ["in", "out", "out"]
    last = thread[-1]
    assert (last["body"], last["sender"], last["delivery_status"]) == (reminder, "system", "sent")
    # "ñ" is GSM-7 but "á" is not: the whole text is billed as UCS-2, 70 characters a segment.
    assert (last["encoding"], last["segments"]) == ("UCS-2", 2)


def test_each_number_sees_only_its_own_thread(client):
    _text(client, "hola, soy Ana")
    _text(client, "hello, this is Beto", phone="+13235550101")
    ana = client.get(MESSAGES, query_string={"phone": ANA}).json["messages"]
    assert [m["body"] for m in ana if m["direction"] == "in"] == ["hola, soy Ana"]
    assert client.get(MESSAGES, query_string={"phone": "+12135550102"}).json["messages"] == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"phone": "not-a-number", "text": "hola"}},
        {"json": {"text": "hola"}},
        {"json": {"phone": ANA}},
        {"json": {"phone": ANA, "text": "x" * 1601}},
        {"data": {"phone": ANA, "text": "hola"}},
    ],
    ids=["bad-phone", "no-phone", "no-text", "too-long", "form"],
)
def test_bad_requests_get_400_and_log_nothing(client, sessions, request_kwargs):
    response = client.post(MESSAGES, **request_kwargs)
    assert response.status_code == 400 and response.json["error"]
    assert _messages(sessions) == []


def test_reading_needs_a_valid_number(client):
    assert client.get(MESSAGES).status_code == 400
    assert client.get(MESSAGES, query_string={"phone": "12"}).status_code == 400


def test_the_page_offers_the_demo_numbers_and_the_ones_that_texted(client):
    _text(client, "hola", phone="+13105550199")
    page = client.get("/simulator")
    assert page.status_code == 200
    assert 'value="+13235550100"' in page.text  # the default number
    assert "(310) 555-0199" in page.text
    assert client.get("/simulator?phone=(213) 555-0102").text.count('value="+12135550102"') == 2


def test_with_twilio_credentials_the_simulator_does_not_exist(seeded_db, tmp_path, fake_rasa):
    from webhooks import create_app

    settings = make_settings(
        seeded_db, tmp_path, RASA_URL=fake_rasa.url, TWILIO_ACCOUNT_SID="AC" + "0" * 32
    )
    client = create_app(settings).test_client()
    assert client.get("/simulator").status_code == 404
    assert client.get(MESSAGES, query_string={"phone": ANA}).status_code == 404
    assert _text(client, "hola").status_code == 404
    assert fake_rasa.received == []


def test_a_real_auth_token_alone_also_closes_the_simulator(seeded_db, tmp_path, fake_rasa):
    """Replies by TwiML need only the auth token: such a line has real families on it."""
    from webhooks import create_app

    settings = make_settings(seeded_db, tmp_path, RASA_URL=fake_rasa.url).with_overrides(
        testing=False, twilio_auth_token="0123456789abcdef0123456789abcdef"
    )
    assert create_app(settings).test_client().get("/simulator").status_code == 404
    local = settings.with_overrides(twilio_auth_token="local-0123456789abcdef")
    assert create_app(local).test_client().get("/simulator").status_code == 200
