"""Which fact about a school a family asks for, and whether the line knows it.

"¿Quién es el director de Jordan?" asks for the principal, not the address ("dirección" is the
address, "director" the principal). The answer gives the fact asked, or says the line does not
have it: a value that is empty or still marked as a placeholder (seed/README.md) is never shown."""

from __future__ import annotations

import re

from .folding import fold_words
from .models import School
from .texts import pick

# In the order answers give them. Each fact's words, folded (no accents, lower case), as whole
# words or phrases; a message may ask for several ("dirección y teléfono").
FACTS = ("address", "phone", "hours", "principal", "website")
_WORDS = {
    "principal": (
        "director", "directora", "directores", "principal", "principals", "head of school",
        "who runs", "quien dirige", "quien esta a cargo",
    ),
    "phone": (
        "telefono", "tel", "tele", "fono", "numero", "num", "llamar", "llamo", "marcar", "phone",
        "number", "call", "cel", "celular",
    ),
    # Office hours and bell times alike: the school's `hours` say what the line knows of both.
    "hours": (
        "horario", "horarios", "hora", "horas", "abre", "abren", "cierra", "cierran", "abierta",
        "abierto", "entrada", "entran", "salida", "salen", "empieza", "empiezan", "hours", "open",
        "opens", "close", "closes", "closed", "start", "starts", "let out", "lets out",
        "dismissal", "bell",
    ),
    "website": ("pagina", "web", "website", "sitio", "site", "internet", "link", "url"),
    "address": (
        "direccion", "donde", "ubicada", "ubicacion", "queda", "quedan", "encuentra", "llego",
        "llegar", "address", "where", "located", "location", "directions", "get there",
    ),
}  # fmt: skip
_PATTERNS = {
    fact: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
    for fact, words in _WORDS.items()
}


def facts_asked(text: str | None) -> list[str]:
    """The facts `text` asks for, in FACTS order; [] when it names none ("info de jordan")."""
    folded = fold_words(text or "")
    return [fact for fact in FACTS if _PATTERNS[fact].search(folded)]


def known_value(school: School, fact: str, language: str) -> str | None:
    """The school's `fact` as families read it, or None when the line does not know it."""
    if fact in (school.placeholders or []):
        return None
    value = getattr(school, fact)
    if isinstance(value, dict):  # hours are written in both languages
        value = pick(value, language)
    value = (value or "").strip()
    return value or None
