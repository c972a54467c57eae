"""The audit log for admins: who looked at, replied to, exported or changed what, newest first,
filtered by account, action and Los Angeles day, a page at a time.

Pages follow the entries' ids (keyset: "older than entry N"), not an offset, so a page stays
quick however long the log grows and does not shift while new entries arrive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from bot.models import AuditLog, StaffUser
from bot.text.dates import LOCAL_TZ
from bot.text.staff_time import staff_time
from bot.text.whole_numbers import whole_number
from webhooks.services import services

from .auth import require_admin
from .query_args import number_arg

bp = Blueprint("audit", __name__, url_prefix="/console/audit")
require_admin(bp)

PAGE_SIZE = 50
# The staff filter's value for entries made without an account (the command line, the system).
NO_ACCOUNT = "none"


@dataclass(frozen=True)
class AuditFilter:
    staff: str = ""  # an account id, NO_ACCOUNT, or "" for everyone
    action: str = ""  # the start of the action's name: "staff_user." or "conversation"
    date_from: date | None = None
    date_to: date | None = None

    def conditions(self) -> list:
        found = []
        if self.staff == NO_ACCOUNT:
            found.append(AuditLog.staff_user_id.is_(None))
        elif whole_number(self.staff) is not None:
            found.append(AuditLog.staff_user_id == int(self.staff))
        if self.action:
            found.append(AuditLog.action.startswith(self.action, autoescape=True))
        if self.date_from:
            found.append(AuditLog.created_at >= _local_midnight(self.date_from))
        if self.date_to:
            found.append(AuditLog.created_at < _local_midnight(self.date_to + timedelta(days=1)))
        return found

    def args(self) -> dict:
        """The filter as query parameters, for the pager's links."""
        values = {
            "staff": self.staff,
            "action": self.action,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in values.items() if value}


@dataclass
class AuditPage:
    entries: list[AuditLog]
    older_than: int | None  # the `before` of the next page back, when there is one
    newer_than: int | None  # the `after` of the page before this one, when there is one


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def _exists(db: Session, conditions: list) -> bool:
    return db.execute(select(AuditLog.id).where(*conditions).limit(1)).first() is not None


def audit_page(
    db: Session,
    audit_filter: AuditFilter,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of entries, newest first: the newest ones, or those just older than `before`,
    or just newer than `after` (going back towards the newest)."""
    conditions = audit_filter.conditions()
    query = select(AuditLog).where(*conditions)
    if after is not None:
        query = query.where(AuditLog.id > after).order_by(AuditLog.id).limit(size)
        entries = list(reversed(db.execute(query).scalars().all()))
    else:
        if before is not None:
            query = query.where(AuditLog.id < before)
        entries = list(db.execute(query.order_by(AuditLog.id.desc()).limit(size)).scalars())
    if not entries:
        return AuditPage([], None, None)
    newest, oldest = entries[0].id, entries[-1].id
    return AuditPage(
        entries,
        older_than=oldest if _exists(db, [*conditions, AuditLog.id < oldest]) else None,
        newer_than=newest if _exists(db, [*conditions, AuditLog.id > newest]) else None,
    )


def known_actions(db: Session, recent: int = 5000) -> list[str]:
    """The actions of the latest entries, to suggest in the filter (the whole log could be long
    to scan for this)."""
    latest = select(AuditLog.action).order_by(AuditLog.id.desc()).limit(recent).subquery()
    query = select(latest.c.action).distinct().order_by(latest.c.action)
    return list(db.execute(query).scalars())


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _target_url(entry: AuditLog) -> str | None:
    """Where the entry's target can be seen, when there is a page for it."""
    conversation_id = None
    if entry.target_type == "conversation":
        conversation_id = whole_number(entry.target_id)
    elif isinstance(entry.detail, dict):
        conversation_id = whole_number(str(entry.detail.get("conversation_id", "")))
    try:
        if conversation_id is not None:
            return url_for("thread.show", conversation_id=conversation_id)
        if entry.target_type == "staff_user" and whole_number(entry.target_id) is not None:
            return url_for("staff_users.show", user_id=int(entry.target_id))
    except BuildError:
        return None
    return None


def _detail(entry: AuditLog) -> list[tuple[str, str]]:
    detail = entry.detail if isinstance(entry.detail, dict) else {"detail": entry.detail}
    return [
        (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in detail.items()
    ]


@bp.route("/")
def index():
    audit_filter = AuditFilter(
        staff=request.args.get("staff", "").strip(),
        action=request.args.get("action", "").strip().lower(),
        date_from=_day(request.args.get("date_from")),
        date_to=_day(request.args.get("date_to")),
    )
    with services().sessions() as db:
        page = audit_page(
            db,
            audit_filter,
            before=number_arg("before"),
            after=number_arg("after"),
        )
        accounts = list(
            db.execute(select(StaffUser).order_by(func.lower(StaffUser.email))).scalars()
        )
        actions = known_actions(db)
    return render_template(
        "console/audit.html",
        page=page,
        audit_filter=audit_filter,
        filter_args=audit_filter.args(),
        accounts=accounts,
        staff_by_id={account.id: account for account in accounts},
        # "staff_user." finds every staff_user.* action; the full names pick one.
        suggestions=sorted({a.split(".")[0] + "." for a in actions if "." in a} | set(actions)),
        no_account=NO_ACCOUNT,
        target_url=_target_url,
        detail=_detail,
        when=staff_time,
    )
