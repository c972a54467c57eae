from datetime import datetime, timezone

import pytest

from bot.text.dates import LOCAL_TZ, day, day_and_time, local, time_of_day, time_range

UTC = timezone.utc


def test_naive_datetimes_are_utc():
    # SQLite gives back naive UTC; 17:00 UTC in March (after DST) is 10 a.m. in Los Angeles.
    assert local(datetime(2026, 3, 14, 17, 0)) == datetime(2026, 3, 14, 10, 0, tzinfo=LOCAL_TZ)


def test_aware_datetimes_keep_their_instant():
    when = datetime(2026, 3, 14, 17, 0, tzinfo=UTC)
    assert local(when) == when
    assert local(when).tzinfo is LOCAL_TZ


@pytest.mark.parametrize(
    "utc, en, es",
    [
        # Pacific standard time (UTC-8), the day before DST begins on March 8, 2026.
        (datetime(2026, 3, 7, 17, 0), "Saturday, March 7, 9 a.m.", "sábado 7 de marzo, 9 a. m."),
        # Daylight time (UTC-7) from March 8.
        (datetime(2026, 3, 14, 16, 0), "Saturday, March 14, 9 a.m.", "sábado 14 de marzo, 9 a. m."),
        # Back to standard time after November 1, 2026.
        (
            datetime(2026, 11, 7, 17, 30),
            "Saturday, November 7, 9:30 a.m.",
            "sábado 7 de noviembre, 9:30 a. m.",
        ),
        # Late evening UTC is still the previous day in Los Angeles.
        (
            datetime(2026, 1, 1, 2, 5),
            "Wednesday, December 31, 6:05 p.m.",
            "miércoles 31 de diciembre, 6:05 p. m.",
        ),
    ],
)
def test_day_and_time_in_both_languages(utc, en, es):
    assert day_and_time(utc, "en") == en
    assert day_and_time(utc, "es") == es


def test_day_alone():
    when = datetime(2026, 9, 1, 19, 0, tzinfo=UTC)
    assert day(when, "en") == "Tuesday, September 1"
    assert day(when, "es") == "martes 1 de septiembre"


@pytest.mark.parametrize(
    "local_hour, minute, en, es",
    [
        (0, 0, "12 a.m.", "12 a. m."),
        (9, 0, "9 a.m.", "9 a. m."),
        (12, 0, "12 p.m.", "12 p. m."),
        (17, 30, "5:30 p.m.", "5:30 p. m."),
        (23, 5, "11:05 p.m.", "11:05 p. m."),
    ],
)
def test_time_of_day(local_hour, minute, en, es):
    when = datetime(2026, 6, 6, local_hour, minute, tzinfo=LOCAL_TZ)
    assert time_of_day(when, "en") == en
    assert time_of_day(when, "es") == es


def test_time_range():
    start = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)
    end = datetime(2026, 3, 14, 19, 0, tzinfo=UTC)
    assert time_range(start, end, "en") == "9 a.m.-12 p.m."
    assert time_range(start, end, "es") == "9 a. m. a 12 p. m."


def test_time_range_without_an_end_is_the_start():
    start = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)
    assert time_range(start, None, "en") == "9 a.m."
    assert time_range(start, None, "es") == "9 a. m."


def test_unknown_language_falls_back_to_spanish():
    assert day(datetime(2026, 3, 14, 16, 0), None) == "sábado 14 de marzo"
