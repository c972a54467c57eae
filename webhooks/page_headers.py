"""Headers for the pages families and staff open (web chat, phone simulator): everything they
need is served from here, so nothing else may load, frame them or run; threads are never cached."""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)


def locked_down(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype == "application/json":
        response.headers["Cache-Control"] = "no-store"  # a family's thread: never cached
    return response
