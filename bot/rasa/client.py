"""The one seam to the Rasa server: a family's text in; the replies and what it understood out.

Rasa sees the contact's random public id, never a phone number."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import quote

import requests

from bot.rasa.token import redact, token_params


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


@dataclass
class BotReply:
    """What Rasa answered one message with: the texts for the family, whether an action handed
    the conversation to staff (its reason, e.g. "talk_to_human"), and what the model read."""

    texts: list[str]
    handoff: str | None = None
    understanding: Understanding = field(default_factory=Understanding)


# The custom channel of bot/rasa/channel.py (registered in credentials.yml): one call answers
# with the replies and the understanding, so NLU runs once per message.
CHANNEL_PATH = "/webhooks/family_line/webhook"


def _handoff_reason(items: list[dict]) -> str | None:
    # Actions signal a hand-off with dispatcher.utter_message(json_message={"handoff": reason});
    # the channel passes it on as {"recipient_id": ..., "custom": {"handoff": reason}}.
    for item in items:
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get("handoff"):
            return str(custom["handoff"])[:64]
    return None


def _understanding(raw) -> Understanding:
    # Only for the log and change_language: an odd value is "not understood", never a failure.
    if not isinstance(raw, dict):
        return Understanding()
    intent, confidence, entities = raw.get("intent"), raw.get("confidence"), raw.get("entities")
    number = isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
    return Understanding(
        intent=intent if isinstance(intent, str) else None,
        confidence=float(confidence) if number else None,
        entities=[e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else [],
    )


class RasaClient:
    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        http: requests.Session | None = None,
        token: str | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = http or requests.Session()
        self.token = token
        self.params = token_params(token)  # RASA_API_TOKEN, on every request

    def ask(self, sender_id: str, text: str, metadata: dict) -> BotReply:
        """One message to Rasa, answered within `timeout` seconds or RasaUnavailable."""
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        answer = self._call("POST", CHANNEL_PATH, time.monotonic() + self.timeout, json=payload)
        if not isinstance(answer, dict):
            raise RasaUnavailable(f"{CHANNEL_PATH} answered {type(answer).__name__}, not an object")
        messages = answer.get("messages")
        items = (
            [item for item in messages if isinstance(item, dict)]
            if isinstance(messages, list)
            else []
        )
        texts = [item["text"] for item in items if item.get("text")]
        if not texts:
            # Rasa answers 200 with nothing when a custom action failed: the family must not wait.
            raise RasaUnavailable("Rasa returned no reply")
        return BotReply(
            texts=texts,
            handoff=_handoff_reason(items),
            understanding=_understanding(answer.get("understanding")),
        )

    def status(self) -> dict:
        return self._call("GET", "/status", time.monotonic() + min(self.timeout, 3.0))

    def clear_tracker(self, sender_id: str) -> None:
        """Forgets Rasa's copy of one conversation (a family's `forget`, the retention purge):
        Rasa replaces its events with the list sent, and an empty list forgets them. Emptying
        twice is harmless. RasaUnavailable when Rasa does not confirm it."""
        path = f"/conversations/{quote(sender_id, safe='')}/tracker/events"
        self._call("PUT", path, time.monotonic() + max(self.timeout, 3.0), json=[])

    def _call(self, method: str, path: str, deadline: float, **kwargs):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RasaUnavailable(f"no time left for {path}")
        try:
            response = self.http.request(
                method,
                self.base_url + path,
                params=self.params,
                timeout=(min(remaining, 3.0), remaining),
                **kwargs,
            )
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise RasaUnavailable(redact(f"{method} {path}: {error}", self.token)) from error
