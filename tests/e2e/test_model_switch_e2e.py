"""Using a model from the Training page on the real Rasa server (bot.nlu.model_switch.activate):
Rasa's PUT /model switches it without a restart, and families texting during the switch are all
answered by the bot, none with the "bot unavailable" apology; "Go back" returns to the model
before. The switch's duration is printed, not asserted (bench/ measures it)."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import requests
from sqlalchemy import select

from bot.models import Message, NluTraining, utcnow
from bot.nlu.model_switch import activate, go_back
from bot.nlu.training import model_path
from bot.texts import text
from tests.conftest import TEST_RASA_TOKEN
from tests.e2e.conftest import texting

pytestmark = pytest.mark.e2e

QUESTIONS = ("hola", "cuando son las clases para padres", "where is Markham", "gracias")


def _loaded_model(stack) -> str:
    """The file name of the model the server answers with (Rasa's /status gives no folder)."""
    status = requests.get(f"{stack.rasa_url}/status", params={"token": TEST_RASA_TOKEN}, timeout=5)
    return status.json()["model_file"]


def test_families_texting_while_a_model_is_switched_are_all_answered(stack, client, e2e_sessions):
    reviewed = stack.reviewed_models_dir / "reviewed-900.tar.gz"
    reviewed.parent.mkdir(parents=True, exist_ok=True)
    assert _loaded_model(stack) == model_path().name
    shutil.copyfile(model_path(), reviewed)  # another file: Rasa must really load it
    with e2e_sessions() as session:
        training = NluTraining(status="ready", progress=1.0, model_file=reviewed.name,
                               finished_at=utcnow())  # fmt: skip
        session.add(training)
        session.commit()
        training_id = training.id

    answered: list[tuple[str, str, list[str]]] = []
    switching = threading.Event()
    done = threading.Event()

    def family(number: int) -> None:
        phone = f"+1818555{number:04d}"
        turn = 0
        while not done.is_set() or turn < 2:
            body = QUESTIONS[turn % len(QUESTIONS)]
            answered.append((phone, body, texting(client, body, phone)))
            turn += 1
            if switching.is_set() and turn >= 8:
                break

    families = [threading.Thread(target=family, args=(n,)) for n in range(3)]
    for thread in families:
        thread.start()
    time.sleep(2)
    switching.set()
    started = time.perf_counter()
    with e2e_sessions() as session:
        activate(session, stack, session.get(NluTraining, training_id), None)
        session.commit()
    took = time.perf_counter() - started
    done.set()
    for thread in families:
        thread.join(timeout=120)
    print(f"\nmodel switch: {took:.1f} s, {len(answered)} messages answered meanwhile")

    assert _loaded_model(stack) == reviewed.name
    apologies = {text("apology_bot_unavailable", lang) for lang in ("en", "es")}
    assert len(answered) >= 3 * 8
    for phone, body, replies in answered:
        assert replies and not apologies & set(replies), (phone, body, replies)
    with e2e_sessions() as session:
        logged = (
            session.execute(
                select(Message).where(Message.direction == "in", Message.body.in_(QUESTIONS))
            )
            .scalars()
            .all()
        )
        assert len(
            [m for m in logged if m.conversation.contact.phone.startswith("+1818555")]
        ) == len(answered)
        assert session.get(NluTraining, training_id).status == "active"

    # A family texts after the switch and is answered by the new model, then staff go back.
    assert texting(client, "hola, que hay para los papas?", "+18185559999")
    with e2e_sessions() as session:
        go_back(session, stack, None)
        session.commit()
    assert _loaded_model(stack) == model_path().name
