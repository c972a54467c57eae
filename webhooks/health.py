"""GET /healthz: is every part of the line up? 200 when all are, 503 naming what is not."""

from __future__ import annotations

import requests
from flask import Blueprint, jsonify

from bot.db import ping
from bot.worker import HEARTBEAT_STALE_AFTER, last_heartbeat_age

from .services import services

bp = Blueprint("health", __name__)


def _database() -> dict:
    ping(services().engine)
    return {"ok": True}


def _rasa() -> dict:
    status = services().rasa.status()
    model = status.get("model_file")
    return {"ok": bool(model), "model": model}


def _action_server() -> dict:
    url = services().settings.action_server_url + "/health"
    response = requests.get(url, timeout=3)
    return {"ok": response.ok and response.json().get("status") == "ok"}


def _worker() -> dict:
    age = last_heartbeat_age(services().huey)
    if age is None:
        return {"ok": False, "error": "no heartbeat yet (is `bot worker` running?)"}
    return {"ok": age < HEARTBEAT_STALE_AFTER, "last_heartbeat_seconds_ago": round(age)}


CHECKS = {"database": _database, "rasa": _rasa, "action_server": _action_server, "worker": _worker}


@bp.get("/healthz")
def healthz():
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            # Health must answer even when a part is broken in a way nobody foresaw.
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    healthy = all(result["ok"] for result in results.values())
    return jsonify(status="ok" if healthy else "degraded", checks=results), 200 if healthy else 503
