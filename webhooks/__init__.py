"""The web process: Twilio webhooks, health, web chat, the staff console and the JSON API.

`create_app` is the one way to build it; every outside service is chosen here from Settings."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.config import Settings, load_settings
from bot.db import engine_for, session_factory
from bot.rasa.client import RasaClient
from bot.worker import build_huey

from .services import Services

log = logging.getLogger(__name__)

# The largest body any public endpoint takes: a Twilio webhook is a few kilobytes, a chat message
# far less. Werkzeug refuses a longer Content-Length with 413 before reading a byte, and stops a
# chunked body at this size, so a 200 MB post costs nothing. The console and the API allow more
# (CSV imports, broadcast lists) for logged-in staff only (console.init_console).
MAX_BODY_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["TESTING"] = settings.testing
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if services is None:
        engine = engine_for(settings.database_url)
        services = Services(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            rasa=RasaClient(
                settings.rasa_url, timeout=settings.rasa_timeout, token=settings.rasa_api_token
            ),
            huey=build_huey(settings),
        )
    app.extensions["family_line"] = services
    if not settings.twilio_webhook_enabled:
        # Loud, not silent: without the token no signature can be checked, so every request to
        # /twilio/* is refused rather than trusted.
        log.error(
            "TWILIO_AUTH_TOKEN is not set: the Twilio webhook is DISABLED and answers 503. "
            "Set it in the environment or .env (make run creates a local one)."
        )

    from . import chat, health, rate_limits, simulator, twilio_sms, twilio_status

    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(twilio_status.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(simulator.bp)
    rate_limits.install(app, settings)
    if settings.trusted_proxies:
        # Behind HAProxy or nginx every request comes from the proxy; the address that counts
        # (login locks, chat limits) is the one the trusted proxies put in X-Forwarded-For.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )

    from console import init_console

    init_console(app, secure_cookies=(settings.public_base_url or "").startswith("https://"))
    return app
