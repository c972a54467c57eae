"""How often the public web chat answers: per visitor, per address, and how many new visitors the
whole line takes a minute (issue 15, point 2). Thirty posts without a cookie made thirty contacts
in the staff inbox and thirty Rasa calls in under two seconds; now a visitor past its limit gets a
friendly 429 in both languages and nothing is created.

The counts live in Redis when REDIS_URL is set (the scaled topology: every web process shares
them) and in the process's memory on the embedded default. Behind a proxy, set TRUSTED_PROXIES
so the address counted is the family's, not the proxy's (webhooks/__init__.py)."""

from __future__ import annotations

from flask import Flask, request, session
from flask_limiter import Limiter

from bot.config import Settings

from . import chat
from .client_address import client_address

# A family typing questions sends a few a minute; a script sends hundreds.
PER_VISITOR = "12 per minute;200 per day"
# New visitors (no chat cookie yet) from one address: a script that never keeps its cookie is a
# new visitor every time, and each one becomes a contact in the staff inbox.
NEW_FROM_ONE_ADDRESS = "4 per minute;40 per day"
# Every message from one address: a school library or a shelter's computers share one.
PER_ADDRESS = "40 per minute;600 per day"
# New visitors across the whole line: far above a busy evening; a flood from many addresses
# stops here.
NEW_VISITORS = "60 per minute"


def _visitor() -> str:
    return f"visitor:{session.get(chat.VISITOR_KEY)}"


def _is_known_visitor() -> bool:
    return session.get(chat.VISITOR_KEY) is not None


def _is_new_visitor() -> bool:
    return not _is_known_visitor()


def install(app: Flask, settings: Settings) -> Limiter:
    """Puts the chat's limits on `app`, with their storage chosen from `settings`. On the
    embedded default each gunicorn worker counts in its own memory, so the limits there are
    per worker; with REDIS_URL every worker and machine shares one count."""
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        key_prefix="family-line-limits",
        strategy="fixed-window",
        headers_enabled=True,  # Retry-After tells a well-behaved client when to come back
    )
    # The limiter is made per app (tests build many), so its limits wrap the view here rather
    # than decorate it at import; the wrapped view checks them when a message arrives.
    send = app.view_functions["chat.send"]
    send = limiter.limit(PER_VISITOR, key_func=_visitor, exempt_when=_is_new_visitor)(send)
    send = limiter.limit(NEW_FROM_ONE_ADDRESS, exempt_when=_is_known_visitor)(send)
    send = limiter.limit(PER_ADDRESS)(send)
    send = limiter.limit(
        NEW_VISITORS, key_func=lambda: "new-visitors", exempt_when=_is_known_visitor
    )(send)
    app.view_functions["chat.send"] = send

    @app.errorhandler(429)
    def _too_many(error):
        if request.path.startswith(chat.bp.url_prefix):
            return chat.error_response("slow_down", 429, str(error.description))
        return error

    return limiter
