"""Who is in an audience (bot/broadcasting/audience.py): the families it reaches, in the language
each will be texted in, and who it leaves out and why (opted out, no valid number, not found),
all selected and counted in SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, literal, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from bot.broadcasting.audience import (
    LANGUAGE,
    LIST,
    LIST_CHUNK,
    NEIGHBORHOOD,
    SCHOOL,
    SESSION,
    Audience,
    AudienceError,
    RejectedLine,
    chunks,
    contacts_with_phone,
)
from bot.models import Contact, Neighborhood, Registration, School
from bot.text.languages import LANGUAGES


def effective_language(default_language: str) -> ColumnElement:
    """A contact's language, or the line's default when none is known."""
    return case(
        (Contact.language.in_(LANGUAGES), Contact.language),
        else_=literal(default_language),
    )


def _members(
    session: Session, audience: Audience, default_language: str, phones: Sequence[str] | None
) -> list[ColumnElement]:
    """Conditions on Contact for everyone the audience names who has a phone (texted or not).
    Web chat visitors have no phone and are never part of one."""
    conditions: list[ColumnElement] = [Contact.phone.isnot(None)]
    if audience.kind == SCHOOL:
        school_id = session.scalar(select(School.id).where(School.slug == audience.school))
        if school_id is None:
            raise AudienceError(f"There is no school {audience.school!r}.")
        conditions.append(Contact.school_id == school_id)
    elif audience.kind == NEIGHBORHOOD:
        neighborhood_id = session.scalar(
            select(Neighborhood.id).where(Neighborhood.slug == audience.neighborhood)
        )
        if neighborhood_id is None:
            raise AudienceError(f"There is no neighborhood {audience.neighborhood!r}.")
        schools = select(School.id).where(School.neighborhood_id == neighborhood_id)
        conditions.append(Contact.school_id.in_(schools))
    elif audience.kind == LANGUAGE:
        conditions.append(effective_language(default_language) == audience.language)
    elif audience.kind == SESSION:
        statuses = [Registration.STATUS_REGISTERED, Registration.STATUS_ATTENDED]
        if audience.include_waitlist:
            statuses.append(Registration.STATUS_WAITLISTED)
        registrants = select(Registration.contact_id).where(
            Registration.session_id == audience.session_id, Registration.status.in_(statuses)
        )
        conditions.append(Contact.id.in_(registrants))
    elif audience.kind == LIST:
        conditions.append(Contact.phone.in_(list(audience.numbers if phones is None else phones)))
    return conditions


def _textable() -> list[ColumnElement]:
    return [Contact.phone_valid == true(), Contact.opted_out == false()]


def recipients(
    session: Session,
    audience: Audience,
    default_language: str,
    phones: Sequence[str] | None = None,
) -> Select:
    """SELECT contact_id, phone, language (the contact's, or default_language) of every contact in
    the audience who can be texted: a valid phone, not opted out. One row per phone, since a
    contact is one phone however many children the family has at the schools.

    A list audience reaches contacts only: call ensure_list_contacts first. `phones` narrows a
    list to one chunk of its numbers (SQLite takes some 30,000 numbers in one statement)."""
    conditions = _members(session, audience, default_language, phones) + _textable()
    return select(
        Contact.id.label("contact_id"),
        Contact.phone.label("phone"),
        effective_language(default_language).label("language"),
    ).where(and_(*conditions))


def recipients_by_language(
    session: Session, audience: Audience, default_language: str
) -> dict[str, int]:
    """How many recipients read each language (COUNT ... GROUP BY, nothing loaded). A list's
    numbers that are no contact yet are counted too, in the default language: they become
    contacts when the broadcast is sent."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for phones in _phone_chunks(audience):
        rows = recipients(session, audience, default_language, phones).subquery()
        statement = select(rows.c.language, func.count()).group_by(rows.c.language)
        for language, count in session.execute(statement):
            counts[language] += count
    if audience.kind == LIST:
        counts[default_language] += _not_found(session, audience)
    return counts


def _phone_chunks(audience: Audience) -> Iterator[Sequence[str] | None]:
    if audience.kind == LIST:
        yield from chunks(audience.numbers, LIST_CHUNK)
    else:
        yield None


def _not_found(session: Session, audience: Audience) -> int:
    parts = chunks(audience.numbers, LIST_CHUNK)
    found = sum(contacts_with_phone(session, part) for part in parts)
    return len(audience.numbers) - found


@dataclass(frozen=True)
class Exclusions:
    """Who the audience names but will not get the text, and why. not_found counts a list's
    numbers that are no contact yet: they are texted (and become contacts), so it is not part of
    `total`."""

    opted_out: int = 0
    invalid: int = 0
    duplicates: int = 0
    not_found: int = 0
    rejected: tuple[RejectedLine, ...] = ()

    @property
    def total(self) -> int:
        return self.opted_out + self.invalid + self.duplicates


def exclusions(session: Session, audience: Audience, default_language: str) -> Exclusions:
    """Counts, in SQL, the audience's contacts that cannot be texted: opted out, or a number
    Twilio or our parser found invalid (an opted-out invalid number counts as opted out).
    default_language matters for a language audience only."""
    opted_out = invalid = 0
    for phones in _phone_chunks(audience):
        conditions = _members(session, audience, default_language, phones)
        statement = select(
            func.coalesce(func.sum(case((Contact.opted_out == true(), 1), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (and_(Contact.opted_out == false(), Contact.phone_valid == false()), 1),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(and_(*conditions))
        part_opted_out, part_invalid = session.execute(statement).one()
        opted_out += part_opted_out
        invalid += part_invalid
    if audience.kind != LIST:
        return Exclusions(opted_out=opted_out, invalid=invalid)
    return Exclusions(
        opted_out=opted_out,
        invalid=invalid + len(audience.rejected),
        duplicates=audience.duplicates,
        not_found=_not_found(session, audience),
        rejected=audience.rejected,
    )
