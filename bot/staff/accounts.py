"""Staff accounts: creating them, checking a password with lockout, and API tokens.

Passwords are hashed with Werkzeug's scrypt. Wrong passwords are counted per email typed and per
client address before any password is checked (bot/staff/login_throttle.py): MAX_FAILED_LOGINS for
one email locks it for LOCKOUT, so a guessed password list cannot be run against an account, in
parallel either, and an unknown email answers exactly as a real one does."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.models import StaffUser, utcnow
from bot.staff.login_throttle import (
    ACCOUNT,
    ADDRESS,
    LIMITS,
    count_attempt,
    forget,
    forgive_one,
    lock,
    locked_until,
)

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = LIMITS[ACCOUNT]
ROLES = (StaffUser.ROLE_ADMIN, StaffUser.ROLE_STAFF)
# Enough to catch a typo; whether the mailbox exists is not ours to check.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password
# and the time taken does not tell which accounts exist.
_NOBODY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Why an account could not be made or changed, in words for the person who tried."""


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    # "ok", "wrong" (email or password), "locked" or "inactive"
    outcome: str
    locked_until: datetime | None = None


def normalize_email(email: str) -> str:
    # NUL is dropped: PostgreSQL refuses it in any string, and no email has one.
    return (email or "").replace("\x00", "").strip().lower()


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")


def find_by_email(session: Session, email: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(func.lower(StaffUser.email) == normalize_email(email))
    ).scalar_one_or_none()


def create_user(
    session: Session, email: str, password: str, role: str, name: str | None = None
) -> StaffUser:
    email = normalize_email(email)
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}, not {role!r}.")
    check_new_password(password)
    if find_by_email(session, email):
        raise AccountError(f"There is already an account for {email}.")
    user = StaffUser(
        email=email,
        name=(name or "").strip() or None,
        role=role,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: StaffUser, password: str) -> None:
    check_new_password(password)
    user.password_hash = generate_password_hash(password)
    # A new password is what staff do when an account may be in other hands: every login and
    # the API token (which a stolen login could have made) stop working with the old one.
    end_sessions(user)
    user.api_token_hash = None


def end_sessions(user: StaffUser) -> None:
    """Every console login of `user` made before this stops working at its next request."""
    user.session_version = (user.session_version or 0) + 1


def authenticate(
    session: Session,
    email: str,
    password: str,
    now: datetime | None = None,
    address: str | None = None,
) -> LoginResult:
    """Checks a login from `address` (the client's IP, when known). The attempt is counted and
    committed before the password is checked; a lock it earns is left for the caller's commit."""
    now = now or utcnow()
    keys = [(ACCOUNT, normalize_email(email))] + ([(ADDRESS, address)] if address else [])
    counts = {kind: count_attempt(session, kind, subject, now) for kind, subject in keys}
    for kind, subject in keys:
        until = locked_until(session, kind, subject, now)
        if until is not None:
            return LoginResult(None, "locked", until)
        if counts[kind] > LIMITS[kind]:  # past the limit in parallel with the one that locks
            return LoginResult(None, "locked", lock(session, kind, subject, now))
    user = find_by_email(session, email)
    # An unknown email costs one hash check too, so the time taken tells nothing either.
    right = check_password_hash(user.password_hash if user else _NOBODY_HASH, password or "")
    if user is None or not right:
        for kind, subject in keys:
            if counts[kind] >= LIMITS[kind]:
                return LoginResult(None, "locked", lock(session, kind, subject, now))
        return LoginResult(None, "wrong")
    if not user.active:
        return LoginResult(None, "inactive")
    forget(session, ACCOUNT, normalize_email(email))
    if address:
        forgive_one(session, ADDRESS, address)  # a right password is not a guess
    user.last_login_at = now
    return LoginResult(user, "ok")


def confirm_password(
    session: Session, user: StaffUser, password: str, address: str | None = None
) -> LoginResult:
    """A logged-in user's password asked again (to change it, to make an API token): counted
    and locked like a login, so a stolen session cannot guess it."""
    return authenticate(session, user.email, password, address=address)


def unlock(session: Session, email: str) -> bool:
    """Lifts the lock on an email (and its count); True when there was one."""
    return forget(session, ACCOUNT, normalize_email(email))


def is_locked(session: Session, email: str) -> datetime | None:
    return locked_until(session, ACCOUNT, normalize_email(email))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(user: StaffUser) -> str:
    """A new API token for the user (the old one stops working). Returned once, never stored."""
    token = "flt_" + secrets.token_urlsafe(32)
    user.api_token_hash = _token_digest(token)
    return token


def revoke_api_token(user: StaffUser) -> None:
    user.api_token_hash = None


def user_for_token(session: Session, token: str) -> StaffUser | None:
    if not token:
        return None
    user = session.execute(
        select(StaffUser).filter_by(api_token_hash=_token_digest(token))
    ).scalar_one_or_none()
    return user if user is not None and user.active else None
