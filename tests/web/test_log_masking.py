"""Families' numbers never reach the logs in clear: every log line that may name one masks it
(bot.text.phone.mask), Twilio's error texts and failed requests' URLs are masked too, and the twilio
library, which logs each request's query string, is kept to its warnings."""

from __future__ import annotations

import logging

import pytest

from bot.config import load_settings
from bot.models import utcnow
from bot.sms.outbound import TwilioTransport
from bot.text.phone import mask_numbers
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

FAMILY = "+13235550100"
MASKED = "+1********00"
# The whole number, and the part a person would recognise it by.
DIGITS = ("3235550100", "5550100")
TOKEN = "real-looking-auth-token"


def leaks(caplog) -> list[str]:
    """Every log record (message and traceback) that shows the family's number."""
    found = []
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if any(digits in text for digits in DIGITS):
            found.append(f"{record.name}: {text}")
    return found


def test_an_inbound_sms_never_logs_the_number(post_sms, fake_rasa, caplog):
    caplog.set_level(logging.DEBUG)
    for body in ("hola, donde queda markham?", "AYUDA", "STOP", "hola?", "START", "👍"):
        response, _ = post_sms(body, from_number=FAMILY)
        assert response.status_code == 200, body
    fake_rasa.mode = "error"  # Rasa down: the apology path logs the error
    assert post_sms("sigue ahi?", from_number=FAMILY)[0].status_code == 200

    assert leaks(caplog) == []
    # The lines are there, masked: the test would see a number if one were printed.
    assert any(MASKED in record.getMessage() for record in caplog.records)
    assert any("bot unavailable" in record.getMessage() for record in caplog.records)


def _twilio_settings(tmp_path, url: str):
    return load_settings(
        environ={
            "VAR_DIR": str(tmp_path),
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM_NUMBER": "+13235550199",
            "TWILIO_API_BASE_URL": url,
        },
        dotenv_path=None,
    )


@pytest.fixture
def twilio():
    fake = FakeTwilio(ACCOUNT, TOKEN)  # behaves as Twilio does, lists included
    yield fake
    fake.close()


def test_twilio_quoting_the_number_in_a_refusal_is_masked(twilio, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    twilio.refuse_number(FAMILY, 21211)  # "The 'To' number +1... is not a valid phone number."

    result = TwilioTransport(_twilio_settings(tmp_path, twilio.url)).send(FAMILY, "hola")

    assert result.error_code == "21211"
    assert leaks(caplog) == []
    assert any(
        f"Twilio refused a text to {MASKED}: 21211" in r.getMessage() for r in caplog.records
    )


def test_asking_twilio_about_a_text_logs_no_number(twilio, tmp_path, caplog):
    # At INFO, the level the line logs at. At DEBUG urllib3 prints every request's URL, this
    # lookup's number included (docs/privacy.md says not to run so in production).
    caplog.set_level(logging.INFO)
    # What a worker does before sending a text again: the lookup's query is the number.
    settings = _twilio_settings(tmp_path, twilio.url)
    assert TwilioTransport(settings).accepted(FAMILY, "hola", utcnow()) is None
    assert any(r["method"] == "GET" for r in twilio.requests)
    assert leaks(caplog) == []


def test_a_failed_lookup_is_logged_without_its_number(tmp_path):
    # Twilio unreachable: the error names the URL, and the URL holds the number.
    with pytest.raises(Exception) as failed:
        unreachable = TwilioTransport(_twilio_settings(tmp_path, "http://127.0.0.1:9"))
        unreachable.accepted(FAMILY, "hola", utcnow())
    assert "3235550100" in str(failed.value)
    assert "3235550100" not in mask_numbers(failed.value)
    assert MASKED in mask_numbers(failed.value)


@pytest.mark.parametrize(
    "text, masked",
    [
        ("The 'To' number +13235550100 is not valid.", f"The 'To' number {MASKED} is not valid."),
        ("/Messages.json?To=%2B13235550100&PageSize=20", f"/Messages.json?To={MASKED}&PageSize=20"),
        ("to 3235550100 today", "to 32******00 today"),
        # A Twilio SID is not a number, whatever digits it holds.
        ("SM12345678901234567890123456789012", "SM12345678901234567890123456789012"),
        ("message 42 of broadcast 7", "message 42 of broadcast 7"),
    ],
)
def test_mask_numbers(text, masked):
    assert mask_numbers(text) == masked
