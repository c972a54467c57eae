"""Which fact about a school a family asks for, and whether the line knows it.

"¿Quién es el director de Jordan?" asks for the principal, not the address ("dirección" is the
address, "director" the principal). The answer gives the fact asked, or says the line does not
have it: a value that is empty or still marked as a placeholder (seed/README.md) is never shown."""

from __future__ import annotations

import re

from bot.models import School
from bot.text.folding import fold_words
from bot.texts import pick

# In the order answers give them. Each fact's words, folded (no accents, lower case), as whole
# words or phrases; a message may ask for several ("dirección y teléfono").
FACTS = ("address", "phone", "hours", "bell_times", "principal", "website")
_WORDS = {
    "principal": (
        "director", "directora", "directores", "principal", "principals", "head of school",
        "who runs", "quien dirige", "quien esta a cargo",
    ),
    "phone": (
        "telefono", "tel", "tele", "fono", "numero", "num", "llamar", "llamo", "marcar", "phone",
        "number", "call", "cel", "celular",
    ),
    # The office's hours. "hora", "horario" and "hours" alone also ask this, unless the message
    # is about classes (bell_times): "¿a qué hora salen los niños?" is not about the office.
    "hours": (
        "abre", "abren", "cierra", "cierran", "abierta", "abierto", "oficina", "open", "opens",
        "close", "closes", "closed", "office",
    ),
    "bell_times": (
        "entrada", "entran", "entra", "salida", "salen", "sale", "empieza", "empiezan",
        "empiezan las clases", "comienzan", "inician", "start", "starts", "let out", "lets out",
        "get out", "gets out",
        "dismissal", "bell", "bell schedule", "horario de clases", "class schedule", "recogerlos",
        "recoger", "pick up", "pickup", "drop off", "dropoff",
    ),
    "website": ("pagina", "web", "website", "sitio", "site", "internet", "link", "url"),
    "address": (
        "direccion", "donde", "ubicada", "ubicacion", "queda", "quedan", "encuentra", "llego",
        "llegar", "address", "where", "located", "location", "directions", "get there",
    ),
}  # fmt: skip
# Words that ask about time without saying whose: the office's hours unless classes are meant.
_ANY_TIME = ("hora", "horas", "horario", "horarios", "hours", "time", "what time")


def _pattern(words) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


_PATTERNS = {fact: _pattern(words) for fact, words in _WORDS.items()}
_ANY_TIME_PATTERN = _pattern(_ANY_TIME)


# A message that names a school and no fact asks about the school in general when it is short
# ("info de jordan", "tell me about markham") or says so; a longer one ("a mi hijo lo molestan en
# gompers, ¿qué hago?") asks something else, which a person answers.
_GENERAL = _pattern((
    "info", "informacion", "information", "datos", "contacto", "contact", "details", "detalles",
    "about", "sobre", "acerca",
))  # fmt: skip
MOST_WORDS_OF_A_GENERAL_QUESTION = 5


def asks_in_general(text: str | None) -> bool:
    folded = fold_words(text or "")
    return len(folded.split()) <= MOST_WORDS_OF_A_GENERAL_QUESTION or bool(_GENERAL.search(folded))


def facts_asked(text: str | None) -> list[str]:
    """The facts `text` asks for, in FACTS order; [] when it names none ("info de jordan")."""
    folded = fold_words(text or "")
    asked = {fact for fact in FACTS if _PATTERNS[fact].search(folded)}
    if "bell_times" not in asked and _ANY_TIME_PATTERN.search(folded):
        asked.add("hours")
    return [fact for fact in FACTS if fact in asked]


def known_value(school: School, fact: str, language: str) -> str | None:
    """The school's `fact` as families read it, or None when the line does not know it."""
    if fact in (school.placeholders or []):
        return None
    value = getattr(school, fact)
    if isinstance(value, dict):  # hours are written in both languages
        value = pick(value, language)
    value = (value or "").strip()
    return value or None
