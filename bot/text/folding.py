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


# SMS spellings and clipped words families type, each with the word it stands for. Only spellings
# of one word, never synonyms ("nel" stays "nel"): the model should learn meanings from examples,
# and a spelling it never saw should read as the word it did see.
# fmt: off
_SPELLED = {
    "q": "que", "k": "que", "ke": "que", "qe": "que",
    "xq": "porque", "pq": "porque", "porq": "porque", "xk": "porque", "porke": "porque",
    "xke": "porque", "xque": "porque",
    "ps": "pues", "pos": "pues", "pus": "pues",
    "xfa": "porfa", "porfis": "porfa", "porfas": "porfa", "xfavor": "porfa", "plis": "please",
    "pls": "please", "plz": "please", "plox": "please",
    "tmb": "tambien", "tb": "tambien", "tbn": "tambien",
    "dnd": "donde", "dnde": "donde", "cdo": "cuando", "qdo": "cuando", "cuado": "cuando",
    "grax": "gracias", "grx": "gracias", "grcs": "gracias", "grasias": "gracias",
    "grasia": "gracias", "thx": "thanks", "thanx": "thanks", "ty": "thanks", "tks": "thanks",
    "ola": "hola", "nop": "no", "nope": "no", "sip": "si", "sii": "si",
    "msj": "mensaje", "mje": "mensaje",
    "u": "you", "ur": "your", "r": "are", "abt": "about", "wat": "what",
    "wut": "what", "wen": "when", "wher": "where", "tmrw": "tomorrow", "tmr": "tomorrow",
    "2morrow": "tomorrow", "thru": "through", "cuz": "because", "bc": "because", "bcuz": "because",
    "xa": "para", "pa": "para", "pra": "para",
}
# fmt: on

_STRETCHED = re.compile(r"(\w)\1{2,}")  # a letter held down: "holaaa", "siii", "pleeease"


def fold_spelling(word: str) -> str:
    """One word as the model should read it: folded, a held-down letter let go ("holaaa" ->
    "hola"), an SMS spelling written out ("xq" -> "porque"). The message's own text is untouched;
    this is only what the model counts (bot/rasa/folding_tokenizer.py)."""
    folded = _STRETCHED.sub(r"\1", fold(word))
    return _SPELLED.get(folded, folded)
