"""A hello, a thank-you or a goodbye and nothing else (bot/reading/social_phrases.py)."""

import pytest

from bot.reading.social_phrases import as_social_phrase, social_phrase


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("buenasss", "greet"),
        ("holaaa buenas tardes", "greet"),
        ("good morning miss", "greet"),
        ("que tal, buen dia", "greet"),
        ("mil gracias!!", "thank"),
        ("ok thank u so much", "thank"),
        ("gracias, que tenga buen dia", "goodbye"),
        ("bye bye", "goodbye"),
        ("ok hasta luego, bendiciones", "goodbye"),
        ("que tenga buena tarde", None),  # "buena" is not among its words: the model decides
        ("hola quiero inscribirme", None),
        ("gracias, y a q hora es?", None),
        ("ok", None),
        ("", None),
    ],
)
def test_social_phrase(text, meant):
    assert social_phrase(text) == meant


def test_only_an_unsure_reading_gives_way():
    unsure = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "inform", "confidence": 0.3}]
    assert as_social_phrase(unsure, "buenasss") == [
        {"name": "greet", "confidence": 0.6},
        {"name": "inform", "confidence": 0.3},
    ]
    sure = [{"name": "affirm", "confidence": 0.9}]
    assert as_social_phrase(sure, "ok gracias") is None
    assert as_social_phrase(unsure, "quiero inscribirme") is None
