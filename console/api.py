"""The JSON API under /api, for other tools (a district's dashboards, a CRM, a spreadsheet
script): conversations, Parent College registrations and the line's data.

Each staff user can make one token (console: Your account, or `bot user token EMAIL`) and sends
it as `Authorization: Bearer <token>`. The token acts as that user: the same roles as the
console, and the same audit log (with via="api"). No cookies are read here, so the API needs no
CSRF token; a browser cannot send the Authorization header across sites by itself."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select

from bot.conversations.inbox import BadCursor, inbox_page
from bot.conversations.inbox_filters import InboxFilters
from bot.conversations.staff_replies import (
    StaffActionError,
    correct,
    release,
    reply,
    take_over,
    thread_view,
)
from bot.directory import catalog, catalog_checks, kinds
from bot.models import (
    Conversation,
    Event,
    Message,
    ParentCollegeSession,
    Program,
    Registration,
    School,
    StaffUser,
)
from bot.parent_college import sign_in_sheet as door
from bot.staff import audit
from bot.staff.accounts import user_for_token
from webhooks.services import services

from .api_shapes import (
    conversation_summary_json,
    event_json,
    inbox_row_json,
    message_json,
    pc_session_json,
    program_json,
    registration_json,
    school_json,
)
from .limits import STAFF_MAX_BODY_BYTES
from .query_args import number_arg

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def _token_only():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with services().sessions() as db:
            user = user_for_token(db, token.strip())
            if user is not None:
                db.expunge(user)
    if user is None:
        response = jsonify(
            error="unauthorized",
            detail="Send a staff API token as 'Authorization: Bearer <token>'. "
            "Make one on the console's account page or with `bot user token EMAIL`.",
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="family-line"'
        return response
    g.api_user = user
    # Only a token's holder may send more than the public limit (a broadcast's list of numbers).
    request.max_content_length = STAFF_MAX_BODY_BYTES
    return None


def admin_only(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.api_user.role != StaffUser.ROLE_ADMIN:
            abort(403, description="This needs an admin's token.")
        return view(*args, **kwargs)

    return wrapped


def bad_request(detail: str | list[str]):
    response = jsonify(error="bad_request", detail=detail)
    response.status_code = 400
    return response


# --- data ------------------------------------------------------------------------------------


def _archived_wanted() -> bool:
    return request.args.get("archived") in ("1", "true", "yes")


def _listing(model, order):
    query = select(model).order_by(*order)
    if not _archived_wanted():
        query = query.filter(model.archived.is_(False))
    return query


@bp.get("/schools")
def schools():
    with services().sessions() as db:
        rows = db.execute(_listing(School, [School.name])).scalars().all()
        return jsonify(schools=[school_json(row) for row in rows])


@bp.get("/programs")
def programs():
    with services().sessions() as db:
        rows = db.execute(_listing(Program, [Program.slug])).scalars().all()
        return jsonify(programs=[program_json(row) for row in rows])


@bp.get("/events")
def events():
    with services().sessions() as db:
        rows = db.execute(_listing(Event, [Event.starts_at, Event.id])).scalars().all()
        return jsonify(events=[event_json(row) for row in rows])


@bp.get("/sessions")
def pc_sessions():
    """Parent College sessions with their seats: ?archived=1 includes archived ones."""
    with services().sessions() as db:
        query = _listing(ParentCollegeSession, [ParentCollegeSession.starts_at])
        rows = db.execute(query).scalars().all()
        return jsonify(sessions=[pc_session_json(db, row) for row in rows])


def _as_text(value) -> str:
    # The API takes the CSV's columns; JSON numbers, booleans and lists become their CSV text.
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _kind_or_404(kind_url: str) -> kinds.Kind:
    kind = kinds.KINDS_BY_URL.get(kind_url)
    if kind is None:
        abort(404, description="Data kinds: schools, programs, events, sessions.")
    return kind


def _save_data(kind: kinds.Kind, row=None):
    """Creates (row None) or updates a row from the CSV's columns as JSON; admins only."""
    sent = _json_body()
    with services().sessions() as db:
        if row is not None:
            row = db.get(kind.model, row.id)
        values = catalog.as_values(kind, row) if row is not None else {}
        values.pop("archived", None)
        unknown = [key for key in sent if key not in {"slug", *kind.field_columns}]
        if unknown:
            return bad_request(f"Unknown fields: {', '.join(sorted(unknown))}.")
        values.update({key: _as_text(value) for key, value in sent.items()})
        clean, errors = catalog_checks.validate(kind, values, session=db, existing=row)
        if errors:
            return bad_request(errors)
        saved = catalog.save(db, kind, clean, existing=row)
        action = "update" if row is not None else "create"
        audit.record(
            db,
            g.api_user,
            f"data.{kind.name}.{action}",
            kind.name,
            saved.row.id,
            slug=saved.row.slug,
            via="api",
        )
        db.commit()
        body = {"id": saved.row.id, **catalog.as_values(kind, saved.row)}
        return jsonify({kind.name: body}), 201 if row is None else 200


@bp.post("/data/<kind_url>")
@admin_only
def data_create(kind_url: str):
    """A new school, program, event or session: the CSV export's columns as a JSON object."""
    return _save_data(_kind_or_404(kind_url))


@bp.patch("/data/<kind_url>/<int:row_id>")
@admin_only
def data_update(kind_url: str, row_id: int):
    """Changes the columns sent; the others keep their values."""
    kind = _kind_or_404(kind_url)
    with services().sessions() as db:
        row = db.get(kind.model, row_id)
        if row is None:
            abort(404, description=f"There is no {kind.label} with that id.")
    return _save_data(kind, row)


# --- registrations ---------------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>/registrations")
def session_registrations(session_id: int):
    with services().sessions() as db:
        pc_session = db.get(ParentCollegeSession, session_id)
        if pc_session is None:
            abort(404, description="No Parent College session has that id.")
        rows = (
            db.execute(
                select(Registration)
                .filter_by(session_id=session_id)
                .order_by(Registration.created_at, Registration.id)
            )
            .scalars()
            .all()
        )
        audit.record(
            db, g.api_user, "registrations.view", "parent_college_session", session_id, via="api"
        )
        db.commit()
        return jsonify(
            session=pc_session_json(db, pc_session),
            registrations=[registration_json(row) for row in rows],
        )


@bp.post("/registrations/<int:registration_id>/check-in")
def registration_check_in(registration_id: int):
    """Marks a family as arrived at its session (a door tablet, a sign-in kiosk)."""
    with services().sessions() as db:
        registration = db.get(Registration, registration_id)
        if registration is None:
            abort(404, description="There is no registration with that id.")
        previous = door.check_in(db, registration)
        if previous is not None:
            audit.record(
                db,
                g.api_user,
                door.CHECK_IN_ACTION,
                "registration",
                registration.id,
                session_id=registration.session_id,
                previous_status=previous,
                via="api",
            )
        db.commit()
        return jsonify(registration=registration_json(registration), already=previous is None)


# --- conversations ---------------------------------------------------------------------------


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="Send a JSON object (Content-Type: application/json).")
    return body


API_PAGE_MAX = 200


@bp.get("/conversations")
def conversations():
    """The inbox: the console's filters as query parameters (language, intent, max_confidence,
    fallbacks, waiting, school_id, date_from, date_to, q), newest first, `limit` per page (at
    most 200) and `before` = the previous page's `next` for older ones."""
    filters = InboxFilters.from_args(request.args)
    if filters.errors:
        return bad_request(list(filters.errors))
    limit = number_arg("limit", high=API_PAGE_MAX) or 50
    with services().sessions() as db:
        try:
            page = inbox_page(db, filters, limit=limit, before=request.args.get("before"))
        except BadCursor as error:
            return bad_request(str(error))
        if filters.q:
            audit.record(db, g.api_user, "conversations.search", q=filters.q, via="api")
            db.commit()
        return jsonify(conversations=[inbox_row_json(row) for row in page.rows], next=page.older)


@bp.get("/conversations/<int:conversation_id>")
def conversation(conversation_id: int):
    """One conversation with its newest 200 messages (?before=<message id> for older ones)."""
    before = number_arg("before")
    with services().sessions() as db:
        view = thread_view(db, conversation_id, before=before)
        if view is None:
            abort(404, description="There is no conversation with that id.")
        audit.record(
            db, g.api_user, "conversation.view", "conversation", conversation_id, via="api"
        )
        db.commit()
        return jsonify(
            conversation=conversation_summary_json(view.conversation),
            messages=[message_json(m, view.corrections.get(m.id)) for m in view.messages],
            has_older=view.has_older,
        )


def _staff_action(conversation_id: int, act):
    with services().sessions() as db:
        found = db.get(Conversation, conversation_id)
        if found is None:
            abort(404, description="There is no conversation with that id.")
        try:
            result = act(db, found)
        except StaffActionError as error:
            db.rollback()
            return bad_request(str(error))
        db.commit()
        return result


@bp.post("/conversations/<int:conversation_id>/messages")
def conversation_reply(conversation_id: int):
    """Replies as the token's staff user: {"body": "..."}; sent by SMS on an SMS conversation."""
    body = _json_body().get("body")
    if not isinstance(body, str):
        return bad_request('"body" must be the text to send.')

    def act(db, found):
        message = reply(db, found, g.api_user, body, services().settings)
        return jsonify(message=message_json(message, None)), 201

    return _staff_action(conversation_id, act)


@bp.post("/conversations/<int:conversation_id>/take-over")
def conversation_take_over(conversation_id: int):
    def act(db, found):
        take_over(db, found, g.api_user)
        audit.record(db, g.api_user, "conversation.take_over", "conversation", found.id, via="api")
        return jsonify(conversation=conversation_summary_json(found))

    return _staff_action(conversation_id, act)


@bp.post("/conversations/<int:conversation_id>/release")
def conversation_release(conversation_id: int):
    def act(db, found):
        release(db, found)
        audit.record(db, g.api_user, "conversation.release", "conversation", found.id, via="api")
        return jsonify(conversation=conversation_summary_json(found))

    return _staff_action(conversation_id, act)


@bp.put("/messages/<int:message_id>/correction")
def message_correction(message_id: int):
    """Sets what a family's message meant: {"intent": "ask_events", "language": "es"}."""
    wanted = _json_body()
    with services().sessions() as db:
        message = db.get(Message, message_id)
        if message is None:
            abort(404, description="There is no message with that id.")
        return save_correction(db, message, wanted)


def save_correction(db, message: Message, wanted: dict):
    """Stores, audits and answers a correction; also POST /api/conversations/<id>/messages/<id>/
    correction (console/api_training.py)."""
    try:
        saved = correct(
            db, message, g.api_user, str(wanted.get("intent")), str(wanted.get("language"))
        )
    except StaffActionError as error:
        db.rollback()
        return bad_request(str(error))
    audit.record(
        db,
        g.api_user,
        "conversation.correct",
        "conversation",
        message.conversation_id,
        message_id=message.id,
        intent=saved.intent,
        language=saved.language,
        bot_intent=message.intent,
        via="api",
    )
    db.commit()
    return jsonify(message=message_json(message, saved))
