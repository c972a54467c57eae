"""Enrolling a child in school is not a Parent College sign-up.

"How can I sign up my kids at Sunrise", "quiero inscribir a mis gemelos en la Sunrise": the words
are a sign-up's, the object is a child. Parent College is a class for parents (children come only
to its childcare), so a sign-up verb whose object, a word or two later, is a child, in a message
that names neither Parent College nor the parent signing up, asks how to enroll the child
(ask_enrollment). Pure, so it is tested without Rasa; bot/rasa/intent_guard_step.py applies it
inside the Rasa server's pipeline."""

from __future__ import annotations

import re

from bot.text.folding import fold_words

ENROLLMENT = "ask_enrollment"
SIGN_UP = "register_parent_college"

_VERB = (
    r"(?:inscrib|apunt|anot|registr|matricul|enrol|sign\s?up|signup|register|transfer"
    r"|met(?:er|o|e|a|i|emos))\w*"
)
_CHILD = (
    r"(?:hij[oa]s?|nin[oa]s?|nen[ea]s?|niet[oa]s?|sobrin[oa]s?|gemel[oa]s|chamac[oa]s?|bebes?"
    r"|cipot[ea]s?|patoj[oa]s?|muchach[oa]s?|chiquit[oa]s?|estudiantes?|alumn[oa]s?"
    r"|sons?|daughters?|kids?|child|children|grandsons?|granddaughters?|grandkids?|nephews?"
    r"|nieces?|twins|boys?|girls?|students?|stepsons?|stepdaughters?)"
)
# The child a word or two after the verb: "inscribir a mis hijos", "sign up my kids", "enroll
# my son"; not "sign up and bring my kids", where the parent signs up.
_ENROLLS_A_CHILD = re.compile(r"\b" + _VERB + r"\s+(?:\w+\s+){0,2}?" + _CHILD + r"\b")
_PARENT_COLLEGE = re.compile(
    r"\b(?:parent colle[gd]e|parent collage|colegio de padres|escuela (?:para|de) padres"
    r"|clases? (?:para|de) (?:los )?padres|taller|parents? class|saturday class|clases? del sabado"
    r"|clases? de los sabados|for parents|para padres)\b"
)
_THE_PARENT = re.compile(
    r"\b(?:inscribirme|apuntarme|anotarme|registrarme|inscribeme|apuntame|anotame|inscribame"
    r"|apunteme|anoteme|registreme|me inscribo|me apunto|me anoto|me registro|sign me|register me"
    r"|enroll me|myself|yo y|me and"
    r"|me (?:quiero |quisiera |puede |pueden |podria |podrian )?"
    r"(?:inscribir|apuntar|anotar|registrar))\b"
)


def enrolls_a_child(text: str | None) -> bool:
    words = fold_words(text or "")
    return bool(
        _ENROLLS_A_CHILD.search(words)
        and not _PARENT_COLLEGE.search(words)
        and not _THE_PARENT.search(words)
    )


def as_enrollment(ranking: list[dict], text: str | None) -> list[dict] | None:
    """The ranking with the enrollment question first when the model read a sign-up (first
    reading, or first after a fallback) in a message that enrolls a child; None otherwise."""
    readings = [r for r in ranking if r.get("name") != "nlu_fallback"]
    if not readings or readings[0].get("name") != SIGN_UP or not enrolls_a_child(text):
        return None
    confidence = float(readings[0].get("confidence") or 0.0)
    others = [r for r in readings if r.get("name") != ENROLLMENT]
    return [{"name": ENROLLMENT, "confidence": confidence}, *others]
