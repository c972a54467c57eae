"""Putting a model staff trained (bot/nlu/review_training.py) in front of families, or going back
to the one before: every Rasa server loads it at once through the line's channel, and the
choice is recorded so a Rasa server started later loads it too. Staff press the buttons on the
console's Training page; an operator can do the same from the API."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import NluTraining, StaffUser, utcnow
from bot.nlu.review_training import (
    TrainingError,
    active_model,
    active_training,
    project_model,
)
from bot.rasa.token import redact, token_params
from bot.staff import audit

# How long one Rasa server may take to load a model (about ten seconds on two cores).
LOAD_TIMEOUT = 120
Post = Callable[..., requests.Response]
# The family_line channel's switch (bot/rasa/channel.py): Rasa's own PUT /model would stop every
# conversation while the model loads.
SWITCH_PATH = "/webhooks/family_line/model"


def load_everywhere(settings: Settings, model: Path, post: Post = requests.post) -> list[str]:
    """Loads `model` into every Rasa server at once (one after another, each replica's load
    would add to the switch); the servers that refused, with why ([] when all took it)."""

    def load(url: str) -> str | None:
        try:
            answer = post(
                f"{url}{SWITCH_PATH}",
                params=token_params(settings.rasa_api_token),
                json={"model_file": str(model)},
                timeout=LOAD_TIMEOUT,
            )
        except requests.RequestException as error:
            return redact(f"{url}: {error}", settings.rasa_api_token)
        if answer.status_code >= 300:
            why = f"{url} answered {answer.status_code}: {answer.text[:200]}"
            return redact(why, settings.rasa_api_token)
        return None

    servers = list(settings.rasa_servers)
    with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:
        return [why for why in pool.map(load, servers) if why]


def activate(
    session: Session, settings: Settings, training: NluTraining, user: StaffUser | None,
    post: Post = requests.post,
) -> NluTraining:  # fmt: skip
    """Every Rasa server answers families with `training`'s model (the caller commits)."""
    if training.status not in ("ready", "active"):
        raise TrainingError(f"Training #{training.id} is {training.status}, not ready to use.")
    model = settings.reviewed_models_dir / (training.model_file or "")
    if not training.model_file or not model.exists():
        raise TrainingError(f"The model file of training #{training.id} is gone.")
    previous = active_model(session, settings)
    _switch(settings, model, previous, post)
    current = active_training(session)
    if current is not None and current.id != training.id:
        current.status = "ready"
    training.status, training.activated_at = "active", utcnow()
    audit.record(session, user, "nlu.activate", "nlu_training", training.id, model=model.name,
                 previous=previous.name, servers=len(settings.rasa_servers))  # fmt: skip
    return training


def go_back(
    session: Session, settings: Settings, user: StaffUser | None, post: Post = requests.post
) -> NluTraining | None:
    """Back to the model used before the active one: the training activated before it, or at the
    end the project's model. The withdrawn model stays ready; the caller commits."""
    current = active_training(session)
    if current is None:
        raise TrainingError("Families already get the project's model; there is none before it.")
    earlier = session.execute(
        select(NluTraining)
        .where(NluTraining.id != current.id, NluTraining.status == "ready",
               NluTraining.activated_at.is_not(None),
               NluTraining.activated_at < current.activated_at)
        .order_by(NluTraining.activated_at.desc())
    ).scalars()  # fmt: skip
    back = next(
        (t for t in earlier if (settings.reviewed_models_dir / (t.model_file or "")).is_file()),
        None,
    )
    model = settings.reviewed_models_dir / back.model_file if back else project_model()
    if not model.exists():
        raise TrainingError(f"The earlier model {model.name} is gone; run `bot train`.")
    _switch(settings, model, settings.reviewed_models_dir / current.model_file, post)
    # Withdrawn: no longer in the line of models "Go back" walks through.
    current.status, current.activated_at = "ready", None
    if back is not None:
        back.status = "active"
    audit.record(session, user, "nlu.go_back", "nlu_training", current.id, model=model.name)
    return back


def _switch(settings: Settings, model: Path, previous: Path, post: Post) -> None:
    refused = load_everywhere(settings, model, post)
    if refused:
        # Some servers may have the new model: every server goes back to the one before, so
        # families never get two models at once.
        load_everywhere(settings, previous, post)
        raise TrainingError("Not every Rasa server took the model: " + "; ".join(refused))
