"""The Rasa input channel the web process talks to: the REST channel's replies, plus what the NLU
model read in the message, in one answer.

Without it the web process had to ask `/model/parse` before the REST webhook, so every message ran
through NLU twice (docs/decisions.md). This module runs inside the Rasa server (credentials.yml
names it), never in the web process, which only knows Rasa's HTTP API (bot/rasa/client.py).

    POST /webhooks/family_line/webhook   {"sender": ..., "message": ..., "metadata": {...}}
    -> {"messages": [...as the REST channel answers, "custom" payloads included...],
        "understanding": {"intent": "greet", "confidence": 0.97, "entities": [...]}}"""

from __future__ import annotations

import asyncio
import logging
import os
from asyncio import CancelledError
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa.token import VARIABLE as TOKEN_VARIABLE
from bot.rasa.token import require_token

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


async def _switch_model(request: Request) -> HTTPResponse:
    """Like Rasa's PUT /model, without the pause: Rasa loads a model on its event loop, so every
    family texting meanwhile waits (half a minute on a busy two-core machine) and the web gives
    up on Rasa. Here the model loads in a thread while the old one answers, and one assignment
    puts the new one in place (bot/nlu/review_training.py)."""
    path = Path(str((request.json or {}).get("model_file") or ""))
    if path.suffixes[-2:] != [".tar", ".gz"] or not path.is_file():
        return response.json({"error": f"no model file at {str(path)!r}"}, status=400)
    agent = request.app.ctx.agent
    loop = asyncio.get_running_loop()
    try:
        processor = await loop.run_in_executor(None, _processor_for, agent, path)
    except Exception as error:  # a broken file: the old model stays
        log.exception("family_line: could not load %s", path)
        return response.json({"error": f"{type(error).__name__}: {error}"}, status=400)
    put_in_place(agent, processor)
    log.info("family_line: now answering with %s", path.name)
    return response.json({"model_file": path.name})


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

        @webhook.route("/model", methods=["POST"])
        async def switch_model(request: Request) -> HTTPResponse:
            return await _switch_model(request)

        @webhook.listener("before_server_start")
        async def guard(app, _loop) -> None:
            # One check in front of every route of this Rasa server, its API's too.
            require_token(app, os.environ.get(TOKEN_VARIABLE))

        @webhook.listener("after_server_start")
        async def catch_up(app, _loop) -> None:
            app.add_task(switch_to_the_active_model(app.ctx.agent))

        return webhook


async def switch_to_the_active_model(agent) -> None:
    """A Rasa server started after staff chose a model on the Training page (a replica added or
    restarted, by `bot run` or by a platform) starts with the model it was given, answers with
    it meanwhile, and switches to the chosen one: every replica ends up on the same model
    however it was started."""
    loop = asyncio.get_running_loop()
    try:
        chosen = await loop.run_in_executor(None, _chosen_model)
        if agent is None or agent.processor is None or chosen is None:
            return
        if chosen.name == agent.processor.model_filename:
            return
        processor = await loop.run_in_executor(None, _processor_for, agent, chosen)
    except Exception:  # the database or the file unreachable: keep the model it started with
        log.exception("family_line: could not switch to the model chosen on the Training page")
        return
    put_in_place(agent, processor)
    log.info("family_line: started late, now answering with %s", chosen.name)


# The one row of the app's database this server reads, in plain SQL: the app's models (SQLAlchemy
# 2, Python 3.11) are not installed here, only Rasa's SQLAlchemy and database drivers.
CHOSEN_MODEL_SQL = (
    "SELECT model_file FROM nlu_training WHERE status = 'active' ORDER BY id DESC LIMIT 1"
)


def _chosen_model(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The model chosen on the Training page, if one is and its file is here. `bot run` gives
    this server the app's DATABASE_URL and VAR_DIR (or MODELS_DIR), as docs/deploy.md asks
    of a production unit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    url = environ.get("DATABASE_URL")
    if not url:
        log.warning("family_line: DATABASE_URL unset; the Training page's choice is not read")
        return None
    models = environ.get("MODELS_DIR") or str(Path(environ.get("VAR_DIR") or "var") / "models")
    engine = create_engine(with_rasas_driver(url))
    try:
        with engine.connect() as connection:
            model_file = connection.execute(text(CHOSEN_MODEL_SQL)).scalar()
    except SQLAlchemyError:  # a database not migrated yet: no model was chosen
        return None
    finally:
        engine.dispose()
    if not model_file:
        return None
    path = Path(models) / model_file
    return path if path.is_file() else None


def with_rasas_driver(database_url: str) -> str:
    """The app's DATABASE_URL with the PostgreSQL driver this environment has: an operator may
    name the app's (postgresql+psycopg://, psycopg 3), but Rasa's environment has psycopg2."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")
    return url.render_as_string(hide_password=False)


def _processor_for(agent, path: Path):
    from rasa.core.processor import MessageProcessor

    return MessageProcessor(
        model_path=path,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def put_in_place(agent, processor) -> None:
    """What Rasa's Agent.load_model does after building the processor; every turn reads
    agent.processor once, so a turn is answered wholly by the old model or the new."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    agent.processor = processor
    agent.domain = processor.domain
    agent.tracker_store.domain = processor.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = processor.domain.responses if processor.domain else {}


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
