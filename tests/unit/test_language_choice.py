"""Per contact, the language is sticky (bot.families.contacts.choose_language)."""

import pytest

from bot.families.contacts import (
    choose_language,
    choose_language_explicitly,
    language_asked_for,
    language_refused,
)
from bot.models import Contact


def contact(language=None, source=None):
    return Contact(language=language, language_source=source)


@pytest.mark.parametrize("text", ["ok", "👍", "12", "Markham", "no", "Parent College?"])
def test_ambiguous_texts_keep_the_current_language(text):
    for current in ("en", "es"):
        family = contact(current, Contact.LANGUAGE_DETECTED)
        assert choose_language(family, text, default="es") == current


def test_a_first_ambiguous_text_gets_the_default():
    assert choose_language(contact(), "👍", default="es") == "es"
    assert choose_language(contact(), "👍", default="en") == "en"


def test_a_confident_detection_of_the_other_language_switches():
    family = contact("en", Contact.LANGUAGE_DETECTED)
    assert choose_language(family, "necesito ayuda con el internet por favor", "en") == "es"
    assert family.language == "es"
    assert choose_language(family, "thank you so much, see you on saturday", "en") == "en"


def test_an_explicit_choice_wins_and_stays():
    family = contact("es", Contact.LANGUAGE_DETECTED)
    assert choose_language_explicitly(family, "en") == "en"
    assert choose_language(family, "hola, donde queda la escuela de mi hija?", "es") == "en"
    assert (family.language, family.language_source) == ("en", Contact.LANGUAGE_EXPLICIT)


def test_switch_without_a_named_language_toggles():
    assert choose_language_explicitly(contact("es", Contact.LANGUAGE_DETECTED), None) == "en"
    assert choose_language_explicitly(contact("en", Contact.LANGUAGE_DETECTED), "fr") == "es"


@pytest.mark.parametrize(
    ("named", "written_in", "before", "asked"),
    [
        ("en", "es", "es", "en"),  # "en inglés porfa"
        (None, "es", "en", "es"),  # "no hablo inglés" in an English conversation
        (None, "en", "es", "en"),  # "i don't speak spanish" in a Spanish conversation
        (None, "en", "en", "es"),  # "can we switch languages?"
        (None, "es", "es", "en"),  # "¿podemos cambiar de idioma?"
        (None, "es", None, "es"),  # a first message: "no entiendo inglés"
        (None, None, None, "es"),
    ],
)
def test_the_language_a_change_language_message_asks_for(named, written_in, before, asked):
    assert language_asked_for(named, written_in, before) == asked


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("no hablo ingles", "en"),
        ("No entiendo el inglés, en español porfa", "en"),
        ("perdon no puedo leer en ingles", "en"),
        ("mi inglés no es muy bueno", "en"),
        ("i don't speak spanish", "es"),
        ("sorry i cant read spanish well", "es"),
        ("my spanish is bad lol", "es"),
        ("no, english please", None),
        ("en español por favor", None),
        ("can we switch languages?", None),
    ],
)
def test_a_language_the_family_says_it_does_not_read(text, refused):
    assert language_refused(text) == refused


def test_a_refused_language_is_never_the_one_chosen_even_when_the_model_names_it():
    # The model marks "inglés" in "no hablo inglés" as the language named.
    assert language_asked_for("en", "es", "en", refused="en") == "es"
    assert language_asked_for("es", "en", "es", refused="es") == "en"
