"""A worry about a child's safety at school goes to a person, whatever the model guessed.

"Le están pegando a mi hijo en el recreo", "my daughter is being bullied": bullying, a fight, a
threat, a child hurt by someone. No answer from the line's data fits, and a did-you-mean or a
school's address in reply would tell the family its worry was not heard. A message that says so
is read as a request for a person (talk_to_human): staff see it in the queue and the family is
told when someone answers. Pure, so it is tested without Rasa; bot/rasa/intent_guard_step.py applies
it inside the Rasa server's pipeline."""

from __future__ import annotations

import re

from bot.text.folding import fold_words

PERSON = "talk_to_human"
# Readings that already reach a person about it: "I want to talk to the teacher about the
# bullying" names whom (contact_teacher goes to staff too).
ALREADY_HEARD = (PERSON, "contact_teacher")

# Someone does it to the child: "lo están molestando", "le pegaron", "la amenazan", "is being
# bullied", "kids keep hitting him". Not "disculpe la molestia" or "perdón que le moleste":
# families open messages that way.
_CONCERN = re.compile(
    r"\b(?:"
    r"bullying|bulling|buleando|bulean|acoso|acosan|acosando|acosaron|amenaz\w+"
    r"|(?:lo|la|los|las|le|les)\s+(?:estan\s+|esta\s+|siguen\s+|andan\s+)?"
    r"(?:molestando|molestan|molestaron|pegan|pegando|pegaron|pego|golpean|golpearon|golpeando"
    r"|agreden|agredieron|agrediendo|empujan|empujaron|insultan|insultaron|maltratan|maltrataron)"
    r"|bull(?:y|ied|ies|ying)|harass\w*|threat\w*"
    r"|(?:keep|kept|been|are|is|was|were|got)\s+(?:hitting|hit|pushing|punching|beating|picking on)"
    r"|beat\s+(?:him|her|them)\s+up|beaten\s+up|got\s+jumped|picking\s+on\s+(?:him|her|my)"
    r")\b"
)


def is_safety_concern(text: str | None) -> bool:
    return bool(_CONCERN.search(fold_words(text or "")))


def as_safety_concern(ranking: list[dict], text: str | None) -> list[dict] | None:
    """The ranking with the request for a person first when the message is a safety concern;
    None when it is not, or the model's reading already reaches a person."""
    readings = [r for r in ranking if r.get("name") != "nlu_fallback"]
    if not readings or readings[0].get("name") in ALREADY_HEARD or not is_safety_concern(text):
        return None
    others = [r for r in readings if r.get("name") != PERSON]
    # Sure: the words say it, whatever the model's confidence was.
    return [{"name": PERSON, "confidence": 1.0}, *others]
