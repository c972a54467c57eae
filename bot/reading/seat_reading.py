"""A message about a sign-up already made is not a new sign-up.

"I signed up last week but I can't go anymore", "ya me inscribí, ¿sí quedé?", "did my
registration go through": the words are a sign-up's, but in the past, or with not going. Read as
a sign-up, the line would start a second one. A sign-up reading of a message that says the family
will not go (cancel words) becomes a cancel, which always asks first (actions/cancellation.py);
one that asks about a sign-up made ("did I", "ya quedé", "went through") becomes a check, which
changes nothing. A message that also asks to sign up again ("sign me up again", "quiero
inscribirme otra vez") stays a sign-up. Pure, so it is tested without Rasa;
bot/rasa/intent_guard_step.py applies it inside the Rasa server's pipeline."""

from __future__ import annotations

import re

from bot.text.folding import fold_words

SIGN_UP = "register_parent_college"
CANCEL = "cancel_registration"
CHECK = "check_registration"

_NOT_GOING = re.compile(
    r"\b(?:cancel\w*|ya no (?:voy|vamos|puedo|podemos|podre|va a poder|vamos a poder|quiero ir)"
    r"|no (?:voy|vamos|puedo|podemos|podre) (?:a )?(?:ir|asistir|llegar)"
    r"|can ?t (?:go|make it|come|attend)|cant (?:go|make it|come|attend)|won ?t be able"
    r"|not (?:going|coming)|no longer|darme de baja|dar de baja|salirme|quitarme|sacarme|borrarme"
    r"|sacame|saqueme|quitame|quiteme|borrame|borreme|unregister|withdraw|drop out)\b"
)
_ASKS_ABOUT_IT = re.compile(
    r"\b(?:did (?:i|my|we|it|you)|am i|are we|was i|ya (?:me|quede|quedo|estoy|estamos)"
    r"|estoy (?:inscrit|apuntad|anotad|registrad)\w*|si quede|quede|me (?:inscribi|apunte|anote"
    r"|registre|inscribieron|apuntaron|anotaron|registraron)|(?:i|we) (?:signed|registered)"
    r"|already (?:signed|registered)|went (?:through|thru)|go (?:through|thru)"
    r"|recibieron|les llego)\b"
)
_AGAIN = re.compile(
    r"\b(?:again|otra vez|de nuevo|another|otra sesion|otra clase|sign me up|inscribeme|inscribame"
    r"|apuntame|apunteme|anotame|anoteme|quiero (?:inscribirme|apuntarme|anotarme|registrarme))\b"
)


def seat_reading(text: str | None) -> str | None:
    """CANCEL or CHECK when the message speaks of a sign-up already made; None otherwise."""
    words = fold_words(text or "")
    if _AGAIN.search(words):
        return None
    if _NOT_GOING.search(words):
        return CANCEL
    if _ASKS_ABOUT_IT.search(words):
        return CHECK
    return None


def as_made_sign_up(ranking: list[dict], text: str | None) -> list[dict] | None:
    """The ranking with the cancel or the check first when the model read a sign-up (first
    reading, or first after a fallback) in a message about a sign-up already made, or was torn
    between the three ("me anoté hace un mes pero ya no voy a poder ir", sign-up and cancel
    close) and the words say which; None otherwise. A cancel still asks before it cancels."""
    readings = [r for r in ranking if r.get("name") != "nlu_fallback"]
    if not readings or readings[0].get("name") not in (SIGN_UP, CANCEL, CHECK):
        return None
    meant = seat_reading(text)
    if meant is None or meant == readings[0].get("name") and ranking[0] is readings[0]:
        return None  # nothing to re-read: the model already reads it so, surely
    if readings[0].get("name") != SIGN_UP and meant not in {r.get("name") for r in readings[:2]}:
        return None
    confidence = float(readings[0].get("confidence") or 0.0)
    others = [r for r in readings if r.get("name") != meant]
    return [{"name": meant, "confidence": confidence}, *others]
