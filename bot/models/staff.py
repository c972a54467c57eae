"""People at the Partnership who use the console, and the record of what they did."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.models.base import Base, UtcDateTime, created_at


class StaffUser(Base):
    __tablename__ = "staff_user"
    ROLE_ADMIN = "admin"
    ROLE_STAFF = "staff"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(200))
    role = Column(String(16), nullable=False, default=ROLE_STAFF)
    password_hash = Column(String(255), nullable=False)
    # SHA-256 of the API token: tokens are long and random, so a fast hash is enough and lets the
    # API find the user by it. The token itself is shown once, when made.
    api_token_hash = Column(String(64), unique=True)
    active = Column(Boolean, nullable=False, default=True)
    # Every console login carries the version it was made under; raising it (logout, a new
    # password, switching the account off) ends all of them at once (console/auth.py).
    session_version = Column(Integer, nullable=False, default=0, server_default="0")
    created_at = created_at()
    last_login_at = Column(UtcDateTime())

    @property
    def is_admin(self) -> bool:
        return self.role == self.ROLE_ADMIN


class LoginThrottle(Base):
    """Failed logins of one email typed (kind "account", whether or not it has an account) or
    one client address (kind "address"), and the lock they earned (bot/staff/login_throttle.py)."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "subject"),)
    ACCOUNT = "account"
    ADDRESS = "address"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    subject = Column(String(254), nullable=False)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(UtcDateTime())
    last_attempt_at = Column(UtcDateTime(), nullable=False)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True, index=True)
    action = Column(String(64), nullable=False)
    target_type = Column(String(64))
    target_id = Column(String(64))
    detail = Column(JSON, nullable=False, default=dict)
    created_at = created_at(index=True)

    staff_user = relationship("StaffUser")
