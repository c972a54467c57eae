"""Opt-out, opt-in and help keywords (STOP, BAJA, START, INICIO, HELP, AYUDA…), answered by the
SMS layer before the NLU model sees the message, and the consent history they leave behind.

Twilio itself also handles the English keywords (STOP, START, HELP and friends) on its side: it
blocks the number and answers with its own text, so our reply to an English STOP may never be
delivered. The Spanish keywords are ours alone, and web chat has no Twilio in front of it, so
every keyword is recorded and answered here whatever Twilio does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.models import ConsentEvent, Contact, utcnow
from bot.text.folding import fold

OPT_OUT = ConsentEvent.OPT_OUT
OPT_IN = ConsentEvent.OPT_IN
HELP = "help"

# keyword -> (kind, the language the word belongs to; None when both languages use it)
KEYWORDS: dict[str, tuple[str, str | None]] = {
    # Twilio's standard opt-out words, plus REVOKE and OPTOUT from the CTIA's newer list.
    "STOP": (OPT_OUT, "en"),
    "STOPALL": (OPT_OUT, "en"),
    "UNSUBSCRIBE": (OPT_OUT, "en"),
    "CANCEL": (OPT_OUT, "en"),
    "END": (OPT_OUT, "en"),
    "QUIT": (OPT_OUT, "en"),
    "REVOKE": (OPT_OUT, "en"),
    "OPTOUT": (OPT_OUT, "en"),
    # Spanish ones, which Twilio does not know.
    "PARAR": (OPT_OUT, "es"),
    "ALTO": (OPT_OUT, "es"),
    "BAJA": (OPT_OUT, "es"),
    "CANCELAR": (OPT_OUT, "es"),
    "DETENER": (OPT_OUT, "es"),
    # Opt-in words only count for a contact who opted out; for anyone else "yes" is an answer.
    "START": (OPT_IN, "en"),
    "YES": (OPT_IN, "en"),
    "UNSTOP": (OPT_IN, "en"),
    "INICIO": (OPT_IN, "es"),
    "SI": (OPT_IN, "es"),
    "HELP": (HELP, "en"),
    "INFO": (HELP, None),
    "AYUDA": (HELP, "es"),
}

# What may surround the one word: "Stop.", "¡Alto!", "¿Ayuda?", "'baja'".
_SURROUNDING_PUNCTUATION = re.compile(r"^[\s\W_]+|[\s\W_]+$")


@dataclass(frozen=True)
class Keyword:
    word: str  # as listed in KEYWORDS: "STOP", "SI"
    kind: str  # OPT_OUT, OPT_IN or HELP
    language: str | None


def read_keyword(body: str | None) -> Keyword | None:
    """The keyword a message consists of, or None. Like Twilio: the whole message must be the one
    word, in any case; here also without accents and punctuation around it ("Sí", "Baja.")."""
    word = _SURROUNDING_PUNCTUATION.sub("", fold(body or "")).upper()
    if word not in KEYWORDS:
        return None
    kind, language = KEYWORDS[word]
    return Keyword(word, kind, language)


def keyword_for(contact: Contact, body: str | None) -> Keyword | None:
    """The keyword this contact's message means, if any: "sí" is a keyword only after STOP."""
    keyword = read_keyword(body)
    if keyword and keyword.kind == OPT_IN and not contact.opted_out:
        return None
    return keyword


def record_opt_out(
    session: Session, contact: Contact, source: str, channel: str | None, message_id=None
) -> bool:
    """Marks the contact opted out and writes the history; False when it already was (one
    confirmation and one event per opt-out, however many STOPs or carrier errors follow)."""
    if contact.opted_out:
        return False
    contact.opted_out = True
    contact.opted_out_at = utcnow()
    contact.opt_out_source = source[:64]
    _record(session, contact, OPT_OUT, source, channel, message_id)
    return True


def record_opt_in(
    session: Session, contact: Contact, source: str, channel: str | None, message_id=None
) -> bool:
    if not contact.opted_out:
        return False
    contact.opted_out = False
    contact.opted_in_at = utcnow()
    _record(session, contact, OPT_IN, source, channel, message_id)
    return True


def _record(session, contact, kind, source, channel, message_id) -> None:
    session.add(
        ConsentEvent(
            contact=contact, kind=kind, source=source[:64], channel=channel, message_id=message_id
        )
    )


def answer_keyword(
    session: Session, contact: Contact, keyword: Keyword, channel: str, message_id: int
) -> str | None:
    """Applies the keyword; returns the key of the text to answer with (bot.texts), or None when
    nothing may be sent (a repeated STOP: the number already had its one confirmation)."""
    if keyword.kind == OPT_OUT:
        done = record_opt_out(session, contact, keyword.word, channel, message_id)
        return "opted_out" if done else None
    if keyword.kind == OPT_IN:
        record_opt_in(session, contact, keyword.word, channel, message_id)
        return "opted_in"
    # HELP is always answered, even to an opted-out number: carriers (CTIA) require it, it is
    # the family asking, and it is not an opt-in.
    return "help_opted_out" if contact.opted_out else "help"
