"""The line's languages are defined once (bot/text/languages.py), and named to staff one way."""

from __future__ import annotations

import re
from pathlib import Path

from bot.text.languages import LANGUAGES, known, name_of, other_than

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "console", "webhooks", "actions", "scripts", "bench")


def test_the_two_languages_and_their_names():
    assert LANGUAGES == ("en", "es")
    assert [name_of(lang) for lang in LANGUAGES] == ["English", "Spanish"]
    assert name_of("fr") == "fr" and name_of(None) == ""
    assert (known("es"), known("fr"), known(None)) == ("es", None, None)
    assert (other_than("en"), other_than("es")) == ("es", "en")


def test_no_other_module_defines_them_again():
    again = re.compile(
        r'^\s*(LANGUAGES|LANGUAGE_NAMES)\s*=|\{\s*"en":\s*"English",\s*"es":\s*"Spanish"', re.M
    )
    found = [
        str(path.relative_to(ROOT))
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "languages.py" and again.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
