"""How staff read a moment, everywhere in the console, the sign-in sheet and the command line:
"Sat Jan 16, 2027, 9:05 AM", on Los Angeles time. Families read dates another way, in their
language (bot.text.dates)."""

from __future__ import annotations

from datetime import datetime

from bot.text.dates import local


def staff_clock(moment: datetime | None) -> str:
    """ "9:05 AM"; "" for no moment."""
    if moment is None:
        return ""
    at = local(moment)
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'PM' if at.hour >= 12 else 'AM'}"


def staff_time(moment: datetime | None) -> str:
    """ "Sat Jan 16, 2027, 9:05 AM"; "" for no moment."""
    if moment is None:
        return ""
    at = local(moment)
    return f"{at:%a %b} {at.day}, {at.year}, {staff_clock(moment)}"


def staff_time_short(moment: datetime, now: datetime) -> str:
    """As a phone's message list says it: "9:05 AM" today, "Jan 16" this year, else
    "Jan 16, 2026"."""
    here, today = local(moment), local(now)
    if here.date() == today.date():
        return staff_clock(moment)
    if here.year == today.year:
        return f"{here:%b} {here.day}"
    return f"{here:%b} {here.day}, {here.year}"
