"""How many SMS segments a text costs, and in which encoding, before it is sent.

GSM-7 fits 160 characters in one segment (153 per segment when split); a single character outside
GSM-7 (á í ó ú, emoji) makes the whole message UCS-2: 70 per segment, 67 when split. ñ, é, ü, ¿ and
¡ are in GSM-7. Characters in the extension table (€ [ ] { } ^ ~ | \\) take two septets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GSM 03.38 basic character set.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = 160, 153
        encoding = "GSM-7"
    else:
        # Characters beyond the BMP (most emoji) take two UTF-16 code units.
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "UCS-2"
    if units <= single:
        return SegmentCount(encoding, units, 1 if units else 0)
    return SegmentCount(encoding, units, -(-units // multi))


# What any one reply may cost: the line's answers are written to fit two segments, a few with a
# date, hours and street three (tests/unit/test_texts.py); this catches the rest (a long value
# staff typed, a list that grew).
MOST_SEGMENTS = 3


def fit_segments(text: str, most: int = MOST_SEGMENTS) -> str:
    """`text` if it costs at most `most` segments; else its longest start that does, cut after a
    line or a sentence where one fits, else after a word, with "..." to show it goes on."""
    if count_segments(text).segments <= most:
        return text
    ends = sorted({m.end() for m in re.finditer(r"[.!?](?=\s)|\n", text)}, reverse=True)
    for end in ends:
        start = text[:end].rstrip()
        if start and count_segments(start).segments <= most:
            return start
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:count]).rstrip(",;:") + "..."
        if count_segments(shorter).segments <= most:
            return shorter
    return text[: 67 * most - 3] + "..."
