"""Quiet hours (21:00 to 8:00 Los Angeles): texts wait for 8:00 local, on any day of the year,
daylight-saving changes included; urgent broadcasts do not wait."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from bot.broadcasting.quiet_hours import in_quiet_hours, next_send_time
from bot.text.dates import LOCAL_TZ


def la(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "now, quiet",
    [
        (la(2026, 6, 10, 7, 59), True),
        (la(2026, 6, 10, 8, 0), False),
        (la(2026, 6, 10, 20, 59), False),
        (la(2026, 6, 10, 21, 0), True),
        (la(2026, 6, 10, 23, 30), True),
        (la(2026, 6, 10, 0, 0), True),
        (la(2026, 6, 10, 12, 0), False),
    ],
)
def test_quiet_from_nine_at_night_to_eight_in_the_morning(now, quiet):
    assert in_quiet_hours(now) is quiet


def test_daytime_sends_now():
    now = la(2026, 6, 10, 8, 0)
    assert next_send_time(now) == now


def test_evening_waits_for_tomorrow_morning():
    # 21:00 PDT is 04:00 UTC the next day; 8:00 PDT is 15:00 UTC.
    assert next_send_time(la(2026, 6, 10, 21, 0)) == utc(2026, 6, 11, 15, 0)
    assert next_send_time(la(2026, 6, 10, 23, 59)) == utc(2026, 6, 11, 15, 0)


def test_early_morning_waits_for_the_same_morning():
    assert next_send_time(la(2026, 6, 11, 0, 5)) == utc(2026, 6, 11, 15, 0)
    assert next_send_time(la(2026, 6, 11, 7, 59, 59)) == utc(2026, 6, 11, 15, 0)


def test_urgent_never_waits():
    now = la(2026, 6, 10, 23, 0)
    assert next_send_time(now, urgent=True) == now


def test_naive_times_are_utc():
    # 05:00 UTC on 11 June is 22:00 PDT on the 10th: quiet.
    assert in_quiet_hours(datetime(2026, 6, 11, 5, 0))
    assert next_send_time(datetime(2026, 6, 11, 5, 0)) == utc(2026, 6, 11, 15, 0)


def test_the_night_clocks_spring_forward():
    # 8 March 2026, 2:00 PST -> 3:00 PDT: that morning's 8:00 is 15:00 UTC, not 16:00.
    assert next_send_time(la(2026, 3, 7, 22, 0)) == utc(2026, 3, 8, 15, 0)
    assert next_send_time(utc(2026, 3, 8, 9, 30)) == utc(2026, 3, 8, 15, 0)  # 1:30 PST
    assert next_send_time(utc(2026, 3, 8, 10, 30)) == utc(2026, 3, 8, 15, 0)  # 3:30 PDT
    assert not in_quiet_hours(utc(2026, 3, 8, 15, 0))
    assert in_quiet_hours(utc(2026, 3, 8, 14, 59))


def test_the_night_clocks_fall_back():
    # 1 November 2026, 2:00 PDT -> 1:00 PST: that morning's 8:00 is 16:00 UTC, not 15:00.
    assert next_send_time(la(2026, 10, 31, 21, 30)) == utc(2026, 11, 1, 16, 0)
    # 1:30 happens twice that night; both wait for the same 8:00.
    first, second = utc(2026, 11, 1, 8, 30), utc(2026, 11, 1, 9, 30)
    assert first.astimezone(LOCAL_TZ).time() == second.astimezone(LOCAL_TZ).time() == time(1, 30)
    assert next_send_time(first) == next_send_time(second) == utc(2026, 11, 1, 16, 0)
    assert in_quiet_hours(utc(2026, 11, 1, 15, 30))  # 7:30 PST
    assert not in_quiet_hours(utc(2026, 11, 1, 16, 0))
    # The evening after: 21:00 PST is 05:00 UTC.
    assert not in_quiet_hours(utc(2026, 11, 2, 4, 59))
    assert in_quiet_hours(utc(2026, 11, 2, 5, 0))


def test_other_hours_can_be_configured():
    window = {"quiet_start": time(20, 0), "quiet_end": time(9, 30)}
    assert in_quiet_hours(la(2026, 6, 10, 20, 0), **window)
    assert in_quiet_hours(la(2026, 6, 10, 9, 0), **window)
    assert next_send_time(la(2026, 6, 10, 9, 0), **window) == utc(2026, 6, 10, 16, 30)
    # Quiet hours that do not span midnight work too.
    afternoon = {"quiet_start": time(13, 0), "quiet_end": time(14, 0)}
    assert in_quiet_hours(la(2026, 6, 10, 13, 30), **afternoon)
    assert not in_quiet_hours(la(2026, 6, 10, 14, 0), **afternoon)
    assert next_send_time(la(2026, 6, 10, 13, 30), **afternoon) == utc(2026, 6, 10, 21, 0)
