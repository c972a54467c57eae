"""Quiet hours: no broadcast wakes a family up. Texts due between 21:00 and 8:00 Los Angeles time
wait for 8:00, unless an admin marked the broadcast urgent.

Times are Los Angeles wall-clock times, so 8:00 stays 8:00 across daylight-saving changes (15:00
UTC in summer, 16:00 in winter). Settings.send_window gives the opposite view of the same
hours: pass quiet_start=send_window[1], quiet_end=send_window[0]."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from bot.text.dates import LOCAL_TZ, local

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


def in_quiet_hours(
    now: datetime, quiet_start: time = QUIET_START, quiet_end: time = QUIET_END
) -> bool:
    clock = local(now).time()
    if quiet_start == quiet_end:
        return False
    if quiet_start > quiet_end:
        # The usual case: the quiet spans midnight.
        return clock >= quiet_start or clock < quiet_end
    return quiet_start <= clock < quiet_end


def next_send_time(
    now: datetime,
    urgent: bool = False,
    quiet_start: time = QUIET_START,
    quiet_end: time = QUIET_END,
) -> datetime:
    """`now` when a text may go now (outside quiet hours, or urgent); otherwise the moment quiet
    hours end, in UTC."""
    if urgent or not in_quiet_hours(now, quiet_start, quiet_end):
        return now
    here = local(now)
    day = here.date()
    if here.time() >= quiet_end:
        # Evening: quiet hours end tomorrow morning.
        day += timedelta(days=1)
    # Built from the wall-clock date and time, not by adding hours, so a night that gains or
    # loses an hour still ends at 8:00 local.
    return datetime.combine(day, quiet_end, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
