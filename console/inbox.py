"""The conversations inbox: every family's conversation, newest first, with filters and search.

The form is a GET, so a filtered list is a link staff can bookmark or send to a colleague. Only
searches go to the audit log here: opening a conversation is recorded by the thread page."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, render_template, request, url_for

from bot.conversations.inbox import BadCursor, inbox_page, intents_seen, schools_for_filter
from bot.conversations.inbox_filters import InboxFilters
from bot.families.handoff import reason_label
from bot.models import Message, utcnow
from bot.staff import audit
from bot.text.languages import NAMES
from bot.text.staff_time import staff_time, staff_time_short
from webhooks.services import services

from .auth import require_staff

bp = Blueprint("inbox", __name__, url_prefix="/console/conversations")
require_staff(bp)

PAGE_SIZE = 50
FOLDED = (
    "language",
    "intent",
    "max_confidence",
    "school_id",
    "date_from",
    "date_to",
    "waiting",
    "fallbacks",
)
SENDER_PREFIX = {Message.SENDER_BOT: "Bot: ", Message.SENDER_STAFF: "Staff: "}


@bp.route("/")
def index():
    filters = InboxFilters.from_args(request.args)
    errors = list(filters.errors)
    before = request.args.get("before") or None
    with services().sessions() as db:
        try:
            page = inbox_page(db, filters, limit=PAGE_SIZE, before=before)
        except BadCursor as error:
            errors.append(f"{error} Showing the newest conversations instead.")
            before = None
            page = inbox_page(db, filters, limit=PAGE_SIZE)
        if filters.q:
            audit.record(db, g.staff, "conversations.search", q=filters.q)
        db.commit()
        schools = schools_for_filter(db)
    return render_template(
        "console/inbox.html",
        title="Conversations",
        page=page,
        filters=filters,
        errors=errors,
        form=request.args,
        paging=before is not None,
        # Folded away unless in use, so on a phone the list starts near the top of the screen.
        filters_open=any(value.strip() for key, value in request.args.items() if key in FOLDED),
        older_url=_older_url(filters, page.older),
        newest_url=url_for("inbox.index", **filters.as_args()),
        languages=NAMES,
        intents=intents_seen(),
        schools=schools,
        reason_label=reason_label,
        sender_prefix=SENDER_PREFIX,
        when=_when,
        when_full=_when_full,
    )


def _older_url(filters: InboxFilters, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return url_for("inbox.index", **filters.as_args(), before=cursor)


def _when(moment: datetime) -> str:
    return staff_time_short(moment, utcnow())


def _when_full(moment: datetime) -> str:
    return f"{staff_time(moment)} (Los Angeles time)"
