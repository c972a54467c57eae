"""Sending one SMS: the real twilio library against a fake Twilio REST API on 127.0.0.1 (as
TWILIO_API_BASE_URL points it in tests), the console transport of the embedded default, and a
carrier opt-out (21610) that opts the contact out."""

from __future__ import annotations

import base64
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.config import load_settings
from bot.models import ConsentEvent, Contact
from bot.sms.outbound import ConsoleTransport, TwilioTransport, send_text, transport_for
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

TOKEN = "real-looking-auth-token"


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio()
    yield fake
    fake.close()


def _settings(tmp_path, **environ):
    env = {
        "VAR_DIR": str(tmp_path),
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM_NUMBER": "+13235550199",
        "PUBLIC_BASE_URL": "https://line.example.org/",
        **environ,
    }
    return load_settings(environ=env, dotenv_path=None)


class FakeSession:
    def __init__(self):
        self.added = []

    def add(self, thing):
        self.added.append(thing)


def test_the_library_posts_the_text_to_the_messages_api(fake_twilio, tmp_path):
    settings = _settings(tmp_path, TWILIO_API_BASE_URL=fake_twilio.url)

    result = TwilioTransport(settings).send("+13235550100", "Hola, ¿en qué le ayudo?")

    assert result.ok
    assert (result.sid, result.status, result.error_code) == ("SM" + "a" * 32, "queued", None)
    [sent] = fake_twilio.requests
    assert sent["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert sent["form"] == {
        "To": "+13235550100",
        "Body": "Hola, ¿en qué le ayudo?",
        "From": "+13235550199",
        "StatusCallback": "https://line.example.org/twilio/status",
    }
    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert sent["authorization"] == f"Basic {expected}"


def test_a_messaging_service_replaces_the_from_number_and_no_callback_without_a_public_url(
    fake_twilio, tmp_path
):
    settings = _settings(
        tmp_path,
        TWILIO_API_BASE_URL=fake_twilio.url + "/",
        TWILIO_MESSAGING_SERVICE_SID="MG" + "1" * 32,
        PUBLIC_BASE_URL="",
    )
    assert TwilioTransport(settings).send("+13235550100", "hi").ok
    form = fake_twilio.requests[0]["form"]
    assert form["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in form and "StatusCallback" not in form


def test_a_twilio_error_becomes_a_result_with_its_code(fake_twilio, tmp_path):
    fake_twilio.refuse(21211, "The 'To' number +1555 is not a valid phone number.")
    settings = _settings(tmp_path, TWILIO_API_BASE_URL=fake_twilio.url)

    result = TwilioTransport(settings).send("+1555", "hi")

    assert not result.ok
    assert (result.sid, result.status, result.error_code) == (None, "failed", "21211")
    assert result.error_message == "The 'To' number +1555 is not a valid phone number."


def test_an_unreachable_twilio_is_a_failed_result_not_an_exception(tmp_path):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    settings = _settings(tmp_path, TWILIO_API_BASE_URL=f"http://127.0.0.1:{port}")

    result = TwilioTransport(settings).send("+13235550100", "hi")

    assert (result.ok, result.sid, result.error_code) == (False, None, None)
    assert result.error_message.startswith("Could not reach Twilio")


def test_error_21610_opts_the_contact_out(fake_twilio, tmp_path):
    fake_twilio.refuse(21610, "Attempt to send to unsubscribed recipient")
    settings = _settings(tmp_path, TWILIO_API_BASE_URL=fake_twilio.url)
    contact = Contact(phone="+13235550100", phone_valid=True, opted_out=False)
    session = FakeSession()

    result = send_text(session, contact, "Hola", settings, message_id=7)

    assert result.error_code == "21610"
    assert contact.opted_out and contact.opt_out_source == "carrier error 21610"
    [event] = session.added
    assert isinstance(event, ConsentEvent)
    assert (event.kind, event.source, event.message_id) == ("opt_out", "carrier error 21610", 7)


def test_an_opted_out_contact_is_never_sent_to(fake_twilio, tmp_path):
    settings = _settings(tmp_path, TWILIO_API_BASE_URL=fake_twilio.url)
    contact = Contact(phone="+13235550100", phone_valid=True, opted_out=True)
    result = send_text(FakeSession(), contact, "Hola", settings)
    assert not result.ok
    assert fake_twilio.requests == []


def test_the_embedded_default_uses_the_console_transport(tmp_path):
    embedded = load_settings(
        environ={"VAR_DIR": str(tmp_path), "TWILIO_AUTH_TOKEN": "local-abc"}, dotenv_path=None
    )
    assert isinstance(transport_for(embedded), ConsoleTransport)
    assert isinstance(transport_for(_settings(tmp_path)), TwilioTransport)
    result = ConsoleTransport().send("+13235550100", "hi")
    assert result.ok and result.status == "sent"
    assert result.sid.startswith("SMconsole") and len(result.sid) == 34
