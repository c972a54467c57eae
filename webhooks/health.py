"""GET /healthz: is every part of the line up? 200 when all are, 503 when one is not.

Anyone may ask (balancers and `bot run` do), so the public answer is the status alone, from
checks at most CACHE_SECONDS old: a flood of /healthz cannot turn into a flood on Rasa and the
action server. Which part is down and why (hosts, ports, error texts) is shown, freshly checked,
only to a caller that sends HEALTH_TOKEN. A proxy on the same host makes every request come from
127.0.0.1, so where a request comes from proves nothing."""

from __future__ import annotations

import hmac
import threading
import time

import requests
from flask import Blueprint, current_app, jsonify, request

from bot.db import ping
from bot.worker import HEARTBEAT_STALE_AFTER, last_heartbeat_age

from .services import services

bp = Blueprint("health", __name__)

CACHE_SECONDS = 2.0


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


def _run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:
            # Health must answer even when a part is broken in a way nobody foresaw.
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    return results


class _Recent:
    """The last checks' results, shared by this process's threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.at = 0.0
        self.healthy = False

    def healthy_now(self) -> bool:
        with self.lock:  # one thread checks; the others wait for its answer
            if time.monotonic() - self.at > CACHE_SECONDS:
                self.healthy = all(r["ok"] for r in _run_checks().values())
                self.at = time.monotonic()
            return self.healthy


def _may_see_details() -> bool:
    expected = services().settings.health_token
    if not expected:
        return False
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(expected.encode(), sent.encode())


@bp.get("/healthz")
def healthz():
    if _may_see_details():
        results = _run_checks()
        healthy = all(result["ok"] for result in results.values())
        body = {"status": "ok" if healthy else "degraded", "checks": results}
    else:
        recent = current_app.extensions.setdefault("family_line_health", _Recent())
        healthy = recent.healthy_now()
        body = {"status": "ok" if healthy else "degraded"}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
