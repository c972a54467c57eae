"""When a person will answer a family who asked for one: the Partnership's office hours, in words
the family can plan around ("hoy antes de las 5 p. m.", "Monday after 8 a.m.")."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.text.dates import LOCAL_TZ, WEEKDAYS, time_of_day
from bot.texts import text

# Monday to Friday, 8 a.m. to 5 p.m. Los Angeles time (the Partnership's office).
OPEN_DAYS = range(0, 5)
OPENS = time(8, 0)
CLOSES = time(17, 0)


def _at(day_start: datetime, clock: time) -> datetime:
    return day_start.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)


def when_staff_answer(now: datetime, language: str) -> str:
    """The next time someone is in the office, said plainly."""
    language = "en" if language == "en" else "es"
    local_now = now.astimezone(LOCAL_TZ)
    opens, closes = _at(local_now, OPENS), _at(local_now, CLOSES)
    if local_now.weekday() in OPEN_DAYS and opens <= local_now < closes:
        return text("office_hours.open", language, closes=time_of_day(closes, language))
    if local_now.weekday() in OPEN_DAYS and local_now < opens:
        return text("office_hours.later_today", language, opens=time_of_day(opens, language))
    next_day = local_now + timedelta(days=1)
    while next_day.weekday() not in OPEN_DAYS:
        next_day += timedelta(days=1)
    next_open = _at(next_day, OPENS)
    opens_text = time_of_day(next_open, language)
    if (next_day.date() - local_now.date()).days == 1:
        return text("office_hours.tomorrow", language, opens=opens_text)
    weekday = WEEKDAYS[language][next_open.weekday()]
    return text("office_hours.another_day", language, day=weekday, opens=opens_text)
