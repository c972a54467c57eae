"""Staff accounts: creating them, checking a password with lockout, and API tokens.

Passwords are hashed with Werkzeug's scrypt; a login that fails MAX_FAILED_LOGINS times in a row
locks the account for LOCKOUT, so a guessed password list cannot be run against it."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .dates import utc
from .models import StaffUser, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
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
    return (email or "").strip().lower()


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
    user.failed_logins = 0
    user.locked_until = None


def authenticate(
    session: Session, email: str, password: str, now: datetime | None = None
) -> LoginResult:
    """Checks a login and records its outcome on the account (failures, lockout, last login)."""
    now = now or utcnow()
    user = find_by_email(session, email)
    if user is None:
        check_password_hash(_NOBODY_HASH, password or "")
        return LoginResult(None, "wrong")
    locked_until = utc(user.locked_until)
    if locked_until and locked_until > now:
        return LoginResult(None, "locked", locked_until)
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCKOUT
            return LoginResult(None, "locked", user.locked_until)
        return LoginResult(None, "wrong")
    if not user.active:
        return LoginResult(None, "inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginResult(user, "ok")


def unlock(user: StaffUser) -> None:
    user.failed_logins = 0
    user.locked_until = None


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
