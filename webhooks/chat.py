"""Web chat under /chat: a small page, and a JSON endpoint that runs the same inbound path as an
SMS (bot.conversations.inbound), with the browser's visitor id where an SMS has a phone number.

The visitor id lives in Flask's signed session cookie and is made here, on the server, never
taken from the client. A client-made id (localStorage, a JSON field) is whatever the client says:
anyone who learned or guessed another visitor's id (a shared computer, a screenshot, a log, a
page script) could read and write that family's conversation. A server-made id inside a cookie
signed with SECRET_KEY cannot be forged or chosen, and the cookie is HttpOnly, so no script on
the page can read it to pass it on. The cookie lasts until the browser closes, not for weeks:
families use shared and library computers, and the next person should not find their thread."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, current_app, jsonify, render_template, request, session

from bot.conversations.inbound import InboundMessage, handle_inbound
from bot.models import Conversation
from bot.text.languages import LANGUAGES, other_than
from bot.texts import text, translations

from .page_headers import locked_down
from .services import services
from .threads import thread, utc_iso

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__, url_prefix="/chat")

VISITOR_KEY = "web_chat_id"
# An SMS can carry 1,600 characters (Twilio's limit); web chat keeps the same bound.
MAX_TEXT_CHARS = 1600
# Generous for 1,600 characters even when every one is \u-escaped; anything bigger is refused
# before it is read into memory.
MAX_BODY_BYTES = 32 * 1024

# The page's own words (the bot's answers come from the pipeline in the family's language), in
# bot/texts/ as chat.<key>.
PAGE_KEYS = (
    "title", "org", "intro", "privacy", "language", "label", "placeholder", "send", "sending",
    "you", "bot", "staff", "empty", "offline", "noscript",
)  # fmt: skip


def error_response(key: str, status: int, detail: str):
    # `detail` is for developers reading the network tab; `error` is what the page shows.
    # Errors carry both languages: the endpoint cannot know which one the visitor reads.
    error = translations(f"chat_error.{key}", most=f"{MAX_TEXT_CHARS:,}")
    return jsonify(error=error, detail=detail), status


def page_language() -> str:
    """?lang= when given (the toggle), else the browser's preference between our two languages;
    Spanish when it prefers Spanish or neither, since most of our families read Spanish."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(["es", "en"]) or "es"


bp.after_request(locked_down)


@bp.get("")
def page():
    language = page_language()
    other = other_than(language)
    return render_template(
        "chat.html",
        language=language,
        other=other,
        texts={key: text(f"chat.{key}", language) for key in PAGE_KEYS},
        max_chars=MAX_TEXT_CHARS,
    )


def _visitor_id(create: bool) -> str | None:
    visitor = session.get(VISITOR_KEY)
    if visitor is None and create:
        visitor = secrets.token_urlsafe(24)  # 192 random bits; fits Contact.web_chat_id
        session[VISITOR_KEY] = visitor
    return visitor


def _serialize(message) -> dict:
    # What a family needs to redraw its own thread; intents and confidences stay staff-side.
    return {
        "direction": message.direction,
        "sender": message.sender,
        "body": message.body,
        "language": message.language,
        "sent_at": utc_iso(message.created_at),
    }


@bp.get("/messages")
def history():
    # Reading never creates a visitor: a page view alone sets no cookie.
    visitor = _visitor_id(create=False)
    if visitor is None:
        return jsonify(messages=[])
    with services().sessions() as db:
        messages = thread(db, Conversation.CHANNEL_WEBCHAT, web_chat_id=visitor)
        return jsonify(messages=[_serialize(message) for message in messages])


def _read_text() -> tuple[str | None, str | None, str | None]:
    """(text, requested default language, None) or (None, None, error key)."""
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        return None, None, "too_long"
    # CSRF: only application/json is accepted. A page on another site can make a browser POST
    # text/plain, form-encoded or multipart bodies without asking, but a JSON content type needs a
    # CORS preflight this app never grants, so a cross-site request cannot write as the visitor.
    if not request.is_json:
        return None, None, "unreadable"
    request.max_content_length = MAX_BODY_BYTES  # a chunked body without a length is cut off too
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        return None, None, "unreadable"
    text = payload["text"]
    if len(text) > MAX_TEXT_CHARS:
        return None, None, "too_long"
    language = payload.get("language")
    return text, language if language in LANGUAGES else None, None


@bp.post("/messages")
def send():
    if not current_app.secret_key:
        # Without SECRET_KEY the visitor id cannot be signed, so no visitor could be told apart.
        log.error("SECRET_KEY is not set: web chat is refusing messages (run `bot env init`).")
        return error_response("unavailable", 503, "SECRET_KEY is not set on the server")
    text, page_lang, problem = _read_text()
    if problem:
        detail = f'expected a JSON object {{"text": "..."}} of at most {MAX_TEXT_CHARS} characters'
        return error_response(problem, 400, detail)
    app_services = services()
    result = handle_inbound(
        app_services.sessions,
        app_services.rasa,
        InboundMessage(
            channel=Conversation.CHANNEL_WEBCHAT,
            body=text,
            web_chat_id=_visitor_id(create=True),
        ),
        # A first message that shows no language ("ok") is answered in the page's language.
        default_language=page_lang or app_services.settings.default_language,
    )
    return jsonify(replies=result.replies, language=result.language)
