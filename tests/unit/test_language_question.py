"""A question about what language something is in is not a request to switch
(bot/reading/language_question.py)."""

import pytest

from bot.reading.language_question import as_language_question, asks_what_language


@pytest.mark.parametrize(
    "text",
    [
        "is it gonna be in spanish too my mom wants to go",
        "las clases son en ingles?",
        "hablan español ahi?",
        "va a haber traduccion al español?",
        "will the event be in english?",
    ],
)
def test_a_question_about_somethings_language(text):
    assert asks_what_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "can you text me in spanish?",
        "en español porfa",
        "spanish please",
        "do you speak spanish",
        "puede escribirme en ingles?",
        "no hablo ingles",
        "english?",
    ],
)
def test_a_request_to_the_line_is_a_switch(text):
    assert not asks_what_language(text)


def test_the_switch_reading_becomes_a_did_you_mean_without_it():
    ranking = [
        {"name": "change_language", "confidence": 0.7},
        {"name": "ask_events", "confidence": 0.2},
        {"name": "nlu_fallback", "confidence": 0.1},
    ]
    reread = as_language_question(ranking, "is it gonna be in spanish too my mom wants to go")
    assert reread == [
        {"name": "nlu_fallback", "confidence": 0.7},
        {"name": "ask_events", "confidence": 0.2},
    ]
    assert as_language_question(ranking, "text me in spanish please") is None
    assert as_language_question(ranking[1:], "is it in spanish?") is None  # not read as a switch
