"""When a family is told a person will answer (Los Angeles office hours, both languages)."""

from datetime import datetime, timezone

import pytest

from bot.families.office_hours import when_staff_answer


def _utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "now, es, en",
    [
        # Monday 10 a.m. in Los Angeles (UTC-8 in November)
        ("2026-11-23T18:00", "hoy antes de las 5 p. m.", "today before 5 p.m."),
        ("2026-11-23T15:00", "hoy después de las 8 a. m.", "today after 8 a.m."),
        ("2026-11-24T02:00", "mañana después de las 8 a. m.", "tomorrow after 8 a.m."),
        # Saturday: Monday is the next office day
        ("2026-11-28T20:00", "el lunes después de las 8 a. m.", "Monday after 8 a.m."),
        # Friday evening
        ("2026-11-28T02:00", "el lunes después de las 8 a. m.", "Monday after 8 a.m."),
        # Summer time (UTC-7): 4:30 p.m. on a Wednesday is still open
        ("2026-07-15T23:30", "hoy antes de las 5 p. m.", "today before 5 p.m."),
    ],
)
def test_when_staff_answer(now, es, en):
    assert when_staff_answer(_utc(now), "es") == es
    assert when_staff_answer(_utc(now), "en") == en
