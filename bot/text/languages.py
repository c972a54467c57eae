"""The line's two languages, defined once: their codes and the names staff read them by.

Families write to the line in English or Spanish and every text it sends exists in both
(bot/texts/, domain/). Staff read the console and the command line in English, so a language
is named to them in English."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("en", "es")
# How staff read a language's name: the inbox filter, a broadcast's preview, a correction.
NAMES = {"en": "English", "es": "Spanish"}


def known(language: str | None) -> str | None:
    """The language when it is one of the line's, otherwise None."""
    return language if language in LANGUAGES else None


def other_than(language: str | None) -> str:
    """The other of the line's two languages: Spanish for English, English for Spanish."""
    return "es" if language == "en" else "en"


def choose(wanted: str | None, available: Iterable[str], fallback: str) -> str | None:
    """Which of the `available` languages to write in for someone who reads `wanted`: that one,
    else `fallback`, else the first available in the line's order. None when none is available.
    The one rule for every text that exists in some languages only: a broadcast written in one,
    an event whose title staff gave in one (bot/texts.pick, Broadcast.text_for)."""
    have = list(available)
    if wanted in have:
        return wanted
    if fallback in have:
        return fallback
    ordered = [lang for lang in LANGUAGES if lang in have]
    ordered += [lang for lang in have if lang not in LANGUAGES]
    return ordered[0] if ordered else None


def name_of(language: str | None) -> str:
    """ "English", "Spanish", or the code as given for anything else."""
    return NAMES.get(language or "", language or "")
