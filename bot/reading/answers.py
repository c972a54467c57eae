"""Reading a family's short answers to the bot's questions: a number ("2", "dos", "somos tres"),
a pick from a numbered list ("1", "el primero", "the saturday one"), yes or no ("sii", "claro",
"nop"). Answers come without accents, in either language, often with a word or two around them."""

from __future__ import annotations

import re

from bot.text.folding import fold_words as fold

_NUMBER_WORDS = {
    "cero": 0, "zero": 0, "none": 0, "ninguno": 0, "ninguna": 0, "ningun": 0, "nadie": 0,
    "un": 1, "uno": 1, "una": 1, "one": 1, "sola": 1, "solo": 1, "just me": 1, "only me": 1,
    "dos": 2, "two": 2, "both": 2, "ambos": 2, "los dos": 2, "las dos": 2,
    "tres": 3, "three": 3, "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6,
    "siete": 7, "seven": 7, "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10,
}  # fmt: skip

_ORDINALS = {
    "primero": 1, "primera": 1, "primer": 1, "first": 1, "1st": 1,
    "segundo": 2, "segunda": 2, "second": 2, "2nd": 2,
    "tercero": 3, "tercera": 3, "tercer": 3, "third": 3, "3rd": 3,
    "cuarto": 4, "cuarta": 4, "fourth": 4, "4th": 4,
    "quinto": 5, "quinta": 5, "fifth": 5, "5th": 5,
    "ultimo": -1, "ultima": -1, "last": -1,
}  # fmt: skip

# Yes and no as families text them. Checked as whole words; "no" wins over "si" ("si, no puedo"
# is rare, "no, si ya fui" means no), and nothing found means "not an answer to yes/no".
_YES = {
    "si", "sii", "siii", "sip", "claro", "ok", "okay", "oki", "dale", "va", "sale", "yes", "yeah",
    "yea", "yep", "yup", "sure", "correct", "correcto", "exacto", "bueno", "perfecto", "y", "s",
    "por favor", "please", "right", "asi es", "esta bien", "de acuerdo",
}  # fmt: skip
_NO = {
    "no", "nop", "nope", "nah", "n", "nel", "never", "nunca", "tampoco", "negativo",
    "no gracias", "no thanks",
}  # fmt: skip


# "No sé", "ni idea", "not sure": the family does not know the answer, which is not a no. A
# message that also says no to going on ("no sé, ya no quiero") is a no.
_UNSURE = re.compile(
    r"\b(?:no se|nose|ni idea|no estoy segur[oa]|no me acuerdo|no recuerdo|quien sabe|"
    r"i don ?t know|i dont know|idk|dunno|not sure|no idea|i don ?t remember)\b"
)
_STOPPING = re.compile(
    r"\b(?:ya no|no quiero|no gracias|cancel\w*|olvidelo|olvidalo|stop|never mind)\b"
)


def says_unsure(text: str | None) -> bool:
    """The message says the family does not know, and not that it wants to stop."""
    folded = fold(text or "")
    return bool(_UNSURE.search(folded)) and not _STOPPING.search(folded)


def _phrases(text: str) -> set[str]:
    """Every one- and two-word phrase of the folded text."""
    words = fold(text).split()
    return set(words) | {" ".join(pair) for pair in zip(words, words[1:], strict=False)}


def read_number(text: str, most: int = 20) -> int | None:
    """A count between 0 and `most`, or None. "2", "dos adultos", "somos 3", "mi esposo y yo"."""
    folded = fold(text)
    digits = re.findall(r"\d+", folded)
    if len(digits) == 1:
        value = int(digits[0])
        return value if 0 <= value <= most else None
    if digits:
        return None  # "2 or 3": ask again rather than guess
    phrases = _phrases(text)
    found = {_NUMBER_WORDS[p] for p in phrases if p in _NUMBER_WORDS}
    if len(found) == 1:
        value = found.pop()
        return value if value <= most else None
    if re.search(r"\b(mi|my) \w+ (y|and) (yo|me|i)\b|\b(yo|me|i) (y|and) (mi|my) \w+\b", folded):
        return 2
    return None


def read_choice(text: str, count: int) -> int | None:
    """The 1-based pick from a numbered list of `count` options, or None."""
    phrases = _phrases(text)
    for phrase in phrases:
        if phrase in _ORDINALS:
            value = _ORDINALS[phrase]
            value = count if value == -1 else value
            return value if 1 <= value <= count else None
    value = read_number(text, most=count)
    return value if value and 1 <= value <= count else None


# What follows a reason is the reason, not the answer: "si xfa xq no tengo con quien dejar a los
# niños" is a yes.
_REASON = re.compile(r"\b(?:porque|por que|xq|pq|because|cuz|cause|bc|since|ya que)\b")


def read_yes_no(text: str) -> bool | None:
    if says_unsure(text):
        return None  # "no sé" holds a "no" but is not one
    answer = _REASON.split(fold(text), maxsplit=1)[0]
    if answer.strip() and answer.strip() != fold(text).strip():
        found = read_yes_no(answer)
        if found is not None:
            return found
    phrases = _phrases(text)
    if phrases & _NO:
        return False
    if phrases & _YES:
        return True
    return None


# Childcare named in an answer to another question ("1 y no ocupo cuidado de niños", "vamos 2 y
# si necesito q me cuiden al nene"): a no before the word within a few words, or a need for it.
_CARE = r"(?:cuidado|cuiden|cuide|cuidar|cuido|childcare|babysit\w*|guarderia|nineras?)"
_NO_CARE = re.compile(rf"\b(?:no|sin|not|dont|don t|nel)\b(?:\s+\w+){{0,3}}?\s+{_CARE}")
_NEEDS_CARE = re.compile(
    rf"\b(?:si|ocupo|necesito|need|needs|quiero|want|yes)\b(?:\s+\w+){{0,4}}?\s+{_CARE}"
)


def childcare_said(text: str | None) -> bool | None:
    """True or False when the message says whether childcare is needed, None when it does not."""
    folded = fold(text or "")
    if _NO_CARE.search(folded):
        return False
    if _NEEDS_CARE.search(folded):
        return True
    return None
