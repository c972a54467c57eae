"""Finding the contact behind a message, and the language to answer them in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .language import guess_language
from .models import Contact


def find_or_create_by_phone(session: Session, phone: str, valid: bool) -> Contact:
    contact = session.execute(select(Contact).filter_by(phone=phone)).scalar_one_or_none()
    if contact is not None:
        return contact
    try:
        # A savepoint: two first messages from one new number may race; the loser reads the winner.
        with session.begin_nested():
            contact = Contact(phone=phone, phone_valid=valid, consent_source="texted in")
            session.add(contact)
        return contact
    except IntegrityError:
        return session.execute(select(Contact).filter_by(phone=phone)).scalar_one()


def choose_language(contact: Contact, text: str, default: str) -> str:
    """An explicit choice wins; else what the text says; else the last language used; else default.

    Remembers the result on the contact, so an ambiguous next text ("ok") keeps it."""
    if contact.language and contact.language_source == Contact.LANGUAGE_EXPLICIT:
        return contact.language
    language = guess_language(text) or contact.language or default
    contact.language = language
    contact.language_source = Contact.LANGUAGE_DETECTED
    return language
