"""Per contact, the language is sticky (bot.contacts.choose_language)."""

import pytest

from bot.contacts import choose_language, choose_language_explicitly
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
