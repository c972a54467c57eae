"""Rasa's endpoints file for this deployment, written from the line's own settings so one set of
environment variables configures every process.

- The action server: always (ACTION_SERVER_URL).
- The tracker store (each conversation's state: the slots of a half-filled sign-up form...):
  Rasa's in-memory store on the embedded default; on PostgreSQL, Rasa's SQL tracker store in a
  database of its own next to the line's (`<name>_rasa`, made by Rasa on first start), or
  RASA_TRACKER_STORE_URL. With it, any Rasa replica can answer any message of a conversation.
- The lock store (one message of a conversation at a time, whichever replica has it): Rasa's
  in-memory one without REDIS_URL, Redis with it.

Passwords never go into the file: it says ${RASA_TRACKER_STORE_PASSWORD} and
${RASA_LOCK_STORE_PASSWORD}, which Rasa reads from its environment (rasa_environment)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.rasa.token import VARIABLE as RASA_TOKEN_VARIABLE

TRACKER_PASSWORD_VARIABLE = "RASA_TRACKER_STORE_PASSWORD"
LOCK_PASSWORD_VARIABLE = "RASA_LOCK_STORE_PASSWORD"
# Keys of this line's locks in a Redis it may share with Huey and other applications.
LOCK_KEY_PREFIX = "family_line"


def tracker_store_url(settings: Settings) -> str | None:
    """The PostgreSQL database of Rasa's trackers, or None for Rasa's in-memory store."""
    if settings.rasa_tracker_store_url:
        return settings.rasa_tracker_store_url
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql", database=f"{url.database}_rasa").render_as_string(
        hide_password=False
    )


def endpoints_yaml(settings: Settings) -> str:
    lines = [
        "# Written by `bot run` from the line's settings (bot/rasa/endpoints.py): edit those.",
        "action_endpoint:",
        "  url: ${ACTION_SERVER_URL}/webhook",
    ]
    tracker = tracker_store_url(settings)
    if tracker:
        lines += _tracker_store(tracker, settings)
    if settings.redis_url:
        lines += _lock_store(settings.redis_url)
    return "\n".join(lines) + "\n"


def _tracker_store(url_text: str, settings: Settings) -> list[str]:
    url = make_url(url_text)
    # Rasa connects to login_db first and creates its own database there if it is missing.
    login_db = make_url(settings.database_url).database or "postgres"
    lines = [
        "tracker_store:",
        "  type: SQL",
        "  dialect: postgresql",
        f"  url: {_quoted(url.host or '127.0.0.1')}",
        f"  port: {url.port or 5432}",
        f"  db: {_quoted(url.database)}",
        f"  username: {_quoted(url.username or 'postgres')}",
        f"  login_db: {_quoted(login_db)}",
    ]
    if url.password:
        lines.append("  password: ${" + TRACKER_PASSWORD_VARIABLE + "}")
    return lines


def _lock_store(redis_url: str) -> list[str]:
    url = make_url(redis_url.replace("rediss://", "redis://", 1))
    lines = [
        "lock_store:",
        "  type: redis",
        f"  url: {_quoted(url.host or '127.0.0.1')}",
        f"  port: {url.port or 6379}",
        f"  db: {int(url.database or 0)}",
        f"  key_prefix: {LOCK_KEY_PREFIX}",
    ]
    if redis_url.startswith("rediss://"):
        lines.append("  use_ssl: true")
    if url.password:
        lines.append("  password: ${" + LOCK_PASSWORD_VARIABLE + "}")
    return lines


def _quoted(value: str | None) -> str:
    # YAML double quotes: a host or database name is never read as a number or a boolean.
    return '"' + (value or "").replace("\\", "\\\\").replace('"', '\\"') + '"'


def rasa_environment(settings: Settings) -> dict[str, str]:
    """The passwords the endpoints file refers to, for the Rasa server's environment only."""
    env = {}
    if settings.rasa_api_token:
        env[RASA_TOKEN_VARIABLE] = settings.rasa_api_token
    tracker = tracker_store_url(settings)
    if tracker and make_url(tracker).password:
        env[TRACKER_PASSWORD_VARIABLE] = str(make_url(tracker).password)
    if settings.redis_url and make_url(settings.redis_url).password:
        env[LOCK_PASSWORD_VARIABLE] = str(make_url(settings.redis_url).password)
    return env


def write_endpoints(settings: Settings) -> Path:
    """Writes the file under VAR_DIR (only when its text changed) and returns its path."""
    path = settings.var_dir / "rasa" / "endpoints.yml"
    text = endpoints_yaml(settings)
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path
