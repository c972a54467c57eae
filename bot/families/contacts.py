"""Finding the contact behind a message, and the language to answer them in."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import Contact
from bot.text.folding import fold
from bot.text.language_detection import guess_language
from bot.text.languages import LANGUAGES, other_than

# How sure the detector must be to move a family to the other language mid-conversation;
# a first message only needs the likelier of the two.
SWITCH_CONFIDENCE = 0.8


def find_or_create_by_phone(session: Session, phone: str, valid: bool) -> Contact:
    return _find_or_create(session, {"phone": phone}, phone_valid=valid, consent_source="texted in")


def find_or_create_by_web_chat_id(session: Session, web_chat_id: str) -> Contact:
    return _find_or_create(
        session, {"web_chat_id": web_chat_id}, phone_valid=False, consent_source="web chat"
    )


def _find_or_create(session: Session, key: dict, **fields) -> Contact:
    contact = session.execute(select(Contact).filter_by(**key)).scalar_one_or_none()
    if contact is not None:
        return contact
    try:
        # A savepoint: two first messages from one new sender may race; the loser reads the winner.
        with session.begin_nested():
            contact = Contact(**key, **fields)
            session.add(contact)
        return contact
    except IntegrityError:
        return session.execute(select(Contact).filter_by(**key)).scalar_one()


def choose_language(contact: Contact, text: str, default: str) -> str:
    """The language to answer this text in, remembered on the contact (sticky):

    - an explicit choice (change_language) wins and stays;
    - a text that does not show its language ("ok", "👍", "12", a name) keeps the current one;
    - a confident detection of the other language switches."""
    if contact.language and contact.language_source == Contact.LANGUAGE_EXPLICIT:
        return contact.language
    if contact.language:
        language = guess_language(text, min_confidence=SWITCH_CONFIDENCE) or contact.language
    else:
        language = guess_language(text) or default
    contact.language = language
    contact.language_source = Contact.LANGUAGE_DETECTED
    return language


_LANGUAGE_WORDS = {"ingles": "en", "english": "en", "espanol": "es", "spanish": "es"}
_LANGUAGE = r"(ingles|english|espanol|spanish)"
# "no hablo inglés", "no entiendo el inglés", "i don't read spanish", "i can't speak english";
# "mi inglés no es bueno", "my spanish is bad". A bare "no, english please" refuses nothing.
_REFUSALS = (
    re.compile(
        r"\b(?:no|not|dont|don't|do not|cant|can't|cannot)\s+(?:le\s+|lo\s+)?"
        r"(?:hablo|entiendo|leo|se|puedo|manejo|speak|read|understand|know|talk)\b"
        r"(?:\s+\w+){0,2}?\s+" + _LANGUAGE + r"\b"
    ),
    re.compile(
        r"\b(?:my|mi)\s+" + _LANGUAGE + r"\s+(?:is\s+|es\s+)?(?:not|no|isnt|isn't|bad|poor|malo)\b"
    ),
)


def language_refused(text: str) -> str | None:
    """The language a family says it does not read or speak, if it says so."""
    folded = " ".join(fold(text).split())
    for pattern in _REFUSALS:
        found = pattern.search(folded)
        if found:
            return _LANGUAGE_WORDS[found.group(1)]
    return None


def language_asked_for(
    named: str | None, written_in: str | None, before: str | None, refused: str | None = None
) -> str:
    """The language a change_language message asks for: not one it refuses ("no hablo inglés",
    even though the model marks "inglés" as the language named); else the one it names ("en
    inglés"); else the one it is written in, when the conversation was in the other; else the
    other one ("can we switch?" in the conversation's own language). actions/language_slot.py
    makes the same choice for Rasa's replies."""
    if refused in LANGUAGES:
        return other_than(refused)
    if named in LANGUAGES:
        return named
    if written_in in LANGUAGES and written_in != before:
        return written_in
    current = before if before in LANGUAGES else LANGUAGES[0]
    return next(lang for lang in LANGUAGES if lang != current)


def choose_language_explicitly(
    contact: Contact,
    named: str | None,
    written_in: str | None = None,
    before: str | None = None,
    text: str = "",
) -> str:
    """A family asked for a language (language_asked_for) in `text`; it stays the contact's from
    now on. Without `before`, the contact's current language is the conversation's."""
    before = before if before is not None else contact.language
    requested = language_asked_for(named, written_in, before, language_refused(text))
    contact.language = requested
    contact.language_source = Contact.LANGUAGE_EXPLICIT
    return requested
