"""Short answers as families text them, in both languages, without accents."""

import pytest

from bot.reading.answers import childcare_said, read_choice, read_number, read_yes_no, says_unsure


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
        ("no se", None),  # "I don't know" holds a "no" but is not one
        ("No sé todavía", None),
        ("idk", None),
        ("no se, ya no quiero", False),
        ("si xfa xq no tengo con quien dejar a los ninos", True),  # the reason is not the answer
        ("no porque si voy a ir con mi esposo", False),
        ("yes because we have no one to watch them", True),
    ],
)
def test_read_yes_no(text, expected):
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(
    "text, unsure",
    [
        ("no se", True),
        ("nose", True),
        ("ni idea", True),
        ("no estoy segura", True),
        ("I don't know", True),
        ("not sure", True),
        ("no", False),
        ("no se, mejor cancelelo", False),
        ("nosotros vamos", False),
        ("", False),
    ],
)
def test_says_unsure(text, unsure):
    assert says_unsure(text) is unsure


@pytest.mark.parametrize(
    "text, said",
    [
        ("1 y no ocupo cuidado de ninos", False),
        ("somos 2, sin cuidado", False),
        ("2 adults, we don't need childcare", False),
        ("vamos 2 adultos y si necesito q me cuiden al nene", True),
        ("2, and I need childcare for my son", True),
        ("somos 2", None),
        ("nomas yo", None),
    ],
)
def test_childcare_said(text, said):
    assert childcare_said(text) is said
