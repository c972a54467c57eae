import pytest

from bot.text.phone import mask, to_e164


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+13235551234", "+13235551234"),
        ("(323) 555-1234", "+13235551234"),
        ("323.555.1234", "+13235551234"),
        ("1 323 555 1234", "+13235551234"),
        ("+52 33 1234 5678", "+523312345678"),
    ],
)
def test_numbers_become_e164(raw, expected):
    assert to_e164(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "hello", "123", "+1555", "client:web-chat"])
def test_malformed_numbers_give_none(raw):
    assert to_e164(raw) is None


def test_mask_keeps_only_the_last_two_digits():
    assert mask("+13235551234") == "+1********34"
    assert mask(None) == "(none)"
