"""The audit log: who looked at, replied to, exported or changed what, and when.

Every console and API action that touches a family's data or the bot's data calls `record` in
the same transaction as the change, so the log and the change are committed together.

Who acted: a staff account (the console, the API), or none: then `via` says what did it
("cli" for a `bot` command, with the operator's login name; "worker" for the background jobs)."""

from __future__ import annotations

import getpass

from sqlalchemy.orm import Session

from bot.models import AuditLog, StaffUser


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


def command_line_operator() -> str:
    """Who ran a `bot` command: the login name of its shell (the command line has no account)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in a bare container
        return "unknown"


def record_cli(
    session: Session,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    **detail,
) -> AuditLog:
    """An entry for a `bot` command, naming the operator who ran it."""
    return record(
        session,
        None,
        action,
        target_type,
        target_id,
        via="cli",
        operator=command_line_operator(),
        **detail,
    )
