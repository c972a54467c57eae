"""The audit log: who looked at, replied to, exported or changed what, and when.

Every console and API action that touches a family's data or the bot's data calls `record` in
the same transaction as the change, so the log and the change are committed together."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditLog, StaffUser


def record(
    session: Session,
    user: StaffUser | None,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    **detail,
) -> AuditLog:
    entry = AuditLog(
        staff_user_id=user.id if user is not None else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
    )
    session.add(entry)
    return entry
