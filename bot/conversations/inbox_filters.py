"""What a staff member narrows the inbox by (language, school, intent, who has it, dates, words in
the messages), read from a page's query string or the API's, with one plain message for each
value that cannot be used."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from bot.text.languages import NAMES
from bot.text.whole_numbers import whole_number

MIN_SEARCH_CHARS = 3
MAX_SEARCH_CHARS = 200
_INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TRUE = {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class InboxFilters:
    language: str | None = None
    intent: str | None = None
    max_confidence: float | None = None
    fallbacks: bool = False
    waiting: bool = False
    school_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    # Why a value typed into the form was not used; the page lists them above the results.
    errors: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> InboxFilters:
        """Reads the form's query string; a bad value is left out and explained, never raised."""
        reader = _ArgsReader(args)
        filters = cls(
            language=reader.language(),
            intent=reader.intent(),
            max_confidence=reader.confidence(),
            fallbacks=reader.flag("fallbacks"),
            waiting=reader.flag("waiting"),
            school_id=reader.school_id(),
            date_from=reader.day("date_from", "From"),
            date_to=reader.day("date_to", "To"),
            q=reader.search(),
        )
        errors = list(reader.errors)
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            errors.append("The “From” date is after the “To” date, so nothing could match.")
        return replace(filters, errors=tuple(errors))

    @property
    def has_message_filter(self) -> bool:
        return any(
            (
                self.language,
                self.intent,
                self.max_confidence is not None,
                self.fallbacks,
                self.date_from,
                self.date_to,
                self.q,
            )
        )

    @property
    def active(self) -> bool:
        return self.has_message_filter or self.waiting or self.school_id is not None

    def as_args(self) -> dict[str, str]:
        """The filters in use as query-string values (for links such as "Older")."""
        values = {
            "language": self.language,
            "intent": self.intent,
            "max_confidence": None if self.max_confidence is None else f"{self.max_confidence:g}",
            "fallbacks": "1" if self.fallbacks else None,
            "waiting": "1" if self.waiting else None,
            "school_id": None if self.school_id is None else str(self.school_id),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "q": self.q,
        }
        return {key: value for key, value in values.items() if value}


class _ArgsReader:
    def __init__(self, args):
        self.args = args
        self.errors: list[str] = []

    def text(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def language(self) -> str | None:
        value = self.text("language").lower()
        if value and value not in NAMES:
            self.errors.append("Language can only be English or Spanish.")
            return None
        return value or None

    def intent(self) -> str | None:
        value = self.text("intent")
        if value and not _INTENT_NAME.match(value):
            self.errors.append(f"“{value[:64]}” is not an intent name.")
            return None
        return value or None

    def confidence(self) -> float | None:
        value = self.text("max_confidence").replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0 < number <= 1:
            self.errors.append("Confidence must be a number between 0 and 1, such as 0.5.")
            return None
        return number

    def flag(self, name: str) -> bool:
        return self.text(name).lower() in _TRUE

    def school_id(self) -> int | None:
        value = self.text("school_id")
        if not value:
            return None
        school_id = whole_number(value, low=1)
        if school_id is None:
            self.errors.append("That school is not in the list.")
        return school_id

    def day(self, name: str, label: str) -> date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"“{label}” must be a date like 2026-03-31.")
            return None

    def search(self) -> str | None:
        value = " ".join(self.text("q").split())
        if not value:
            return None
        if len(value) < MIN_SEARCH_CHARS:
            self.errors.append(f"Type at least {MIN_SEARCH_CHARS} letters to search messages.")
            return None
        return value[:MAX_SEARCH_CHARS]
