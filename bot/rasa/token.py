"""Who may talk to a Rasa server: whoever holds RASA_API_TOKEN.

Rasa runs with --enable-api, whose routes read and rewrite any conversation and replace the model,
and its channels (family_line, rest) act for whatever sender id they are sent. Rasa's own
--auth-token guards its API routes only, not the channels, and would put the token on the command
line, where any local user can read it. So the Rasa process reads the token from its environment
and the family_line channel puts one check in front of every route of the server
(`require_token`); callers send it as Rasa's API expects it, `?token=`. Without the variable the
server answers anyone who can reach it (127.0.0.1 by default), and says so when it starts.

One route is open: `GET /`, Rasa's greeting ("Hello from Rasa: 3.6.21"), which reads and changes
nothing. It is HAProxy's health check in front of the replicas (bot/processes/haproxy.py), which
could carry the token only by writing it into its config file."""

from __future__ import annotations

import hmac
import logging

log = logging.getLogger(__name__)

VARIABLE = "RASA_API_TOKEN"
# Rasa's greeting, the one route open without the token: what HAProxy checks.
HEALTH_PATH = "/"


def token_params(token: str | None) -> dict[str, str]:
    """The query parameters that carry `token` to a Rasa server ({} when there is none)."""
    return {"token": token} if token else {}


def redact(text: str, token: str | None) -> str:
    """`text` without the token: requests puts the whole URL, ?token= and all, into its errors,
    and those reach logs, /healthz's details and the console's Training page."""
    return text.replace(token, "***") if token else text


def with_token(url: str, token: str | None) -> str:
    return f"{url}{'&' if '?' in url else '?'}token={token}" if token else url


def require_token(app, token: str | None) -> None:
    """Every request to `app` (a Rasa server's Sanic app) needs ?token=`token`, or gets a 401."""
    if not token:
        log.warning("%s is not set: this Rasa server answers anyone who can reach it", VARIABLE)
        return
    from sanic import response

    expected = token.encode()

    async def check(request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return None
        sent = (request.args.get("token") or "").encode()
        if not hmac.compare_digest(sent, expected):
            return response.json({"error": f"send ?token= with the server's {VARIABLE}"}, 401)
        return None

    app.register_middleware(check, "request")
