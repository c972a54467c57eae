"""The preview's figures for texts in both languages: segments, encoding, cost, and the warnings
staff see before sending (the counts themselves come from the database: see
tests/integration/test_broadcast_audience.py)."""

from __future__ import annotations

import pytest

from bot.broadcasting.preview import (
    NoTextError,
    costly_characters,
    price,
    texts_present,
)
from bot.broadcasting.recipients import Exclusions
from bot.text.languages import choose

PRICE = 0.0083
CLOSED = {"en": "School is closed Friday.", "es": "La escuela estará cerrada el viernes."}
# 108 characters: one segment in GSM-7, two in UCS-2 because of the á in "sábado".
SATURDAY_ES = (
    "Recuerde: Parent College es este sábado 10 de enero a las 9 a. m. en la escuela Markham. "
    "Traiga a sus hijos."
)
SATURDAY_EN = "Reminder: Parent College is this Saturday, January 10 at 9 a.m. at Markham."


def test_short_texts_in_both_languages():
    result = price({"en": 40, "es": 60}, CLOSED, PRICE, "es")
    english, spanish = result.by_language["en"], result.by_language["es"]
    assert (english.characters, english.segments, english.encoding) == (24, 1, "GSM-7")
    # á in "estará" is outside GSM-7: UCS-2, but still one segment, so no cost warning.
    assert (spanish.characters, spanish.segments, spanish.encoding) == (37, 1, "UCS-2")
    assert english.cost == pytest.approx(40 * PRICE)
    assert spanish.cost == pytest.approx(60 * PRICE)
    assert result.total_cost == pytest.approx(100 * PRICE)
    assert result.recipients == 100
    assert result.warnings == ()


def test_spanish_letters_that_are_gsm7_cost_nothing_extra():
    texts = {"es": "¿Mañana? ¡Sí, señora! Habrá café." + " Gracias." * 10}
    # ñ é ¿ ¡ are GSM-7; the í of "Sí" and á of "Habrá" are not.
    warning = costly_characters(texts["es"], "es")
    assert warning == (
        "2 accented letters double the cost of the Spanish text: í in 'Sí', á in 'Habrá' make "
        "it UCS-2, 2 segments instead of 1."
    )
    assert costly_characters("¿Mañana a qué hora? ¡Ven, señora!" * 4, "es") is None


def test_one_accented_letter_that_doubles_the_cost_is_named():
    result = price({"es": 1000, "en": 500}, {"es": SATURDAY_ES, "en": SATURDAY_EN}, PRICE, "es")
    spanish = result.by_language["es"]
    assert (spanish.segments, spanish.encoding) == (2, "UCS-2")
    assert spanish.cost == pytest.approx(2 * 1000 * PRICE)
    assert result.total_cost == pytest.approx((2000 + 500) * PRICE)
    assert result.warnings == (
        "One accented letter doubles the cost of the Spanish text: á in 'sábado' makes it UCS-2, "
        "2 segments instead of 1.",
    )
    plain = price({"es": 1000}, {"es": SATURDAY_ES.replace("á", "a")}, PRICE, "es")
    assert (plain.by_language["es"].segments, plain.by_language["es"].encoding) == (1, "GSM-7")
    assert plain.warnings == ()


def test_curly_quotes_and_emoji_are_named_too():
    text = "Don’t forget: Parent College is this Saturday, January 10 at 9 a.m. in the library!"
    assert costly_characters(text + " Childcare provided.", "en") == (
        "One character doubles the cost of the English text: ’ in 'Don’t' makes it UCS-2, "
        "2 segments instead of 1."
    )
    assert "😀 in" in costly_characters("a" * 100 + " 😀", "en")


def test_long_texts_are_flagged_past_three_segments():
    three = "a" * (153 * 3)
    assert price({"en": 1}, {"en": three}, PRICE, "en").warnings == ()
    four = price({"en": 10}, {"en": three + "!"}, PRICE, "en")
    assert four.by_language["en"].segments == 4
    assert four.by_language["en"].cost == pytest.approx(4 * 10 * PRICE)
    assert four.warnings[0].startswith("The English text is 4 segments long")


def test_families_whose_text_is_missing_get_the_other_one():
    result = price({"en": 30, "es": 70}, {"en": "School is closed Friday.", "es": ""}, PRICE, "es")
    assert set(result.by_language) == {"en"}
    assert result.by_language["en"].recipients == 100
    assert result.total_cost == pytest.approx(100 * PRICE)
    assert result.warnings == (
        "Spanish families (70) will get the English text: there is no Spanish text.",
    )
    # Nobody reads Spanish: nothing to warn about.
    assert price({"en": 30, "es": 0}, {"en": "Hi"}, PRICE, "es").warnings == ()


def test_both_texts_empty_is_an_error():
    with pytest.raises(NoTextError, match="English, Spanish or both"):
        price({"en": 1}, {"en": "  ", "es": ""}, PRICE, "es")
    with pytest.raises(NoTextError):
        texts_present({})


def test_the_fallback_prefers_the_default_language():
    assert choose("es", ["en", "es"], "en") == "es"
    assert choose("es", ["en"], "es") == "en"
    assert choose(None, ["en", "es"], "es") == "es"
    assert choose("en", [], "es") is None


def test_a_broadcast_and_a_catalog_text_pick_their_language_by_the_same_rule():
    from bot.models import Broadcast
    from bot.texts import pick

    only_spanish = {"en": "  ", "es": "Cerrado el viernes"}
    assert Broadcast(texts=only_spanish).text_for("en") == ("es", "Cerrado el viernes")
    assert pick(only_spanish, "en") == "Cerrado el viernes"
    both = {"en": "Closed Friday", "es": "Cerrado el viernes"}
    assert Broadcast(texts=both).text_for("fr", fallback="en") == ("en", "Closed Friday")
    assert pick(both, "fr", fallback="en") == "Closed Friday"
    assert Broadcast(texts={}).text_for("es") == ("es", "")


def test_an_empty_audience_says_so():
    result = price({"en": 0, "es": 0}, CLOSED, PRICE, "es", excluded=Exclusions(opted_out=3))
    assert result.recipients == 0 and result.total_cost == 0
    assert result.warnings == ("Nobody in this audience can be texted.",)
    assert result.exclusions.total == 3
