"""Measuring a domain response before it is sent, so a reply built from data (a list of events,
a program's description) can be cut down to two SMS segments.

Rasa renders the response on its side; the action only names it. The action server gets the
domain with every call, so the same template Rasa will pick can be filled and counted here."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.text.segments import count_segments

MAX_SEGMENTS = 2
SPANISH_CONDITION = [{"type": "slot", "name": "language", "value": "es"}]
# Used only if the domain did not come with the call (selective domain): room for the wording.
UNKNOWN_TEMPLATE_ALLOWANCE = "x" * 80


def template(domain: dict, response: str, language: str) -> str | None:
    """The text Rasa will use for `response` in `language`: the Spanish variant for "es", the
    unconditional (English) one otherwise, as the language slot selects it."""
    variants = (domain or {}).get("responses", {}).get(response) or []
    wanted = SPANISH_CONDITION if language == "es" else None
    for variant in variants:
        if (variant.get("condition") or None) == wanted:
            return variant.get("text")
    return None


def fits(
    domain: dict, response: str, language: str, most_segments: int = MAX_SEGMENTS, **fill: str
) -> bool:
    text = template(domain, response, language)
    if text is None:
        text = UNKNOWN_TEMPLATE_ALLOWANCE + "".join(f"{{{key}}}" for key in fill)
    return count_segments(text.format(**fill)).segments <= most_segments


def shorten(text: str, fits_as: Callable[[str], bool]) -> str:
    """`text` itself if it fits; else its longest run of whole sentences that fits; else its
    longest run of whole words that fits, followed by "..."; "" if not even one word does."""
    if fits_as(text):
        return text
    sentence_ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text)]
    for end in reversed(sentence_ends):
        if fits_as(text[:end]):
            return text[:end]
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:count]).rstrip(",;:") + "..."
        if fits_as(shorter):
            return shorter
    return ""
