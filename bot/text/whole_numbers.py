"""Whole numbers typed into query strings and forms, read strictly.

`str.isdigit()` says yes to "²" and to digits of other scripts, and `int()` then fails or reads
them; a number of twenty digits passes both and fails inside PostgreSQL. Either was a 500. Here a
number is 1 to 10 ASCII digits within the range the caller allows (an id fits a 32-bit integer),
or it is not a number."""

from __future__ import annotations

import re

ID_MAX = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(raw: str | None, low: int = 0, high: int = ID_MAX) -> int | None:
    """The number `raw` spells, if it is one from `low` to `high`; otherwise None."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None
