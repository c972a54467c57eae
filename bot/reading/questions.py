"""Reading a family's message as a question, without the model: in the middle of a sign-up, or
right after the Parent College answer, a question the model could not place is about the class."""

from __future__ import annotations

import re

from bot.text.folding import fold

# A question, not an answer: two words or more with a question mark, or a question word first
# ("a que hora empieza", "where is it"). Names, schools, numbers and yes/no never look like this;
# "??", "mande?" or "huh?" say the family did not follow, which is no answer either.
_QUESTION = re.compile(
    r"[?¿]|^\s*(?:oiga,?\s+|y\s+|and\s+|wait,?\s+)?(?:que|cuando|donde|como|cual|cuales|quien|"
    r"cuanto|cuanta|cuantos|cuantas|a que hora|por que|what|when|where|how|who|why|which|"
    r"is it|is there|are there|do you|does it|can i|can we|puedo|podemos|se puede)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str | None) -> bool:
    folded = fold(text or "")
    return len(re.findall(r"[a-z]{2,}", folded)) >= 2 and bool(_QUESTION.search(folded))


# When, where, what time, how much, how long: what families ask about a class they are signing up
# for, or were just told about ("¿y cuándo es el siguiente?", "wait, where is it?").
_ABOUT_THE_CLASS = re.compile(
    r"\b(?:cuando|donde|hora|horas|horario|fecha|dia|siguiente|proxima|proximo|cuesta|cobran|"
    r"gratis|precio|dura|lugar|when|where|time|date|day|next|cost|costs|free|price|long|place)\b"
)


def _question_matching(text: str | None, *patterns: re.Pattern) -> bool:
    """A question (looks_like_question) holding a word of any of `patterns`."""
    folded = fold(text or "")
    return looks_like_question(text) and any(pattern.search(folded) for pattern in patterns)


def asks_about_the_class(text: str | None) -> bool:
    """A question of when, where or how much ("y cuando es el siguiente?")."""
    return _question_matching(text, _ABOUT_THE_CLASS)


# Children at the class: "¿puedo llevar a mis niños?", "is there childcare?", "hay quien cuide a
# los ninos", "ahi cuidan a los niños?". The sign-up asks about childcare, so the line has an
# answer.
_CHILDCARE = re.compile(
    r"\b(?:childcare|child care|babysit\w*|cuidado de (?:los )?(?:ninos|ninas|hijos|bebes)|"
    r"cuid(?:a|an|e|en|ar|ara|aran|arian)|watch (?:the |my |our )?(?:kids|children)|guarderia|"
    r"(?:llevar|traer|bring)\b.{0,20}\b(?:ninos|nino|nina|ninas|hijos|"
    r"hijo|hija|hijas|bebe|kids|children|child|baby|son|daughter))\b"
)


def asks_about_childcare(text: str | None) -> bool:
    """A question about children at the class ("¿puedo llevar a mis niños?")."""
    return _question_matching(text, _CHILDCARE)


# What a class costs: "is it free?", "¿se paga?", "how much".
_COST = re.compile(
    r"\b(?:free|cost|costs|pay|paid|price|how much|gratis|gratuito|cuesta|cuestan|cobran|cobra|"
    r"pagar|paga|pago|precio|cuanto es)\b"
)


def asks_cost_or_childcare(text: str | None) -> bool:
    """A question about what the class costs or about children at it ("is the childcare free? my
    youngest is only 2"): a number in it is not an answer to a form's question."""
    return _question_matching(text, _COST, _CHILDCARE)


# What a program's summary does not say: its times, its cost, how to join it ("is it free? i get
# off work at 6", "como le hago para que mi hijo entre").
_PROGRAM_DETAILS = re.compile(
    r"\b(?:hora|horas|horario|hasta|tarde|cuesta|cobran|gratis|precio|pagar|paga|inscrib\w*|"
    r"apunt\w*|anot\w*|registr\w*|aplicar|como le hago|entrar|requisitos|time|until|till|late|"
    r"cost|costs|free|price|pay|sign up|signup|join|apply|enroll\w*|how do i|get in)\b"
)


def asks_program_details(text: str | None) -> bool:
    """A question about a program's times, cost or joining, which the line's data cannot
    answer: a person does."""
    return _question_matching(text, _PROGRAM_DETAILS)


# Words of the child's school day, which the Parent College class is not: "what time does school
# start?", "¿a qué hora salen?".
_SCHOOL_DAY = re.compile(r"\b(?:school|escuela|skul|salen|get out|gets out|dismissal)\b")


def speaks_of_the_school_day(text: str | None) -> bool:
    return bool(_SCHOOL_DAY.search(fold(text or "")))
