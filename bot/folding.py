"""Folding what families type so spellings compare equal: "Sí", "si" and "SI!" are one word."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents ("Dónde" -> "donde"); punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> str:
    """Only the words, folded and single-spaced ("¿La JORDAN?" -> "la jordan")."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", fold(text)).split())
