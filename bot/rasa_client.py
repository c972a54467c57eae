"""The one seam to the Rasa server: a family's text in; the replies and what it understood out.

Rasa sees the contact's random public id, never a phone number."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully in time (down, slow, error, or no reply at all)."""


@dataclass
class BotTurn:
    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    confidence: float | None = None


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 10.0, http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = http or requests.Session()

    def converse(self, sender_id: str, text: str, metadata: dict) -> BotTurn:
        deadline = time.monotonic() + self.timeout
        # What the model understood, for the message log. The tracker's `latest_message` cannot
        # be used for this: Rasa hides user turns inside a form's happy path from it.
        parsed = self._call("POST", "/model/parse", deadline, json={"text": text})
        intent = parsed.get("intent") or {}
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        answer = self._call("POST", "/webhooks/rest/webhook", deadline, json=payload)
        replies = [item["text"] for item in answer if isinstance(item, dict) and item.get("text")]
        if not replies:
            # Rasa answers 200 with nothing when a custom action failed: the family must not wait.
            raise RasaUnavailable("Rasa returned no reply")
        return BotTurn(
            replies=replies, intent=intent.get("name"), confidence=intent.get("confidence")
        )

    def status(self) -> dict:
        return self._call("GET", "/status", time.monotonic() + min(self.timeout, 3.0))

    def _call(self, method: str, path: str, deadline: float, **kwargs):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RasaUnavailable(f"no time left for {path}")
        try:
            response = self.http.request(
                method, self.base_url + path, timeout=(min(remaining, 3.0), remaining), **kwargs
            )
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise RasaUnavailable(f"{method} {path}: {error}") from error
