"""Parent College at the door: how full each session is, who is coming, checking families in
(and undoing a mistaken tap), and the printable sign-in sheet. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from bot.directory.catalog_csv import write_csv
from bot.models import AuditLog, ParentCollegeSession, Registration, utcnow
from bot.text.dates import LOCAL_TZ, local
from bot.text.folding import fold_words
from bot.text.phone import for_display
from bot.text.staff_time import staff_clock

CHECK_IN_ACTION = "registrations.check_in"
STATUS_LABELS = {
    Registration.STATUS_REGISTERED: "Registered",
    Registration.STATUS_WAITLISTED: "Waitlisted",
    Registration.STATUS_CANCELLED: "Cancelled",
    Registration.STATUS_ATTENDED: "Checked in",
}


@dataclass(frozen=True)
class SessionSummary:
    pc_session: ParentCollegeSession
    adults: int  # adults holding a seat, checked in or not
    families: int
    waitlisted: int  # families waiting
    childcare_children: int
    checked_in: int  # families

    @property
    def seats_left(self) -> int:
        return max(self.pc_session.capacity - self.adults, 0)


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight in Los Angeles, in UTC: a session stays 'upcoming' all of its day, so the door
    list is still there while late families arrive."""
    today = local(now or utcnow()).date()
    return datetime.combine(today, time(0), tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def _sessions(session: Session, upcoming: bool, now: datetime | None, limit: int):
    since = start_of_today(now)
    query = select(ParentCollegeSession).options(
        joinedload(ParentCollegeSession.school), joinedload(ParentCollegeSession.neighborhood)
    )
    if upcoming:
        query = query.where(ParentCollegeSession.starts_at >= since).order_by(
            ParentCollegeSession.starts_at, ParentCollegeSession.id
        )
    else:
        query = query.where(ParentCollegeSession.starts_at < since).order_by(
            ParentCollegeSession.starts_at.desc(), ParentCollegeSession.id.desc()
        )
    return list(session.scalars(query.limit(limit)))


def summaries(
    session: Session, upcoming: bool = True, now: datetime | None = None, limit: int = 200
) -> list[SessionSummary]:
    """Sessions from today on (soonest first), or past ones (latest first), with their counts."""
    found = _sessions(session, upcoming, now, limit)
    counts = _counts(session, [pc.id for pc in found])
    return [SessionSummary(pc, *counts.get(pc.id, (0, 0, 0, 0, 0))) for pc in found]


def summary(session: Session, pc_session: ParentCollegeSession) -> SessionSummary:
    return SessionSummary(
        pc_session, *_counts(session, [pc_session.id]).get(pc_session.id, (0,) * 5)
    )


def _counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int, int, int, int]]:
    if not ids:
        return {}
    seated = Registration.status.in_(Registration.HOLDING_A_SEAT)
    query = (
        select(
            Registration.session_id,
            func.sum(case((seated, Registration.adults), else_=0)),
            func.sum(case((seated, 1), else_=0)),
            func.sum(case((Registration.status == Registration.STATUS_WAITLISTED, 1), else_=0)),
            func.sum(
                case((seated & Registration.childcare.is_(True), Registration.children), else_=0)
            ),
            func.sum(case((Registration.status == Registration.STATUS_ATTENDED, 1), else_=0)),
        )
        .where(Registration.session_id.in_(ids))
        .group_by(Registration.session_id)
    )
    return {
        row[0]: tuple(int(value or 0) for value in row[1:]) for row in session.execute(query).all()
    }


# ---- the families ------------------------------------------------------------------------


def family_name(registration: Registration) -> str:
    return registration.name or (registration.contact.name if registration.contact else "") or ""


def family_phone(registration: Registration) -> str:
    contact = registration.contact
    if contact is None or not contact.phone:
        return "web chat" if contact is not None and contact.web_chat_id else ""
    if not contact.phone_valid:
        return contact.phone
    try:
        return for_display(contact.phone)
    except Exception:  # a number phonenumbers cannot parse is still shown as it was stored
        return contact.phone


def _sort_name(registration: Registration) -> tuple[str, int]:
    return (fold_words(family_name(registration)) or "~", registration.id)


def matches(registration: Registration, query: str) -> bool:
    """A name (any part, accents and case ignored) or some digits of the phone number."""
    wanted = fold_words(query)
    if not wanted:
        return True
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) // 2:
        phone_digits = "".join(ch for ch in (registration.contact.phone or "") if ch.isdigit())
        if digits in phone_digits:
            return True
    return wanted in fold_words(family_name(registration))


@dataclass
class Roster:
    coming: list[Registration]  # registered and checked in, by name
    waitlist: list[Registration]  # in the order they will get a seat
    cancelled: list[Registration]


def roster(session: Session, pc_session: ParentCollegeSession, query: str = "") -> Roster:
    registrations = session.scalars(
        select(Registration)
        .options(joinedload(Registration.contact))
        .where(Registration.session_id == pc_session.id)
        .order_by(Registration.id)
    ).all()
    found = [r for r in registrations if matches(r, query)]
    seated = (r for r in found if r.status in Registration.HOLDING_A_SEAT)
    return Roster(
        coming=sorted(seated, key=_sort_name),
        waitlist=[r for r in found if r.status == Registration.STATUS_WAITLISTED],
        cancelled=sorted(
            (r for r in found if r.status == Registration.STATUS_CANCELLED), key=_sort_name
        ),
    )


def find_registration(
    session: Session, pc_session: ParentCollegeSession, registration_id: int
) -> Registration | None:
    registration = session.get(Registration, registration_id)
    if registration is None or registration.session_id != pc_session.id:
        return None
    return registration


def check_in(session: Session, registration: Registration) -> str | None:
    """Marks the family as arrived. Returns the status it had (to put back on undo), or None when
    it was already checked in. A waitlisted or cancelled family that came anyway can be let in."""
    if registration.status == Registration.STATUS_ATTENDED:
        return None
    previous = registration.status
    registration.status = Registration.STATUS_ATTENDED
    registration.checked_in_at = utcnow()
    session.flush()
    return previous


def _status_before_check_in(session: Session, registration: Registration) -> str:
    # The status before check-in lives only in the audit entry the check-in wrote.
    entries = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.action == CHECK_IN_ACTION,
            AuditLog.target_type == "registration",
            AuditLog.target_id == str(registration.id),
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).all()
    previous = (entries[0].detail or {}).get("previous_status") if entries else None
    if previous in (Registration.STATUS_WAITLISTED, Registration.STATUS_CANCELLED):
        return previous
    return Registration.STATUS_REGISTERED


def undo_check_in(session: Session, registration: Registration) -> str | None:
    """Puts back the status the family had before check-in; None when it was not checked in."""
    if registration.status != Registration.STATUS_ATTENDED:
        return None
    registration.status = _status_before_check_in(session, registration)
    registration.checked_in_at = None
    session.flush()
    return registration.status


# ---- the printed sheet -------------------------------------------------------------------

SHEET_COLUMNS = ["Name", "Phone", "Adults", "Children in childcare", "Status", "Checked in",
                 "Signature"]  # fmt: skip


def _checked_in_time(registration: Registration) -> str:
    if registration.checked_in_at is None:
        return ""
    return staff_clock(registration.checked_in_at)


def sign_in_rows(session: Session, pc_session: ParentCollegeSession) -> list[Registration]:
    """Everyone who may come through the door (not the cancelled), by name."""
    listed = roster(session, pc_session)
    return sorted(listed.coming + listed.waitlist, key=_sort_name)


def sign_in_csv(session: Session, pc_session: ParentCollegeSession) -> bytes:
    rows = [
        [
            family_name(r),
            family_phone(r),
            r.adults,
            r.children if r.childcare else 0,
            STATUS_LABELS.get(r.status, r.status),
            _checked_in_time(r),
            "",
        ]
        for r in sign_in_rows(session, pc_session)
    ]
    return write_csv(SHEET_COLUMNS, rows)


def sheet_filename(pc_session: ParentCollegeSession) -> str:
    return f"sign-in-{pc_session.slug}.csv"


def is_past(pc_session: ParentCollegeSession, now: datetime | None = None) -> bool:
    return pc_session.starts_at < start_of_today(now)
