"""Settings, read from the environment (and `.env` when present) when asked for, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path

from dotenv import dotenv_values

from bot.text.languages import LANGUAGES

# A year: longer is "until staff release it", which is HANDOFF_HOURS=0.
MAX_HANDOFF_HOURS = 24 * 365
# Threads per gunicorn worker. A request spends most of its time waiting on Rasa, so threads
# are cheap concurrency; past a few dozen per worker they only queue on the GIL and the database.
MAX_WEB_THREADS = 64
# What the line keeps about families, in days: two school years by default
# (bot/privacy/retention.py).
DEFAULT_RETENTION_DAYS = 730
# A century: anything longer is "keep forever", which is RETENTION_DAYS=0.
MAX_RETENTION_DAYS = 36500


def _parse_clock(raw: str) -> time | None:
    try:
        hours, minutes = raw.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _clock(env: dict, name: str, default: str) -> time:
    raw = env.get(name) or default
    parsed = _parse_clock(raw)
    if parsed is None:
        raise ConfigError(f"{name} must be a time like 08:00 (24-hour), got {raw!r}")
    return parsed


def _send_window(env: dict) -> tuple[time, time]:
    raw = env.get("SEND_WINDOW") or "08:00-21:00"
    start, _, end = raw.partition("-")
    first, last = _parse_clock(start), _parse_clock(end)
    if first is None or last is None or first >= last:
        raise ConfigError(
            f"SEND_WINDOW must be two times like 08:00-21:00, the first earlier, got {raw!r}"
        )
    return first, last


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


class ConfigError(ValueError):
    """A setting is present but unusable; the message names it for the operator."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret_key: str | None
    public_base_url: str | None
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_from_number: str | None
    twilio_messaging_service_sid: str | None
    twilio_api_base_url: str | None
    port: int
    rasa_port: int
    action_port: int
    rasa_url: str
    action_server_url: str
    rasa_timeout: float
    send_rate_per_second: int
    default_language: str
    # How long a conversation Rasa handed to staff keeps the bot quiet; 0: until staff release it.
    handoff_hours: int
    web_threads: int
    # What one SMS segment costs (USD), for the broadcast preview's estimate.
    segment_price: float
    # Broadcasts go out between these Los Angeles times; outside them texts wait (urgent ones
    # excepted). Reminders are queued at reminder_time the day before a session.
    send_window: tuple[time, time]
    reminder_time: time
    huey_path: Path
    var_dir: Path
    # Rasa's tracker store when it is not derived from DATABASE_URL (bot/rasa/endpoints.py).
    rasa_tracker_store_url: str | None = None
    testing: bool = False
    # Days before a family's messages, deliveries' numbers and, once it is silent that long, the
    # family itself are purged; 0 keeps everything forever.
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Every Rasa server a new model must reach (RASA_REPLICA_URLS, comma-separated): in the
    # scaled topology, each replica behind the balancer; by default, RASA_URL alone.
    rasa_replica_urls: tuple[str, ...] = ()
    # Where models trained from the console live: a folder every Rasa replica can read
    # (MODELS_DIR; by default var/models). docs/deploy.md.
    models_dir: Path | None = None
    # Shows /healthz's details (which part is down and why) to whoever sends it; without it
    # /healthz says only "ok" or "degraded" (docs/security.md).
    health_token: str | None = None
    # Every request to a Rasa server needs it as ?token= (bot/rasa/token.py); unset, Rasa answers
    # anyone who can reach it. `bot env init` writes one.
    rasa_api_token: str | None = None
    # Where the action server listens: only this machine by default, since it acts for whatever
    # family id Rasa sends it (ACTION_HOST; 0.0.0.0 only behind a firewall, docs/security.md).
    action_host: str = "127.0.0.1"
    # How many proxies in front of the web add X-Forwarded-For (TRUSTED_PROXIES, 0: none). Only
    # then is that header believed for the client's address (login locks, chat limits).
    trusted_proxies: int = 0

    @property
    def rasa_servers(self) -> tuple[str, ...]:
        return self.rasa_replica_urls or (self.rasa_url,)

    @property
    def reviewed_models_dir(self) -> Path:
        return self.models_dir or self.var_dir / "models"

    @property
    def phone_simulator_enabled(self) -> bool:
        """True on the embedded default only: no Twilio account, and no auth token but the
        local one `bot env init` writes (tests run with their own)."""
        if self.twilio_account_sid:
            return False
        token = self.twilio_auth_token or ""
        return not token or token.startswith("local-") or self.testing

    @property
    def twilio_webhook_enabled(self) -> bool:
        # Signatures are only checkable with the auth token; without it the webhook refuses all.
        return bool(self.twilio_auth_token)

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)


def load_settings(environ: dict | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
    """Builds Settings from `environ` (default: the process environment) over `.env` values."""
    env: dict = {}
    if dotenv_path and Path(dotenv_path).is_file():
        env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    var_dir = Path(env.get("VAR_DIR") or Path.cwd() / "var").resolve()
    rasa_port = _int(env, "RASA_PORT", 5005)
    action_port = _int(env, "ACTION_PORT", 5055)
    default_language = env.get("DEFAULT_LANGUAGE") or "es"
    if default_language not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE must be one of {LANGUAGES}, got {default_language!r}")
    handoff_hours = _int(env, "HANDOFF_HOURS", 24)
    if not 0 <= handoff_hours <= MAX_HANDOFF_HOURS:
        raise ConfigError(
            f"HANDOFF_HOURS must be hours from 1 to {MAX_HANDOFF_HOURS}, or 0 for until staff "
            f"release the conversation; got {handoff_hours}"
        )
    web_threads = _int(env, "WEB_THREADS", 8)
    if not 1 <= web_threads <= MAX_WEB_THREADS:
        raise ConfigError(f"WEB_THREADS must be from 1 to {MAX_WEB_THREADS}, got {web_threads}")
    try:
        segment_price = float(env.get("SEGMENT_PRICE") or 0.0083)
    except ValueError:
        raise ConfigError(
            f"SEGMENT_PRICE must be a price in dollars like 0.0083, got {env['SEGMENT_PRICE']!r}"
        ) from None
    retention_days = _int(env, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if not 0 <= retention_days <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"RETENTION_DAYS must be days from 1 to {MAX_RETENTION_DAYS} (730 is two school "
            f"years), or 0 to keep everything; got {retention_days}"
        )
    send_rate = _int(env, "SEND_RATE_PER_SECOND", 1)
    if send_rate < 1:
        raise ConfigError(f"SEND_RATE_PER_SECOND must be 1 or more, got {send_rate}")
    try:
        rasa_timeout = float(env.get("RASA_TIMEOUT") or 10)
    except ValueError:
        raise ConfigError(
            f"RASA_TIMEOUT must be a number of seconds, got {env['RASA_TIMEOUT']!r}"
        ) from None
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'family_line.db'}",
        redis_url=env.get("REDIS_URL") or None,
        secret_key=env.get("SECRET_KEY") or None,
        health_token=env.get("HEALTH_TOKEN") or None,
        rasa_api_token=env.get("RASA_API_TOKEN") or None,
        action_host=env.get("ACTION_HOST") or "127.0.0.1",
        trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
        public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
        twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        twilio_api_base_url=env.get("TWILIO_API_BASE_URL") or None,
        port=_int(env, "PORT", 5000),
        rasa_port=rasa_port,
        action_port=action_port,
        rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        action_server_url=(
            env.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{action_port}"
        ).rstrip("/"),
        rasa_timeout=rasa_timeout,
        send_rate_per_second=send_rate,
        default_language=default_language,
        handoff_hours=handoff_hours,
        web_threads=web_threads,
        segment_price=segment_price,
        send_window=_send_window(env),
        reminder_time=_clock(env, "REMINDER_TIME", "10:00"),
        huey_path=Path(env.get("HUEY_SQLITE_PATH") or var_dir / "huey.db"),
        retention_days=retention_days,
        rasa_tracker_store_url=env.get("RASA_TRACKER_STORE_URL") or None,
        var_dir=var_dir,
        rasa_replica_urls=tuple(
            url.strip().rstrip("/")
            for url in (env.get("RASA_REPLICA_URLS") or "").split(",")
            if url.strip()
        ),
        models_dir=Path(env["MODELS_DIR"]).resolve() if env.get("MODELS_DIR") else None,
    )
