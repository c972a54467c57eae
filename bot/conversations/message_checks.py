"""What the bot cannot read in a family's message, found before it is asked: no text at all,
another script, or more text than a question needs. Pure functions, no database, no Rasa."""

from __future__ import annotations

import unicodedata

# Longer messages are cut for the bot (the log keeps them whole). Twilio joins at most 1,600
# characters into one inbound SMS, and a question's point is nearly always at its start, so the
# first 1,000 are enough for the model; asking the family to write it again shorter would punish
# the ones who took the time to explain. Their whole text waits for staff instead.
MAX_TEXT_FOR_BOT = 1000


def has_text(body: str | None) -> bool:
    return bool(body and body.strip())


def is_other_script(body: str | None) -> bool:
    """True when most letters are neither Latin nor accented Latin: Chinese, Arabic, Cyrillic,
    Korean… Emoji, digits and punctuation are not letters, so "👍" and "12" are not."""
    latin = other = 0
    for ch in body or "":
        if not unicodedata.category(ch).startswith("L"):
            continue
        if unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    return other > latin


def text_for_bot(body: str) -> tuple[str, bool]:
    """The part of the message the bot reads, and whether it was cut (at a word when possible)."""
    if len(body) <= MAX_TEXT_FOR_BOT:
        return body, False
    cut = body[: MAX_TEXT_FOR_BOT + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > 0 else cut[:MAX_TEXT_FOR_BOT]).rstrip(), True
