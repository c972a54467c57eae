"""Every request under /twilio must carry Twilio's signature for the URL Twilio called."""

from __future__ import annotations

import functools
import logging

from flask import Request, abort, request
from twilio.request_validator import RequestValidator

from bot.config import Settings

from .services import services

log = logging.getLogger(__name__)


def called_url(req: Request, settings: Settings) -> str:
    """The URL Twilio signed. Behind TLS termination or a proxy the request's own URL differs
    (http vs https, internal host), so PUBLIC_BASE_URL, when set, replaces scheme and host."""
    if not settings.public_base_url:
        return req.url
    query = req.query_string.decode("latin-1")
    return settings.public_base_url + req.path + (f"?{query}" if query else "")


def validate_twilio_request(view):
    @functools.wraps(view)
    def checked(*args, **kwargs):
        settings = services().settings
        if not settings.twilio_auth_token:
            log.error("refused %s: TWILIO_AUTH_TOKEN is not set, webhook disabled", request.path)
            abort(503, description="Twilio webhook disabled: TWILIO_AUTH_TOKEN is not set.")
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.twilio_auth_token)
        if not signature or not validator.validate(
            called_url(request, settings), request.form, signature
        ):
            log.warning("refused %s: missing or invalid X-Twilio-Signature", request.path)
            abort(403, description="Invalid Twilio signature.")
        return view(*args, **kwargs)

    return checked
