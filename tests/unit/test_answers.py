"""Short answers as families text them, in both languages, without accents."""

import pytest

from bot.answers import read_choice, read_number, read_yes_no


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2", 2),
        ("dos", 2),
        ("somos 3", 3),
        ("Tres adultos", 3),
        ("just me", 1),
        ("yo sola", 1),
        ("mi esposo y yo", 2),
        ("me and my wife", 2),
        ("2 or 3", None),
        ("muchos", None),
        ("50", None),
        ("", None),
    ],
)
def test_read_number(text, expected):
    assert read_number(text, most=10) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", 1),
        ("el primero", 1),
        ("la segunda", 2),
        ("the first one", 1),
        ("option 3", 3),
        ("el ultimo", 3),
        ("4", None),
        ("cualquiera", None),
    ],
)
def test_read_choice_from_three(text, expected):
    assert read_choice(text, 3) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sí", True),
        ("si", True),
        ("SIII", True),
        ("claro que si", True),
        ("yes please", True),
        ("ok", True),
        ("No", False),
        ("nop", False),
        ("no gracias", False),
        ("no, si ya fui", False),
        ("tal vez", None),
        ("2", None),
    ],
)
def test_read_yes_no(text, expected):
    assert read_yes_no(text) is expected
