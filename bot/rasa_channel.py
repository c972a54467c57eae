"""The Rasa input channel the web process talks to: the REST channel's replies, plus what the NLU
model read in the message, in one answer.

Without it the web process had to ask `/model/parse` before the REST webhook, so every message ran
through NLU twice (docs/decisions.md). This module runs inside the Rasa server (credentials.yml
names it), never in the web process, which only knows Rasa's HTTP API (bot/rasa_client.py).

    POST /webhooks/family_line/webhook   {"sender": ..., "message": ..., "metadata": {...}}
    -> {"messages": [...as the REST channel answers, "custom" payloads included...],
        "understanding": {"intent": "greet", "confidence": 0.97, "entities": [...]}}"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)


def nothing_understood() -> dict[str, Any]:
    return {"intent": None, "confidence": None, "entities": []}


def understanding_of_turn(events: Iterable[Any], message_id: str) -> dict[str, Any]:
    """What the model read in the message `message_id`, from a tracker's events.

    Not `tracker.latest_message`: inside a form's happy path Rasa hides the user turn from it.
    The turn's last user event counts: should an action ever replay a turn with another intent
    (as Rasa's own two-stage fallback does), the replay carries no message id, unlike the
    family's next message, and is what the turn finally meant."""
    turn = None
    for event in events:
        if not isinstance(event, UserUttered):
            continue
        if event.message_id == message_id:
            turn = event
        elif turn is not None:
            if event.message_id is not None:
                break  # the family's next message: not ours
            turn = event
    if turn is None:
        return nothing_understood()
    parsed = turn.parse_data or {}
    intent = parsed.get("intent") or {}
    return {
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "entities": list(parsed.get("entities") or []),
    }


async def read_understanding(agent, sender_id: str, message_id: str) -> dict[str, Any]:
    """Reads the sender's tracker under the lock store's lock, as Rasa's own HTTP API does, so
    a tracker half-written by the sender's next message is never read."""
    if agent is None or not agent.is_ready():
        return nothing_understood()
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.processor.get_tracker(sender_id)
    return understanding_of_turn(tracker.events, message_id)


class FamilyLineInput(RestInput):
    """The REST channel with the message's understanding in its answer. No streaming: the web
    process needs the whole answer before it can reply to the family."""

    @classmethod
    def name(cls) -> str:
        return "family_line"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("family_line_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request),
                collector,
                await self._extract_sender(request),
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            # As the REST channel: a failure answers with whatever replies were collected
            # (often none, which the web process treats as Rasa being unavailable). A failed
            # turn's tracker was not saved, so there is no understanding to read then.
            understanding = nothing_understood()
            try:
                await on_new_message(message)
            except CancelledError:
                log.error("family_line: the message from %s timed out", message.sender_id)
            except Exception:
                log.exception("family_line: the message from %s failed", message.sender_id)
            else:
                understanding = await _understanding_or_nothing(request, message)
            return response.json({"messages": collector.messages, "understanding": understanding})

        return webhook


async def _understanding_or_nothing(request: Request, message: UserMessage) -> dict[str, Any]:
    # The replies are good whatever happens here: without the understanding the family still
    # gets them, only the log lacks the intent.
    try:
        return await read_understanding(
            request.app.ctx.agent, message.sender_id, message.message_id
        )
    except Exception:
        log.exception("family_line: could not read the tracker of %s", message.sender_id)
        return nothing_understood()
