"""Broadcasts for admins: the history, composing one with its preview (who gets it, segments,
cost, warnings) before anything is sent, and following one as it goes out, with pause, resume
and cancel. The same operations as `bot broadcast` on the command line, over the same code
(bot/broadcasting/service.py); creating and every change of state are in the audit log."""

from __future__ import annotations

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
from sqlalchemy.orm import Session

from bot.broadcasting import service, states
from bot.broadcasting.audience import AudienceError
from bot.broadcasting.compose import (
    BUCKET_ORDER,
    MAX_TEXT_CHARS,
    ComposeError,
    clean_texts,
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
    StaffUser,
)
from bot.text.languages import NAMES
from bot.text.staff_time import staff_time
from webhooks.services import services

from .auth import require_admin
from .broadcast_drafts import Draft, audience_of, choices, preview_fingerprint, scheduled_at
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
        **choices(db),
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
            audience, draft = audience_of(db, draft, request.files.get("numbers_file"))
            when = scheduled_at(draft)
            result = preview_for(db, texts, audience, settings)
        except (ComposeError, AudienceError) as error:
            return _compose_page(db, draft, error=str(error), status=422)
        fingerprint = preview_fingerprint(texts, audience, when, draft.urgent)
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
