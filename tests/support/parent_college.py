"""Parent College sessions for tests that run the real stack: the seed's dates are placeholders
that will pass, so these tests make sessions in the coming weeks."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.models import utcnow


def next_saturday(weeks_ahead: int) -> datetime:
    """A Saturday `weeks_ahead` weeks from this week's, at 17:00 UTC (9 or 10 a.m. in LA)."""
    now = utcnow()
    days = (5 - now.weekday()) % 7 + 7 * weeks_ahead
    return (now + timedelta(days=days)).replace(hour=17, minute=0, second=0, microsecond=0)
