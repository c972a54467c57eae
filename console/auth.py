"""Who is using the console: login, logout, the signed session, CSRF and roles.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind https) holding the
staff id, when they logged in and the account's session version; a login lasts SESSION_HOURS.
The version is checked against the database on every request, so logout, a new password and
switching an account off end every copy of its cookies at once, not when they expire. Every form
post to /console carries the session's CSRF token. Blueprints call `require_staff` or
`require_admin` once, so no route can be added to the console without a login check
(tests/console/test_access.py walks them all)."""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from bot.models import StaffUser
from bot.staff import audit
from bot.staff.accounts import authenticate, end_sessions
from webhooks.client_address import client_address
from webhooks.services import services

# The console's templates and static files (/console/static/...) hang off this blueprint.
bp = Blueprint(
    "auth",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

SESSION_HOURS = 12
STAFF_KEY = "staff_id"
LOGIN_AT_KEY = "staff_login_at"
VERSION_KEY = "staff_session_version"
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token() -> str:
    token = session.get(CSRF_KEY)
    if not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuses a console form post whose token is missing or not this session's."""
    if request.method not in UNSAFE_METHODS or not request.path.startswith("/console"):
        return
    expected = session.get(CSRF_KEY)
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(expected, sent):
        abort(
            400,
            description="This form has expired or did not come from the console. "
            "Go back, reload the page and try again.",
        )


def load_staff() -> None:
    """Puts the logged-in staff user (or None) on g for this request."""
    g.staff = None
    staff_id = session.get(STAFF_KEY)
    if staff_id is None:
        return
    if time.time() - session.get(LOGIN_AT_KEY, 0) > SESSION_HOURS * 3600:
        session.pop(STAFF_KEY, None)
        return
    with services().sessions() as db:
        user = db.get(StaffUser, staff_id)
        if user is None or not user.active or session.get(VERSION_KEY) != user.session_version:
            session.pop(STAFF_KEY, None)
            return
        db.expunge(user)
    g.staff = user


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_staff(blueprint: Blueprint) -> None:
    """Every route of `blueprint` needs a logged-in staff user (either role)."""

    @blueprint.before_request
    def _staff_only():
        if g.get("staff") is None:
            return _login_redirect()
        return None


def require_admin(blueprint: Blueprint) -> None:
    """Every route of `blueprint` needs an admin; staff get 403, strangers the login page."""

    @blueprint.before_request
    def _admin_only():
        if g.get("staff") is None:
            return _login_redirect()
        if not g.staff.is_admin:
            abort(403)
        return None


def _safe_next(target: str | None) -> str:
    # Only a path on this site: a crafted ?next= must not send staff to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc:
            return target
    return url_for("console_home.home")


LOGIN_MESSAGES = {
    "wrong": "That email and password don't match an account.",
    "inactive": "This account is switched off. Ask an admin to switch it back on.",
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.get("staff") is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("console/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    with services().sessions() as db:
        result = authenticate(db, email, request.form.get("password", ""), address=client_address())
        if result.user is not None:
            audit.record(db, result.user, "login")
        db.commit()
        user = result.user
    if user is None:
        if result.outcome == "locked":
            minutes = max(1, round((result.locked_until.timestamp() - time.time()) / 60))
            message = (
                f"Too many wrong passwords: logging in is locked for {minutes} more "
                f"minute{'s' if minutes != 1 else ''}. An admin can unlock it sooner."
            )
        else:
            message = LOGIN_MESSAGES[result.outcome]
        return (
            render_template(
                "console/login.html", error=message, email=email, next=request.form.get("next")
            ),
            401,
        )
    # A fresh session at login: nothing set before it (a planted cookie) carries over.
    session.clear()
    remember_login(user)
    return redirect(_safe_next(request.form.get("next")))


def remember_login(user: StaffUser) -> None:
    session[STAFF_KEY] = user.id
    session[LOGIN_AT_KEY] = time.time()
    session[VERSION_KEY] = user.session_version
    csrf_token()


@bp.route("/logout", methods=["POST"])
def logout():
    if g.get("staff") is not None:
        # Logging out ends this account's every login, so a copied cookie dies with it.
        with services().sessions() as db:
            user = db.get(StaffUser, g.staff.id)
            if user is not None:
                end_sessions(user)
                db.commit()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


home_bp = Blueprint("console_home", __name__, url_prefix="/console")
require_staff(home_bp)


@home_bp.route("/")
def home():
    return redirect(url_for("inbox.index"))
