"""Parent College registrations: which sessions a family can still sign up for, signing up (or
onto the waitlist), cancelling and checking. Every function takes a session; none commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Contact, ParentCollegeSession, Registration, utcnow

# Registrations that hold (or wait for) a seat.
ACTIVE = (Registration.STATUS_REGISTERED, Registration.STATUS_WAITLISTED)


def seats_taken(session: Session, pc_session: ParentCollegeSession) -> int:
    """Adults holding a seat: capacity counts the people in the room, not the sign-ups."""
    taken = session.execute(
        select(func.coalesce(func.sum(Registration.adults), 0)).where(
            Registration.session_id == pc_session.id,
            # A family checked in at the door still sits in its seats.
            Registration.status.in_(Registration.HOLDING_A_SEAT),
        )
    ).scalar_one()
    return int(taken)


def seats_left(session: Session, pc_session: ParentCollegeSession) -> int:
    return max(pc_session.capacity - seats_taken(session, pc_session), 0)


def upcoming_sessions(
    session: Session, now: datetime | None = None, limit: int = 4
) -> list[ParentCollegeSession]:
    """The next sessions, soonest first; full ones included (a family may join the waitlist)."""
    now = now or utcnow()
    return list(
        session.execute(
            select(ParentCollegeSession)
            .filter(ParentCollegeSession.archived.is_(False))
            .filter(ParentCollegeSession.starts_at >= now)
            .order_by(ParentCollegeSession.starts_at)
            .limit(limit)
        ).scalars()
    )


def find_session(session: Session, slug: str | None) -> ParentCollegeSession | None:
    """A session a family can still sign up for: one staff archived after the bot offered it
    is gone (the family is told there is no session to sign up for)."""
    if not slug:
        return None
    return session.execute(
        select(ParentCollegeSession).filter_by(slug=slug, archived=False)
    ).scalar_one_or_none()


def find_contact(session: Session, public_id: str) -> Contact | None:
    """Rasa knows a family only by its random public id."""
    return session.execute(select(Contact).filter_by(public_id=public_id)).scalar_one_or_none()


def active_registrations(
    session: Session, contact: Contact, now: datetime | None = None
) -> list[Registration]:
    """The family's sign-ups for sessions still to come, soonest first."""
    now = now or utcnow()
    return list(
        session.execute(
            select(Registration)
            .join(ParentCollegeSession)
            .filter(Registration.contact_id == contact.id)
            .filter(Registration.status.in_(ACTIVE))
            .filter(ParentCollegeSession.starts_at >= now)
            .order_by(ParentCollegeSession.starts_at)
        ).scalars()
    )


def waitlist_position(session: Session, registration: Registration) -> int:
    """1 for the first family waiting for that session."""
    ahead = session.execute(
        select(func.count(Registration.id)).where(
            Registration.session_id == registration.session_id,
            Registration.status == Registration.STATUS_WAITLISTED,
            Registration.id < registration.id,
        )
    ).scalar_one()
    return int(ahead) + 1


@dataclass
class SignUp:
    registration: Registration
    already: bool = False  # the family was already signed up for that session

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == Registration.STATUS_WAITLISTED


def sign_up(
    session: Session,
    contact: Contact,
    pc_session: ParentCollegeSession,
    name: str,
    adults: int,
    children: int,
) -> SignUp:
    """Registers the family, or puts it on the waitlist when its adults no longer fit.

    A family already holding a place for that session keeps it (told so, nothing duplicated); a
    cancelled one signs up again on the same row (one row per family and session)."""
    existing = session.execute(
        select(Registration).filter_by(contact_id=contact.id, session_id=pc_session.id)
    ).scalar_one_or_none()
    if existing is not None and existing.status in ACTIVE:
        return SignUp(existing, already=True)
    if existing is not None:
        # A cancelled sign-up: replaced, so the family rejoins a waitlist at its end.
        session.delete(existing)
        session.flush()
    # Lock the session row where the database can, so two families cannot take the last seat.
    session.execute(
        select(ParentCollegeSession.id).filter_by(id=pc_session.id).with_for_update()
    ).all()
    fits = seats_left(session, pc_session) >= adults
    registration = Registration(
        contact=contact,
        session=pc_session,
        name=name,
        adults=adults,
        childcare=children > 0,
        children=children,
        status=Registration.STATUS_REGISTERED if fits else Registration.STATUS_WAITLISTED,
    )
    session.add(registration)
    contact.name = name
    session.flush()
    return SignUp(registration)


def cancel(session: Session, registration: Registration) -> Registration | None:
    """Cancels a sign-up. Returns the waitlisted registration that got the freed seats, if any."""
    held_a_seat = registration.status == Registration.STATUS_REGISTERED
    registration.status = Registration.STATUS_CANCELLED
    registration.cancelled_at = utcnow()
    session.flush()
    if not held_a_seat:
        return None
    return _promote_from_waitlist(session, registration.session)


def _promote_from_waitlist(
    session: Session, pc_session: ParentCollegeSession
) -> Registration | None:
    waiting = session.execute(
        select(Registration)
        .filter_by(session_id=pc_session.id, status=Registration.STATUS_WAITLISTED)
        .order_by(Registration.id)
        .limit(1)
    ).scalar_one_or_none()
    if waiting is None or seats_left(session, pc_session) < waiting.adults:
        return None
    waiting.status = Registration.STATUS_REGISTERED
    session.flush()
    return waiting


def starts_at(pc_session: ParentCollegeSession) -> datetime:
    return pc_session.starts_at


def holds_seat(session: Session, session_id: int, contact_id: int | None) -> bool:
    """The family still holds its seat at the session (signed up, or already checked in)."""
    found = session.execute(
        select(Registration.id).where(
            Registration.session_id == session_id,
            Registration.contact_id == contact_id,
            Registration.status.in_(Registration.HOLDING_A_SEAT),
        )
    ).first()
    return found is not None
