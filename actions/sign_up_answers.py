"""Reading a family's answers to the sign-up form's questions: a name ("me llamo Rosa"), a
session ("el del 16", "the first one"), how many adults ("mi esposo y yo"), a school named in
passing; and the details said back to them ("2 adultos, cuidado para 1 niño")."""

from __future__ import annotations

import re

from bot import texts
from bot.models import ParentCollegeSession
from bot.reading.answers import read_choice, read_number, read_yes_no
from bot.reading.questions import looks_like_question
from bot.text.folding import fold_words

from .sessions import session_label

MOST_ADULTS = 6
MOST_CHILDREN = 8

# Words that only introduce a name ("me llamo Rosa", "I'm Rosa").
_NAME_LEAD = re.compile(
    r"^\s*(me llamo|mi nombre es|soy|yo soy|my name is|my name's|name is|i am|i'm|im|it's|its)\s+",
    re.IGNORECASE,
)


def count_of(what: str, n: int, language: str) -> str:
    """ "1 adult", "2 adults": a sign-up's phrases put together in code (bot/texts/, sign_up.*);
    the sentences around them are in the domain."""
    return texts.text(f"sign_up.{what}.{'one' if n == 1 else 'other'}", language, n=n)


def details(language: str, adults: int, children: int) -> str:
    care = (
        count_of("children", children, language)
        if children
        else texts.text("sign_up.no_childcare", language)
    )
    return f"{count_of('adults', adults, language)}, {care}"


def clean_name(text: str) -> str | None:
    """The name in "me llamo rosa díaz", capitalised if typed all in lower case; None when the
    answer does not look like a name (digits, one letter, a sentence)."""
    if "?" in text or "¿" in text:
        return None  # "mande?": a name is never asked
    name = _NAME_LEAD.sub("", text).strip(" .,!¡")
    words = name.split()
    if not words or len(words) > 6 or len(name) > 80 or re.search(r"\d", name):
        return None
    if not re.search(r"[^\W\d_]{2,}", name):
        return None
    if len(words) <= 2 and read_yes_no(name) is not None:
        return None  # "sí", "ok", "no gracias" answer something else
    return " ".join(w.capitalize() for w in words) if name.islower() else name


def match_session(text: str, choices: list[ParentCollegeSession], language: str) -> int | None:
    """Which of the offered sessions the family means: its number, or a word that names only one
    ("watts", "markham", "el 23", "enero 30"). A number that counts people ("1 adult", "somos 2
    adultos") answers a later question, not this one."""
    text = _COUNTED.sub(" ", fold_words(text))
    picked = read_choice(text, len(choices))
    if picked:
        return picked - 1
    words = set(fold_words(text).split())
    hits = []
    for index, pc_session in enumerate(choices):
        names = {fold_words(session_label(pc_session, lang)) for lang in ("en", "es")}
        if pc_session.neighborhood:
            names.add(fold_words(pc_session.neighborhood.name))
        vocabulary = set(" ".join(names).split()) - {"de", "en", "at", "a", "m", "p"}
        if words & vocabulary - _COMMON_SESSION_WORDS:
            hits.append(index)
    return hits[0] if len(hits) == 1 else None


# "1 adult", "2 adultos", "3 niños", "one kid", "just me", "yo y mi esposo": a count of people,
# never a pick from the list.
_COUNT = r"\d+|one|two|three|four|uno|una|un|dos|tres|cuatro"
_ALONE = r"just me|only me|solo yo|nomas yo|nada mas yo"
_COUPLE = r"(?:yo|me|i) (?:y|and) (?:mi|my) \w+|(?:mi|my) \w+ (?:y|and) (?:yo|me|i)"
_COUNTED = re.compile(
    rf"\b(?:(?:{_COUNT})\s+(?:adults?|adultos?|personas?|people|kids?|children|child|ninos?|"
    rf"ninas?|hijos?|hijas?|chamacos?|of us)|{_ALONE}|{_COUPLE})\b"
)
# The same counts when they are of grown-ups: a session picked with "vamos 2 adultos" or "nomas
# yo" answers the adults question too, which is then not asked.
_ADULTS_COUNTED = re.compile(
    rf"\b(?:(?P<n>{_COUNT})\s+(?:adults?|adultos?|personas?|people|of us)|(?P<one>{_ALONE})|"
    rf"(?P<two>{_COUPLE}))\b"
)


def adults_counted(text: str) -> int | None:
    """How many grown-ups a message says are coming, if it says it plainly."""
    found = _ADULTS_COUNTED.search(fold_words(text))
    if found is None:
        return None
    if found.group("one"):
        return 1
    if found.group("two"):
        return 2
    return read_number(found.group("n"), most=MOST_ADULTS)


# Words every session shares (all on Saturdays, same hours): they tell none apart.
_COMMON_SESSION_WORDS = {"sabado", "saturday", "9", "12", "la", "el"}


def names_a_school(text: str) -> bool:
    """A short answer that may be a school's name ("la weigand", "ritter elementary"): not a
    question, a yes or no, or a number."""
    words = fold_words(text).split()
    return (
        0 < len(words) <= 6
        and any(len(word) >= 3 and word.isalpha() for word in words)
        and not looks_like_question(text)
        and read_yes_no(text) is None
        and read_number(text) is None
    )
