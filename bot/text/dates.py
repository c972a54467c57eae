"""Dates and times as a family in Los Angeles reads them, in English or Spanish.

The database keeps UTC (SQLite hands it back naive); families live on Pacific time, so every
date shown to them goes through local() first. Names are tabled here rather than taken from the
locale module because servers rarely have es_MX locales installed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import overload
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("America/Los_Angeles")

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
# RAE writes the abbreviations with a (non-breaking) space: "9 a. m."; a plain space is used so
# the text stays as short and as GSM-friendly as possible.
MERIDIEM = {"en": ("a.m.", "p.m."), "es": ("a. m.", "p. m.")}
# A plain hyphen: an en dash is outside GSM-7 and would double an English text's cost.
RANGE_JOINER = {"en": "-", "es": " a "}


def _lang(language: str | None) -> str:
    # Spanish is the line's default: most families text in Spanish.
    return "en" if language == "en" else "es"


@overload
def utc(dt: datetime) -> datetime: ...
@overload
def utc(dt: None) -> None: ...
def utc(dt: datetime | None) -> datetime | None:
    """The same instant in UTC, from a time the line did not read from its own tables (Twilio's,
    Huey's, a caller's): a naive time is taken as UTC, as everything here is. None stays None.
    Times read from the database come back in UTC already (models.base.UtcDateTime)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def local(dt: datetime) -> datetime:
    """The same instant on Los Angeles wall-clock time; a naive datetime is taken as UTC."""
    return utc(dt).astimezone(LOCAL_TZ)


def day(dt: datetime, language: str) -> str:
    lang = _lang(language)
    when = local(dt)
    weekday = WEEKDAYS[lang][when.weekday()]
    month = MONTHS[lang][when.month - 1]
    if lang == "en":
        return f"{weekday}, {month} {when.day}"
    return f"{weekday} {when.day} de {month}"


def time_of_day(dt: datetime, language: str) -> str:
    lang = _lang(language)
    when = local(dt)
    hour = when.hour % 12 or 12
    clock = f"{hour}:{when.minute:02d}" if when.minute else str(hour)
    return f"{clock} {MERIDIEM[lang][when.hour >= 12]}"


def day_and_time(dt: datetime, language: str) -> str:
    return f"{day(dt, language)}, {time_of_day(dt, language)}"


def time_range(start: datetime, end: datetime | None, language: str) -> str:
    if end is None:
        return time_of_day(start, language)
    lang = _lang(language)
    return f"{time_of_day(start, lang)}{RANGE_JOINER[lang]}{time_of_day(end, lang)}"
