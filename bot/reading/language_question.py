"""Asking what language something is in is not asking the line to switch.

"Is it gonna be in Spanish too? my mom wants to go", "¿las clases son en inglés?", "¿hablan
español ahí?": the words are a language switch's, but the question is about an event, a class or
the people there. Read as change_language, the line switched an English-speaking family to
Spanish. A change_language reading of a question whose subject is something else (it, the
class, they), with no request to the line itself ("text me in Spanish", "en español porfa"),
becomes a fallback, which actions/clarify.py answers with Parent College's languages and a person
for any other event. Pure, so it is tested without Rasa; bot/rasa/intent_guard_step.py applies it
inside the Rasa server's pipeline."""

from __future__ import annotations

import re

from bot.reading.questions import looks_like_question
from bot.text.folding import fold_words

CHANGE_LANGUAGE = "change_language"
FALLBACK = "nlu_fallback"

_LANGUAGE = r"(?:ingles|english|espanol|spanish|bilingue|bilingual)"
# The thing asked about: it, the class, the event, the people there.
_ABOUT_SOMETHING = re.compile(
    r"\b(?:is it|will it|would it|is the|are the|will the|be in|is that|are they|will they|"
    r"is this|does it|do they|it s|its|gonna be|going to be|va a ser|van a ser|sera|seran|"
    r"es en|son en|esta en|estan en|hablan|habra|hay|translat\w*|interpret\w*|traduc\w*)\b"
)
# A request to the line itself, which is a switch whatever else the message says.
_TO_THE_LINE = re.compile(
    r"\b(?:me|us|nos|text|write|escribame|escribeme|escribir|hableme|hablame|mandeme|mandame|"
    r"talk to me|can you|could you|prefer|prefiero|please|pls|porfa|por favor|switch|cambi\w*)\b"
)


def asks_what_language(text: str | None) -> bool:
    words = fold_words(text or "")
    return (
        looks_like_question(text)
        and bool(re.search(rf"\b{_LANGUAGE}\b", words))
        and bool(_ABOUT_SOMETHING.search(words))
        and not _TO_THE_LINE.search(words)
    )


def as_language_question(ranking: list[dict], text: str | None) -> list[dict] | None:
    """The ranking led by a fallback, without the switch, when the model read a language switch
    in a question about what language something is in; None otherwise."""
    if not ranking or ranking[0].get("name") != CHANGE_LANGUAGE or not asks_what_language(text):
        return None
    others = [r for r in ranking[1:] if r.get("name") not in (CHANGE_LANGUAGE, FALLBACK)]
    confidence = float(ranking[0].get("confidence") or 0.0)
    return [{"name": FALLBACK, "confidence": confidence}, *others]
