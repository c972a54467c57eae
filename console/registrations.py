"""Parent College for every staff member: how full each session is, who is coming, checking
families in at the door (on a phone) and the sign-in sheet to print. Viewing a session's families,
checking in, undoing and exporting are all in the audit log."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from bot.models import ParentCollegeSession
from bot.parent_college import sign_in_sheet as door
from bot.staff import audit
from bot.text.languages import NAMES
from bot.text.staff_time import staff_clock, staff_time
from webhooks.services import services

from .auth import require_staff

bp = Blueprint("registrations", __name__, url_prefix="/console/registrations")
require_staff(bp)

# A session is taught in one language or in both.
SESSION_LANGUAGES = {"both": "English and Spanish", **NAMES}


def _session_or_404(db, session_id: int) -> ParentCollegeSession:
    pc_session = db.get(ParentCollegeSession, session_id)
    if pc_session is None:
        abort(404)
    return pc_session


@bp.route("/")
def index():
    past = request.args.get("past") == "1"
    with services().sessions() as db:
        found = door.summaries(db, upcoming=not past)
        return render_template(
            "console/registrations.html",
            summaries=found,
            past=past,
            languages=SESSION_LANGUAGES,
            local_time=staff_time,
            title="Parent College",
        )


@bp.route("/<int:session_id>")
def session_page(session_id: int):
    query = request.args.get("q", "").strip()[:100]
    with services().sessions() as db:
        pc_session = _session_or_404(db, session_id)
        roster = door.roster(db, pc_session, query)
        detail = {"query": query} if query else {}
        audit.record(
            db, g.staff, "registrations.view", "parent_college_session", session_id, **detail
        )
        db.commit()
        return render_template(
            "console/registrations_session.html",
            pc_session=pc_session,
            summary=door.summary(db, pc_session),
            roster=roster,
            query=query,
            past=door.is_past(pc_session),
            languages=SESSION_LANGUAGES,
            local_time=staff_time,
            clock=staff_clock,
            name_of=door.family_name,
            phone_of=door.family_phone,
            status_labels=door.STATUS_LABELS,
            title=(pc_session.title or {}).get("en") or pc_session.slug,
        )


def _back_to_list(session_id: int, registration_id: int | None = None):
    # Back to the same list with the door's search still typed in, scrolled to the family.
    query = request.form.get("q", "").strip()[:100] or None
    anchor = f"r{registration_id}" if registration_id else None
    return redirect(
        url_for("registrations.session_page", session_id=session_id, q=query, _anchor=anchor)
    )


def _change_check_in(session_id: int, registration_id: int, undo: bool):
    with services().sessions() as db:
        pc_session = _session_or_404(db, session_id)
        registration = door.find_registration(db, pc_session, registration_id)
        if registration is None:
            abort(404)
        name = door.family_name(registration) or "This family"
        if undo:
            status = door.undo_check_in(db, registration)
            if status is None:
                flash(f"{name} was not checked in.", "warning")
                return _back_to_list(session_id, registration_id)
            audit.record(
                db, g.staff, "registrations.undo_check_in", "registration", registration.id,
                session_id=session_id, status=status,
            )  # fmt: skip
            db.commit()
            flash(f"Check-in undone: {name} is {door.STATUS_LABELS[status].lower()} again.")
            return _back_to_list(session_id, registration_id)
        previous = door.check_in(db, registration)
        if previous is None:
            flash(f"{name} was already checked in.", "warning")
            return _back_to_list(session_id, registration_id)
        audit.record(
            db, g.staff, door.CHECK_IN_ACTION, "registration", registration.id,
            session_id=session_id, previous_status=previous,
        )  # fmt: skip
        db.commit()
        adults = f"{registration.adults} adult{'s' if registration.adults != 1 else ''}"
        flash(f"Checked in: {name} ({adults}).")
        if previous != "registered":
            flash(f"{name} was {previous}: let them in only if there is room.", "warning")
        return _back_to_list(session_id, registration_id)


@bp.post("/<int:session_id>/registrations/<int:registration_id>/check-in")
def check_in(session_id: int, registration_id: int):
    return _change_check_in(session_id, registration_id, undo=False)


@bp.post("/<int:session_id>/registrations/<int:registration_id>/undo-check-in")
def undo_check_in(session_id: int, registration_id: int):
    return _change_check_in(session_id, registration_id, undo=True)


@bp.get("/<int:session_id>/sign-in.csv")
def sign_in_sheet(session_id: int):
    with services().sessions() as db:
        pc_session = _session_or_404(db, session_id)
        data = door.sign_in_csv(db, pc_session)
        audit.record(db, g.staff, "registrations.export", "parent_college_session", session_id)
        db.commit()
        filename = door.sheet_filename(pc_session)
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
