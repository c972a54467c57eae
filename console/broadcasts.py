"""Broadcasts for admins: the history, composing one with its preview (who gets it, segments,
cost, warnings) before anything is sent, and following one as it goes out, with pause, resume
and cancel. The same operations as `bot broadcast` on the command line, over the same code
(bot/broadcasting/service.py); creating and every change of state are in the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasting import service, states
from bot.broadcasting.audience import (
    EVERYONE,
    LIST,
    Audience,
    AudienceError,
    parse_numbers,
)
from bot.broadcasting.compose import (
    BUCKET_ORDER,
    MAX_TEXT_CHARS,
    ComposeError,
    clean_texts,
    parse_when,
    preview_for,
    report,
)
from bot.broadcasting.history import (
    ERROR_MEANINGS,
    audience_label,
    authors,
    done_share,
    history,
    progress_figures,
)
from bot.broadcasting.preview import Preview
from bot.broadcasting.service import CHANGES
from bot.models import (
    Broadcast,
    Neighborhood,
    ParentCollegeSession,
    School,
    StaffUser,
    utcnow,
)
from bot.text.languages import NAMES
from bot.text.staff_time import staff_time
from webhooks.services import services

from .auth import require_admin
from .query_args import number_arg

bp = Blueprint("broadcasts", __name__, url_prefix="/console/broadcasts")
require_admin(bp)

HISTORY_PAGE = 50
BUCKET_LABELS = {
    "queued": "Waiting to send",
    "sent": "Sent",
    "delivered": "Delivered",
    "failed": "Failed",
    "opted_out": "Opted out",
    "cancelled": "Cancelled",
}
STATE_BADGES = {
    Broadcast.STATE_DRAFT: "",
    Broadcast.STATE_SCHEDULED: "warn",
    Broadcast.STATE_SENDING: "good",
    Broadcast.STATE_PAUSED: "warn",
    Broadcast.STATE_DONE: "",
    Broadcast.STATE_CANCELLED: "bad",
}
# The width the progress bars are drawn at (SVG user units; the CSS stretches them).
BAR_WIDTH = 1000


QUEUE_LATE = "The send queue did not answer: the worker starts sending within a minute or two."


def quiet_hours_words() -> str:
    """ "21:00–8:00": the line's quiet hours (outside SEND_WINDOW), Los Angeles time."""
    window_start, window_end = services().settings.send_window
    return f"{_hour(window_end)}–{_hour(window_start)}"


def _hour(moment) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


# --- the history ------------------------------------------------------------------------------


def _bar(counts: list[tuple[str, int]], total: int) -> list[tuple[str, int, int]]:
    """(bucket, x, width) of each bucket's part of a bar BAR_WIDTH wide."""
    parts, x = [], 0
    for bucket, count in counts:
        width = round(BAR_WIDTH * count / total) if total else 0
        width = min(width, BAR_WIDTH - x)
        parts.append((bucket, x, width))
        x += width
    return parts


@bp.route("/")
def index():
    before = number_arg("before")
    with services().sessions() as db:
        rows, older = history(db, HISTORY_PAGE, before)
        shares = done_share(db, [b.id for b in rows])
        return render_template(
            "console/broadcast_list.html",
            broadcasts=rows,
            labels={b.id: audience_label(db, b) for b in rows},
            shares=shares,
            authors=authors(db, rows),
            older=rows[-1].id if older and rows else None,
            newer=before is not None,
            state_badges=STATE_BADGES,
            when=staff_time,
            bar_width=BAR_WIDTH,
            title="Broadcasts",
        )


# --- composing --------------------------------------------------------------------------------


@dataclass
class Draft:
    """The compose form as staff filled it in; re-rendered as it was on every preview."""

    title: str = ""
    text_en: str = ""
    text_es: str = ""
    audience: str = EVERYONE
    school: str = ""
    neighborhood: str = ""
    language: str = ""
    session_id: str = ""
    include_waitlist: bool = False
    # Numbers pasted in the box, as typed.
    pasted: str = ""
    # Numbers read from a file at the last preview (a hidden box: a file input cannot be
    # filled again), one E.164 number a line, and the file's name.
    listed: str = ""
    listed_from: str = ""
    when: str = "now"
    at: str = ""
    urgent: bool = False

    @classmethod
    def from_form(cls, form: Mapping) -> Draft:
        text = {name: (form.get(name) or "") for name in TEXT_FIELDS}
        return cls(
            **text,
            include_waitlist=form.get("include_waitlist") == "1",
            urgent=form.get("urgent") == "1",
        )

    @property
    def texts(self) -> dict[str, str]:
        return {"en": self.text_en, "es": self.text_es}


TEXT_FIELDS = (
    "title",
    "text_en",
    "text_es",
    "audience",
    "school",
    "neighborhood",
    "language",
    "session_id",
    "pasted",
    "listed",
    "listed_from",
    "when",
    "at",
)


def _list_audience(draft: Draft, upload) -> tuple[Audience, Draft]:
    """The uploaded or pasted list, read on the server every time (counts are never taken from
    the form). A new file wins, then the box; else the numbers of the last file."""
    if upload is not None and upload.filename:
        number_list = parse_numbers(upload.read())
        numbers = "\n".join(number_list.numbers)
        draft = replace(draft, listed=numbers, listed_from=upload.filename[:100], pasted="")
    elif draft.pasted.strip():
        number_list = parse_numbers(draft.pasted)
        draft = replace(draft, listed="", listed_from="")
    elif draft.listed.strip():
        number_list = parse_numbers(draft.listed)
    else:
        raise AudienceError("Upload a file of phone numbers, or paste them in the box.")
    return Audience.from_list(number_list), draft


def _audience_of(db: Session, draft: Draft, upload) -> tuple[Audience, Draft]:
    if draft.audience == LIST:
        return _list_audience(draft, upload)
    data = {
        "kind": draft.audience,
        "school": draft.school,
        "neighborhood": draft.neighborhood,
        "language": draft.language,
        "session_id": draft.session_id or None,
        "include_waitlist": draft.include_waitlist,
    }
    return Audience.parse(data, session=db), draft


def _scheduled_at(draft: Draft) -> datetime | None:
    if draft.when != "later":
        return None
    if not draft.at.strip():
        raise ComposeError("Choose the day and time to send it, or choose Send now.")
    return parse_when(draft.at)


def _fingerprint(texts: dict, audience: Audience, when: datetime | None, urgent: bool) -> str:
    """What the preview showed, so a send after a change to the form is previewed again first."""
    # Who gets it, not how the list was written: its repeats and bad lines are left out of the
    # numbers kept in the form, so they are not there again when it is sent.
    who = {k: v for k, v in audience.to_json().items() if k not in ("duplicates", "rejected")}
    what = {
        "texts": texts,
        "audience": who,
        "when": when.isoformat() if when else None,
        "urgent": urgent,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]


def _choices(db: Session) -> dict:
    schools = db.execute(
        select(School.slug, School.name).where(School.archived.is_(False)).order_by(School.name)
    ).all()
    neighborhoods = db.execute(
        select(Neighborhood.slug, Neighborhood.name).order_by(Neighborhood.name)
    ).all()
    upcoming = db.execute(
        select(ParentCollegeSession)
        .where(
            ParentCollegeSession.archived.is_(False),
            ParentCollegeSession.starts_at >= utcnow() - timedelta(days=1),
        )
        .order_by(ParentCollegeSession.starts_at)
    ).scalars()
    pc_sessions = [
        (str(s.id), f"{(s.title or {}).get('en') or s.slug}, {staff_time(s.starts_at)}")
        for s in upcoming
    ]
    return {"schools": schools, "neighborhoods": neighborhoods, "pc_sessions": pc_sessions}


def _compose_page(
    db: Session,
    draft: Draft,
    *,
    error: str | None = None,
    notice: str | None = None,
    result: Preview | None = None,
    fingerprint: str | None = None,
    status: int = 200,
):
    page = render_template(
        "console/broadcast_new.html",
        draft=draft,
        error=error,
        notice=notice,
        preview=result,
        fingerprint=fingerprint,
        language_names=NAMES,
        max_chars=MAX_TEXT_CHARS,
        quiet_hours=quiet_hours_words(),
        title="New broadcast",
        **_choices(db),
    )
    return page, status


@bp.get("/new")
def new():
    with services().sessions() as db:
        return _compose_page(db, Draft())


@bp.post("/new")
def compose():
    """Preview (the default button) or, with confirm=1, create and start the broadcast."""
    draft = Draft.from_form(request.form)
    settings = services().settings
    with services().sessions() as db:
        try:
            texts = clean_texts(draft.texts)
            audience, draft = _audience_of(db, draft, request.files.get("numbers_file"))
            when = _scheduled_at(draft)
            result = preview_for(db, texts, audience, settings)
        except (ComposeError, AudienceError) as error:
            return _compose_page(db, draft, error=str(error), status=422)
        fingerprint = _fingerprint(texts, audience, when, draft.urgent)
        if request.form.get("confirm") != "1":
            return _compose_page(db, draft, result=result, fingerprint=fingerprint)
        if request.form.get("previewed") != fingerprint:
            notice = "The form changed since the preview: check the figures below, then send."
            return _compose_page(db, draft, notice=notice, result=result, fingerprint=fingerprint)
        if not result.recipients:
            error = "Nobody in this audience can be texted: nothing was sent."
            return _compose_page(db, draft, error=error, result=result, status=422)
        created = service.create_broadcast(
            db,
            services().huey,
            settings,
            service.Actor(g.staff, "console"),
            texts,
            audience,
            title=draft.title,
            scheduled_at=when,
            urgent=draft.urgent,
            previewed_families=result.recipients,
        )
        broadcast = created.broadcast
        if created.started:
            families = created.families
            flash(f"Sending to {families:,} famil{'y' if families == 1 else 'ies'}.")
            if created.quiet_until is not None:
                flash(
                    f"It is quiet hours: the texts wait until {staff_time(created.quiet_until)}. "
                    "Only an urgent broadcast goes out now.",
                    "warning",
                )
            if not created.queued:
                flash(QUEUE_LATE, "warning")
        else:
            flash(f"Scheduled for {staff_time(broadcast.scheduled_at)} (Los Angeles time).")
        return redirect(url_for("broadcasts.show", broadcast_id=broadcast.id))


# --- one broadcast ----------------------------------------------------------------------------


def _broadcast_or_404(db: Session, broadcast_id: int) -> Broadcast:
    found = db.get(Broadcast, broadcast_id)
    if found is None:
        abort(404, description="There is no broadcast with that number.")
    return found


@bp.get("/<int:broadcast_id>")
def show(broadcast_id: int):
    with services().sessions() as db:
        found = _broadcast_or_404(db, broadcast_id)
        progress = report(db, found)
        creator = db.get(StaffUser, found.created_by_id) if found.created_by_id else None
        return render_template(
            "console/broadcast_show.html",
            broadcast=found,
            report=progress,
            audience=audience_label(db, found),
            creator=creator,
            bar=_bar([(b, progress.buckets.get(b, 0)) for b in BUCKET_ORDER], progress.total),
            bar_width=BAR_WIDTH,
            buckets=BUCKET_ORDER,
            bucket_labels=BUCKET_LABELS,
            meanings=ERROR_MEANINGS,
            language_names=NAMES,
            state_badges=STATE_BADGES,
            changes={name: found.state in states for name, (states, _) in CHANGES.items()},
            quiet_hours=quiet_hours_words(),
            when=staff_time,
            title=found.title or f"Broadcast {found.id}",
        )


@bp.get("/<int:broadcast_id>/progress")
def progress(broadcast_id: int):
    """The progress figures as JSON, for the page's refresh every few seconds."""
    with services().sessions() as db:
        found = _broadcast_or_404(db, broadcast_id)
        return jsonify(progress_figures(report(db, found)))


def _change(broadcast_id: int, change: str):
    _, done = CHANGES[change]
    with services().sessions() as db:
        found = _broadcast_or_404(db, broadcast_id)
        try:
            changed = service.change_broadcast(
                db, services().huey, service.Actor(g.staff, "console"), found, change
            )
        except states.BroadcastStateError:
            flash(f"This broadcast is {found.state}: it cannot be {done}.", "error")
            return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))
    if changed.queued is False:
        flash(QUEUE_LATE, "warning")
    message = f"Broadcast {done}."
    if change == "pause":
        message += " Texts already on their way still go."
    elif change == "cancel":
        cancelled = changed.families
        message += f" {cancelled:,} famil{'y' if cancelled == 1 else 'ies'} will not get it."
    flash(message)
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


@bp.post("/<int:broadcast_id>/pause")
def pause(broadcast_id: int):
    return _change(broadcast_id, "pause")


@bp.post("/<int:broadcast_id>/resume")
def resume(broadcast_id: int):
    return _change(broadcast_id, "resume")


@bp.post("/<int:broadcast_id>/cancel")
def cancel(broadcast_id: int):
    return _change(broadcast_id, "cancel")
