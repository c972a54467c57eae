"""One way staff read a moment (bot/text/staff_time.py), on Los Angeles time."""

from datetime import datetime, timezone

from bot.text.staff_time import staff_clock, staff_time, staff_time_short


def _utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_a_moment_reads_with_its_weekday_on_los_angeles_time():
    assert staff_time(_utc(2027, 1, 16, 17, 0)) == "Sat Jan 16, 2027, 9:00 AM"  # PST, UTC-8
    assert staff_time(_utc(2026, 7, 1, 0, 5)) == "Tue Jun 30, 2026, 5:05 PM"  # PDT, the day before
    assert staff_time(datetime(2027, 1, 16, 20, 30)) == "Sat Jan 16, 2027, 12:30 PM"  # naive: UTC
    assert staff_time(None) == staff_clock(None) == ""


def test_the_inbox_says_the_time_today_and_the_day_otherwise():
    now = _utc(2027, 3, 10, 20, 0)  # noon on March 10 in Los Angeles (PST until March 14)
    assert staff_time_short(_utc(2027, 3, 10, 16, 5), now) == "8:05 AM"
    assert staff_time_short(_utc(2027, 3, 10, 6, 30), now) == "Mar 9"  # 10:30 PM the day before
    assert staff_time_short(_utc(2026, 12, 31, 20, 0), now) == "Dec 31, 2026"
