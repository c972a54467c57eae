"""The staff console under /console and the JSON API under /api, mounted on the web app.

Pages are server-rendered (Jinja) with a little local JavaScript; nothing is loaded from another
site, so the console works on a closed network."""

from __future__ import annotations

from flask import Flask, g, render_template, request

from webhooks.page_headers import locked_down

from .auth import check_csrf, csrf_token, load_staff
from .limits import STAFF_MAX_BODY_BYTES


def _is_console(path: str) -> bool:
    return path.startswith("/console")


def init_console(app: Flask, secure_cookies: bool) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind https (PUBLIC_BASE_URL) the cookie never travels in clear text.
        SESSION_COOKIE_SECURE=secure_cookies,
    )

    @app.before_request
    def _who_and_csrf():
        if _is_console(request.path):
            load_staff()  # from the cookie alone: nothing has read the body yet
            if g.staff is not None:
                # CSV imports are 2 MB at most; the login page and anyone not logged in keep
                # the public limit, checked before the CSRF check reads the form.
                request.max_content_length = STAFF_MAX_BODY_BYTES
            check_csrf()

    @app.after_request
    def _console_headers(response):
        if _is_console(request.path) or request.path.startswith("/api"):
            locked_down(response)
            # Pages full of families' messages: never kept in a shared computer's cache.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _console_globals():
        return {"csrf_token": csrf_token, "staff": g.get("staff")}

    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, _error_page)

    from . import (
        api,
        api_broadcasts,
        api_training,
        audit_pages,
        auth,
        broadcasts,
        dashboard,
        data_pages,
        inbox,
        registrations,
        staff_users,
        thread,
        training,
    )

    for blueprint in (
        auth.bp,
        auth.home_bp,
        inbox.bp,
        thread.bp,
        dashboard.bp,
        registrations.bp,
        data_pages.bp,
        staff_users.bp,
        staff_users.account_bp,
        audit_pages.bp,
        api.bp,
        broadcasts.bp,
        api_broadcasts.api_bp,
        api_training.api_bp,
        training.bp,
    ):
        app.register_blueprint(blueprint)


ERROR_TITLES = {
    400: "This request could not be used",
    403: "Admins only",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
}


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    if request.path.startswith("/api"):
        from flask import jsonify

        return jsonify(error=ERROR_TITLES.get(code, "Error"), detail=error.description), code
    if not _is_console(request.path):
        return error
    return (
        render_template(
            "console/error.html",
            code=code,
            title=ERROR_TITLES.get(code, "Error"),
            detail=error.description,
        ),
        code,
    )
