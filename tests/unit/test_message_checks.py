"""What the bot cannot read: no text, another script, too much text."""

import pytest

from bot.conversations.message_checks import (
    MAX_TEXT_FOR_BOT,
    has_text,
    is_other_script,
    text_for_bot,
)


@pytest.mark.parametrize(
    "body, expected", [("", False), (None, False), (" \n", False), ("a", True)]
)
def test_has_text(body, expected):
    assert has_text(body) is expected


@pytest.mark.parametrize(
    "body",
    ["你好", "مرحبا", "Здравствуйте, где школа?", "안녕하세요", "שלום", "こんにちは", "नमस्ते"],
)
def test_other_scripts_are_recognised(body):
    assert is_other_script(body)


@pytest.mark.parametrize(
    "body",
    ["hola", "¿Dónde está la escuela?", "Ñoño pingüino", "👍", "🙏🙏", "12", "", None, "?!",
     "mi hijo 李明 va a markham", "ok 👍 gracias"],
)  # fmt: skip
def test_latin_text_emoji_and_numbers_are_not(body):
    assert not is_other_script(body)


def test_short_text_is_read_whole():
    assert text_for_bot("hola, donde queda markham") == ("hola, donde queda markham", False)
    assert text_for_bot("x" * MAX_TEXT_FOR_BOT) == ("x" * MAX_TEXT_FOR_BOT, False)


def test_long_text_is_cut_at_a_word():
    body = "palabra " * 300
    cut, was_cut = text_for_bot(body)
    assert was_cut and len(cut) <= MAX_TEXT_FOR_BOT
    assert body.startswith(cut) and cut.endswith("palabra")


def test_long_text_without_spaces_is_cut_at_the_limit():
    assert text_for_bot("x" * 5000) == ("x" * MAX_TEXT_FOR_BOT, True)
