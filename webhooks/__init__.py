"""The web process: Twilio webhooks, health, web chat, the staff console and the JSON API.

`create_app` is the one way to build it; every outside service is chosen here from Settings."""

from __future__ import annotations

import logging

from flask import Flask

from bot.config import Settings, load_settings
from bot.db import engine_for, session_factory
from bot.rasa_client import RasaClient
from bot.worker import build_huey

from .services import Services

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["TESTING"] = settings.testing
    if services is None:
        engine = engine_for(settings.database_url)
        services = Services(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            rasa=RasaClient(settings.rasa_url, timeout=settings.rasa_timeout),
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

    from . import chat, health, simulator, twilio_sms, twilio_status

    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(twilio_status.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(simulator.bp)

    from console import init_console

    init_console(app, secure_cookies=(settings.public_base_url or "").startswith("https://"))
    return app
