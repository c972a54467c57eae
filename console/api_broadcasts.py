"""Broadcasts in the JSON API (/api/broadcasts): any staff token reads the history and a
broadcast's progress; previewing, creating, pausing, resuming and cancelling need an admin's, as
in the console. The same code as the console and `bot broadcast`, and the same audit entries
(with via="api")."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify
from sqlalchemy.orm import Session

from bot.broadcasting import service, states
from bot.broadcasting.audience import LIST, Audience, AudienceError, parse_numbers
from bot.broadcasting.compose import ComposeError, clean_texts, parse_when, preview_for, report
from bot.broadcasting.history import audience_label, history, progress_figures
from bot.broadcasting.preview import Preview
from bot.broadcasting.service import CHANGES
from bot.models import Broadcast
from webhooks.services import services
from webhooks.threads import utc_iso

from .api import _json_body, _token_only, admin_only, bad_request
from .query_args import number_arg

api_bp = Blueprint("api_broadcasts", __name__, url_prefix="/api/broadcasts")
api_bp.before_request(_token_only)

API_PAGE_MAX = 200


def _audience_json(db: Session, found: Broadcast) -> dict:
    data = dict(found.audience or {})
    # A list can hold thousands of numbers: the API says how many, not which.
    numbers = data.pop("numbers", None)
    if numbers is not None:
        data["numbers_count"] = len(numbers)
    data["description"] = audience_label(db, found)
    return data


def _broadcast(db: Session, found: Broadcast) -> dict:
    return {
        "id": found.id,
        "kind": found.kind,
        "title": found.title,
        "texts": found.texts,
        "audience": _audience_json(db, found),
        "state": found.state,
        "urgent": found.urgent,
        "recipients": found.recipients,
        "estimated_cost": found.estimated_cost,
        "scheduled_at": utc_iso(found.scheduled_at),
        "created_by_id": found.created_by_id,
        "created_at": utc_iso(found.created_at),
        "started_at": utc_iso(found.started_at),
        "paused_at": utc_iso(found.paused_at),
        "finished_at": utc_iso(found.finished_at),
        "cancelled_at": utc_iso(found.cancelled_at),
    }


def _preview(result: Preview) -> dict:
    left = result.exclusions
    return {
        "audience": result.audience,
        "recipients": result.recipients,
        "by_language": {
            lang: {
                "recipients": f.recipients,
                "characters": f.characters,
                "segments": f.segments,
                "encoding": f.encoding,
                "cost": f.cost,
            }
            for lang, f in result.by_language.items()
        },
        "excluded": {
            "opted_out": left.opted_out,
            "invalid": left.invalid,
            "duplicates": left.duplicates,
            "not_found": left.not_found,
            "rejected_lines": [{"line": r.line, "text": r.text} for r in left.rejected],
        },
        "price_per_segment": result.price_per_segment,
        "total_cost": result.total_cost,
        "warnings": list(result.warnings),
    }


# --- reading what was sent ----------------------------------------------------------------------


@api_bp.get("/", strict_slashes=False)
def index():
    """Newest first, `limit` per page (at most 200), `before` = the previous page's `next`."""
    limit = number_arg("limit", high=API_PAGE_MAX) or 50
    with services().sessions() as db:
        rows, older = history(db, limit, number_arg("before"))
        return jsonify(
            broadcasts=[_broadcast(db, row) for row in rows],
            next=rows[-1].id if older and rows else None,
        )


def _found_or_404(db: Session, broadcast_id: int) -> Broadcast:
    found = db.get(Broadcast, broadcast_id)
    if found is None:
        abort(404, description="There is no broadcast with that id.")
    return found


@api_bp.get("/<int:broadcast_id>")
def show(broadcast_id: int):
    """One broadcast and how its texts stand (queued, sent, delivered, failed...)."""
    with services().sessions() as db:
        found = _found_or_404(db, broadcast_id)
        return jsonify(
            broadcast=_broadcast(db, found), progress=progress_figures(report(db, found))
        )


# --- composing ----------------------------------------------------------------------------------


def _texts(body: dict) -> dict[str, str]:
    texts = body.get("texts")
    if not isinstance(texts, dict):
        raise ComposeError('"texts" must be an object: {"en": "...", "es": "..."}.')
    unknown = sorted(str(lang) for lang in texts if lang not in ("en", "es"))
    if unknown:
        raise ComposeError(f'"texts" takes "en" and "es", not {", ".join(unknown)}.')
    if any(value is not None and not isinstance(value, str) for value in texts.values()):
        raise ComposeError('Each text in "texts" must be a string.')
    return clean_texts(texts)


def _audience(db: Session, body: dict) -> Audience:
    data = body.get("audience")
    if not isinstance(data, dict):
        raise AudienceError(
            '"audience" must be an object, like {"kind": "school", "school": "markham"}.'
        )
    if data.get("kind") == LIST:
        numbers = data.get("numbers")
        if isinstance(numbers, str):  # a pasted list or a CSV file's text
            return Audience.from_list(parse_numbers(numbers))
        # Counts of repeats and bad lines are the server's to make, never the caller's.
        return Audience.parse({"kind": LIST, "numbers": numbers})
    return Audience.parse(data, session=db)


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ComposeError(f'"{name}" must be true or false.')
    return value


@api_bp.post("/preview")
@admin_only
def preview():
    """{"texts": {"en": ..., "es": ...}, "audience": {...}}: who would get it and the cost;
    sends nothing."""
    body = _json_body()
    with services().sessions() as db:
        try:
            result = preview_for(db, _texts(body), _audience(db, body), services().settings)
        except (ComposeError, AudienceError) as error:
            return bad_request(str(error))
        return jsonify(preview=_preview(result))


@api_bp.post("/", strict_slashes=False)
@admin_only
def create_broadcast():
    """The preview's fields and "title", "scheduled_at" (ISO 8601 with an offset, or Los Angeles
    time "2026-12-01 09:00"; absent or null: now) and "urgent" (sent in quiet hours too)."""
    body = _json_body()
    settings = services().settings
    with services().sessions() as db:
        try:
            texts = _texts(body)
            audience = _audience(db, body)
            title = body.get("title")
            if title is not None and not isinstance(title, str):
                raise ComposeError('"title" must be a string.')
            raw_when = body.get("scheduled_at")
            if raw_when is not None and not isinstance(raw_when, str):
                raise ComposeError('"scheduled_at" must be a string like "2026-12-01 09:00".')
            when = parse_when(raw_when) if raw_when else None
            urgent = _flag(body, "urgent")
            result = preview_for(db, texts, audience, settings)
        except (ComposeError, AudienceError) as error:
            return bad_request(str(error))
        if not result.recipients:
            return bad_request("Nobody in this audience can be texted: nothing was sent.")
        created = service.create_broadcast(
            db,
            services().huey,
            settings,
            service.Actor(g.api_user, "api"),
            texts,
            audience,
            title=title,
            scheduled_at=when,
            urgent=urgent,
            previewed_families=result.recipients,
        )
        found = created.broadcast
        queued = created.queued
        held = created.quiet_until
        return (
            jsonify(
                broadcast=_broadcast(db, found),
                preview=_preview(result),
                quiet_hours_until=utc_iso(held),
                # False: the queue did not answer; the worker's clock starts it within minutes.
                workers_queued=queued,
            ),
            201,
        )


# --- pause, resume, cancel ---------------------------------------------------------------------


def _change(broadcast_id: int, change: str):
    _, done = CHANGES[change]
    with services().sessions() as db:
        found = _found_or_404(db, broadcast_id)
        try:
            changed = service.change_broadcast(
                db, services().huey, service.Actor(g.api_user, "api"), found, change
            )
        except states.BroadcastStateError:
            response = jsonify(
                error="conflict",
                detail=f"Broadcast {broadcast_id} is {found.state}: it cannot be {done}.",
            )
            response.status_code = 409
            return response
        return jsonify(broadcast=_broadcast(db, found), workers_queued=changed.queued)


@api_bp.post("/<int:broadcast_id>/pause")
@admin_only
def pause(broadcast_id: int):
    return _change(broadcast_id, "pause")


@api_bp.post("/<int:broadcast_id>/resume")
@admin_only
def resume(broadcast_id: int):
    return _change(broadcast_id, "resume")


@api_bp.post("/<int:broadcast_id>/cancel")
@admin_only
def cancel(broadcast_id: int):
    return _change(broadcast_id, "cancel")
