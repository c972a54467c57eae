"""Reading what staff type into a form field or a CSV cell: Los Angeles times (and what Excel
makes of them), yes and no in both languages, lists, slugs."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from bot.text.dates import LOCAL_TZ, local
from bot.text.folding import fold

SLUG_MAX = 64
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_FORMAT = "%Y-%m-%d %H:%M"
# What people type, and what Excel turns "2027-01-16 09:00" into when it re-saves a CSV.
TIME_FORMATS_READ = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
)
YES = {"yes", "y", "true", "1", "si", "sí", "x"}
NO = {"no", "n", "false", "0", ""}


def format_local(dt: datetime | None) -> str:
    return local(dt).strftime(TIME_FORMAT) if dt is not None else ""


def parse_local(text: str) -> datetime | None:
    """A wall-clock time in Los Angeles as aware UTC, or None when it cannot be read."""
    cleaned = " ".join(text.replace(".", "").split()).upper()
    for pattern in TIME_FORMATS_READ:
        try:
            wall = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return wall.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    return None


def parse_yes_no(text: str) -> bool | None:
    word = fold(text.strip())
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def split_list(text: str) -> list[str]:
    seen: list[str] = []
    for item in text.split(","):
        item = " ".join(item.split())
        if item and item not in seen:
            seen.append(item)
    return seen


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    if len(slug) > SLUG_MAX - 4:  # room for a "-2" suffix
        slug = slug[: SLUG_MAX - 4].rsplit("-", 1)[0] or slug[: SLUG_MAX - 4]
    return slug
