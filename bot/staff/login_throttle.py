"""Failed console logins, counted per email typed and per client address, and the locks they earn.

Each attempt is counted before its password is checked, by one UPDATE that adds one inside the
database, and committed at once. Parallel attempts therefore each see their own count (a row lock
on PostgreSQL, the write lock on SQLite): no more than LIMITS passwords are ever checked in a
lockout window, however many arrive together. The account key is the email as typed, whether or
not an account has it, so an unknown email locks exactly as a real one does and the answers tell
an attacker nothing about which emails exist. The address key stops one client from trying a
password on many emails."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.models import LoginThrottle, utcnow

ACCOUNT = LoginThrottle.ACCOUNT
ADDRESS = LoginThrottle.ADDRESS
# Wrong passwords before a lock: five for one email, more for one address, where a whole office
# behind one router may be typing.
LIMITS = {ACCOUNT: 5, ADDRESS: 20}
LOCKOUT = timedelta(minutes=15)

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def _key(kind: str, subject: str):
    subject = subject.replace("\x00", "")[:254]
    return (LoginThrottle.kind == kind) & (LoginThrottle.subject == subject)


def count_attempt(session: Session, kind: str, subject: str, now: datetime | None = None) -> int:
    """Counts one attempt for (kind, subject) and commits it; returns the attempts counted in the
    current window, this one included (a lock that has ended starts a new window)."""
    now = now or utcnow()
    subject = subject.replace("\x00", "")[:254]
    insert = _INSERTS[session.get_bind().dialect.name]
    session.execute(
        insert(LoginThrottle)
        .values(kind=kind, subject=subject, failures=0, last_attempt_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "subject"])
    )
    # Old values on the right-hand side: a lock that ended, or a quiet LOCKOUT since the last
    # attempt, starts the count again.
    window_over = or_(
        LoginThrottle.locked_until <= now, LoginThrottle.last_attempt_at < now - LOCKOUT
    )
    session.execute(
        update(LoginThrottle)
        .where(_key(kind, subject))
        .values(
            failures=case((window_over, 1), else_=LoginThrottle.failures + 1),
            locked_until=case(
                (LoginThrottle.locked_until <= now, None), else_=LoginThrottle.locked_until
            ),
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    count = session.execute(select(LoginThrottle.failures).where(_key(kind, subject))).scalar_one()
    session.commit()
    return count


def lock(session: Session, kind: str, subject: str, now: datetime | None = None) -> datetime:
    until = (now or utcnow()) + LOCKOUT
    session.execute(
        update(LoginThrottle)
        .where(_key(kind, subject))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return until


def locked_until(
    session: Session, kind: str, subject: str, now: datetime | None = None
) -> datetime | None:
    """When the lock on (kind, subject) ends, or None when there is none."""
    until = session.execute(
        select(LoginThrottle.locked_until).where(_key(kind, subject))
    ).scalar_one_or_none()
    return until if until and until > (now or utcnow()) else None


def forget(session: Session, kind: str, subject: str) -> bool:
    """Clears the count and lock of (kind, subject): a right password, or an admin's unlock."""
    result = session.execute(
        delete(LoginThrottle)
        .where(_key(kind, subject))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def forgive_one(session: Session, kind: str, subject: str) -> None:
    """Takes back one counted attempt: a login that turned out right was no guess."""
    session.execute(
        update(LoginThrottle)
        .where(_key(kind, subject) & (LoginThrottle.failures > 0))
        .values(failures=LoginThrottle.failures - 1)
        .execution_options(synchronize_session=False)
    )


def forget_stale(session: Session, now: datetime | None = None) -> int:
    """Drops counts whose window and lock have both ended: the table would otherwise keep every
    email ever typed (a password typed in the email box among them) and every address."""
    now = now or utcnow()
    result = session.execute(
        delete(LoginThrottle)
        .where(
            LoginThrottle.last_attempt_at < now - LOCKOUT,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def current_locks(session: Session, now: datetime | None = None) -> list[LoginThrottle]:
    """Every lock in force, newest attempt first, for the admins' Staff page."""
    now = now or utcnow()
    rows = session.execute(
        select(LoginThrottle)
        .where(LoginThrottle.locked_until.is_not(None))
        .order_by(LoginThrottle.last_attempt_at.desc())
    ).scalars()
    return [row for row in rows if row.locked_until > now]
