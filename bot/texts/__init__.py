"""Every phrase the line says to families outside the bot's answers: one catalogue per language,
bot/texts/en.yml and bot/texts/es.yml, with the same keys. A translator reads one file in their
language; en.yml says when each text is sent. The bot's answers stay in domain/, where Rasa reads
them, also in both languages. Each SMS fits in two segments (tests/unit/test_texts.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.text.languages import LANGUAGES, choose

CATALOGUES = Path(__file__).parent


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every key's text in `language` (one of bot.text.languages.LANGUAGES)."""
    with (CATALOGUES / f"{language}.yml").open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def text(key: str, language: str, **fields: object) -> str:
    """The text for `key` in `language` (English when the language is not one the line
    speaks), its {placeholders} filled with `fields` when any are given."""
    phrase = catalogue(choose(language, LANGUAGES, "en") or "en")[key]
    return phrase.format(**fields) if fields else phrase


def translations(key: str, **fields: object) -> dict[str, str]:
    """The text for `key` in every language, for a reply whose reader's language is unknown."""
    return {language: text(key, language, **fields) for language in LANGUAGES}


def pick(translations: dict[str, str] | None, language: str, fallback: str = "en") -> str:
    """The text in `language`, else in `fallback`, else any; "" when there is none at all. For
    what staff wrote in several languages (an event's title, a school's hours)."""
    present = [lang for lang, value in (translations or {}).items() if (value or "").strip()]
    chosen = choose(language, present, fallback)
    return translations[chosen] if chosen else ""
