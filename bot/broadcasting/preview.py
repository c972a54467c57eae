"""What a broadcast will cost before staff send it: recipients per language, the segments and
encoding of each text, the price, and what staff should know (a text that falls back to the other
language, a long text, an accented letter that doubles the cost)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.broadcasting.audience import Audience
from bot.broadcasting.recipients import Exclusions, exclusions, recipients_by_language
from bot.text.languages import LANGUAGES, choose, name_of
from bot.text.segments import count_segments, is_gsm7

# Past this, a text is long for a phone screen and each copy costs several messages' price.
LONG_SEGMENTS = 3
# Enough of the characters that make a text UCS-2 for staff to find them.
NAMED_CHARACTERS = 3
# Longer words are cut when quoted in a warning.
LONG_WORD = 20
# Typographic punctuation phones and word processors put in, and its GSM-7 twin.
PLAIN_PUNCTUATION = {
    "‘": "'",
    "’": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
}


class NoTextError(ValueError):
    """Neither language has a text: there is nothing to send."""


def texts_present(texts: Mapping[str, str] | None) -> list[str]:
    """The languages that have a text, in the line's order; NoTextError when none has."""
    present = [lang for lang in LANGUAGES if ((texts or {}).get(lang) or "").strip()]
    if not present:
        raise NoTextError("Write the announcement in English, Spanish or both.")
    return present


@dataclass(frozen=True)
class TextFigures:
    """One language's text as it will go out, and what it costs for the families who get it."""

    language: str
    recipients: int
    characters: int
    segments: int
    encoding: str
    cost: float


@dataclass(frozen=True)
class Preview:
    audience: str
    recipients: int
    # Only the languages that have a text: everyone is counted under the text they will get.
    by_language: dict[str, TextFigures]
    exclusions: Exclusions
    price_per_segment: float
    total_cost: float
    warnings: tuple[str, ...]


def preview(
    session: Session,
    audience: Audience,
    texts: Mapping[str, str],
    price_per_segment: float,
    default_language: str,
) -> Preview:
    """Counts in SQL (COUNT ... GROUP BY language), prices in Python."""
    present = texts_present(texts)
    counts = recipients_by_language(session, audience, default_language)
    return price(
        counts,
        texts,
        price_per_segment,
        default_language,
        excluded=exclusions(session, audience, default_language),
        description=audience.describe(),
        present=present,
    )


def price(
    counts: Mapping[str, int],
    texts: Mapping[str, str],
    price_per_segment: float,
    default_language: str,
    excluded: Exclusions | None = None,
    description: str = "",
    present: list[str] | None = None,
) -> Preview:
    """The preview of `texts` for families counted by their own language in `counts`."""
    present = present or texts_present(texts)
    sent = dict.fromkeys(present, 0)
    warnings = []
    for language, count in counts.items():
        gets = choose(language, present, default_language)
        sent[gets] += count
        if gets != language and count:
            warnings.append(
                f"{name_of(language)} families ({count}) will get the "
                f"{name_of(gets)} text: there is no {name_of(language)} text."
            )
    by_language = {}
    for language in present:
        text = texts[language]
        count = count_segments(text)
        cost = round(count.segments * sent[language] * price_per_segment, 6)
        by_language[language] = TextFigures(
            language, sent[language], len(text), count.segments, count.encoding, cost
        )
        warnings.extend(text_warnings(text, language))
    total = sum(sent.values())
    if not total:
        warnings.insert(0, "Nobody in this audience can be texted.")
    return Preview(
        audience=description,
        recipients=total,
        by_language=by_language,
        exclusions=excluded or Exclusions(),
        price_per_segment=price_per_segment,
        total_cost=round(sum(f.cost for f in by_language.values()), 6),
        warnings=tuple(warnings),
    )


def text_warnings(text: str, language: str) -> list[str]:
    name = name_of(language)
    warnings = []
    segments = count_segments(text).segments
    if segments > LONG_SEGMENTS:
        warnings.append(
            f"The {name} text is {segments} segments long: every family's copy costs {segments} "
            f"times the price of one. Texts of {LONG_SEGMENTS} segments or fewer cost less and "
            "read better on a phone."
        )
    costly = costly_characters(text, language)
    if costly:
        warnings.append(costly)
    return warnings


def plain(ch: str) -> str:
    """A GSM-7 stand-in for a character outside it: á → a, ’ → ', and nothing for an emoji."""
    if ch in PLAIN_PUNCTUATION:
        return PLAIN_PUNCTUATION[ch]
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else ""


def costly_characters(text: str, language: str) -> str | None:
    """A warning when a few characters outside GSM-7 make the text UCS-2 and cost more segments
    than the same text without them; None otherwise."""
    with_them = count_segments(text)
    if with_them.encoding != "UCS-2":
        return None
    culprits = [i for i, ch in enumerate(text) if not is_gsm7(ch)]
    without = count_segments("".join(plain(ch) if not is_gsm7(ch) else ch for ch in text))
    if without.encoding != "GSM-7" or without.segments >= with_them.segments:
        return None
    one = len(culprits) == 1
    return (
        f"{_subject(text, culprits)} {_verb(with_them.segments, without.segments, one)} the cost "
        f"of the {name_of(language)} text: {_named(text, culprits)} "
        f"{'makes' if one else 'make'} it UCS-2, {with_them.segments} segments instead of "
        f"{without.segments}."
    )


def _subject(text: str, culprits: list[int]) -> str:
    letters = all(text[i].isalpha() for i in culprits)
    if len(culprits) == 1:
        return "One accented letter" if letters else "One character"
    return f"{len(culprits)} {'accented letters' if letters else 'characters'}"


def _verb(with_them: int, without: int, singular: bool) -> str:
    verb = {2: "double", 3: "triple"}.get(with_them // without if not with_them % without else 0)
    verb = verb or "raise"
    return verb + "s" if singular else verb


def _named(text: str, culprits: list[int]) -> str:
    names = []
    for i in culprits:
        name = f"{text[i]} in '{_word_at(text, i)}'"
        if name not in names:
            names.append(name)
    shown = ", ".join(names[:NAMED_CHARACTERS])
    more = len(names) - NAMED_CHARACTERS
    return f"{shown} and {more} more" if more > 0 else shown


def _word_at(text: str, index: int) -> str:
    for match in re.finditer(r"\S+", text):
        if match.start() <= index < match.end():
            # Trailing punctuation is not part of the word staff will look for.
            word = match.group().strip('.,;:!?¡¿()"') or match.group()
            return word if len(word) <= LONG_WORD else word[: LONG_WORD - 1] + "…"
    return text[index]
