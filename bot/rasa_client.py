"""The one seam to the Rasa server: a family's text in; the replies and what it understood out.

Rasa sees the contact's random public id, never a phone number."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully in time (down, slow, error, or no reply at all)."""


@dataclass
class Understanding:
    """What the NLU model read in a message."""

    intent: str | None = None
    confidence: float | None = None
    entities: list[dict] = field(default_factory=list)

    def entity(self, name: str) -> str | None:
        values = [e.get("value") for e in self.entities if e.get("entity") == name]
        return str(values[-1]) if values and values[-1] is not None else None


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 10.0, http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = http or requests.Session()

    def deadline(self) -> float:
        """One budget for all the calls that answer one message."""
        return time.monotonic() + self.timeout

    def parse(self, text: str, deadline: float) -> Understanding:
        # Asked separately from the reply: Rasa's tracker hides user turns inside a form's happy
        # path from `latest_message`, so it cannot tell what this message was read as.
        parsed = self._call("POST", "/model/parse", deadline, json={"text": text})
        intent = parsed.get("intent") or {}
        return Understanding(
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            entities=list(parsed.get("entities") or []),
        )

    def reply(self, sender_id: str, text: str, metadata: dict, deadline: float) -> list[str]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        answer = self._call("POST", "/webhooks/rest/webhook", deadline, json=payload)
        replies = [item["text"] for item in answer if isinstance(item, dict) and item.get("text")]
        if not replies:
            # Rasa answers 200 with nothing when a custom action failed: the family must not wait.
            raise RasaUnavailable("Rasa returned no reply")
        return replies

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
