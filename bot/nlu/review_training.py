"""The review loop: staff train a model with their corrections, compare it with the live one and
switch every Rasa server to it, from the console (console/training.py) or the API.

A training runs in the worker, never in a web request: the project's training data is copied
with the pending corrections added (bot/nlu/corrections.py, which also says which are kept out and
why), `rasa train` writes the model into the reviewed models folder (MODELS_DIR, a folder every
Rasa replica reads), and both models read the held-out sets in a separate process
(bot/nlu/readings.py) so the page can show what changes (bot/nlu/review_figures.py). Using a model
loads it into every replica through the family_line channel (bot/rasa/channel.py): no restart,
and the old model answers until the new one is loaded. The active model is the row with status
"active"; a Rasa server started later loads it (bot/cli/servers.py, `bot run`). Nothing here changes
nlu_data/: operators who version their data still export with `bot nlu corrections`."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import NluTraining, StaffUser, utcnow
from bot.nlu.corrections import export_corrections
from bot.nlu.readings import readings_path
from bot.nlu.review_figures import compare
from bot.nlu.training import PROJECT, model_path, train_command
from bot.rasa.venv import WORKDIR, rasa_program
from bot.staff import audit

log = logging.getLogger(__name__)

IN_PROGRESS = ("queued", "training", "evaluating")
# A training still "in progress" this long after it started lost its worker: it is marked failed
# so the next one can start (a whole training takes about six minutes).
STALE_AFTER = timedelta(hours=2)
_EPOCH = re.compile(r"Epochs:\s+(\d+)%")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Rasa colours its messages
READINGS_MODULE = "bot.nlu.readings"


class TrainingError(Exception):
    """Why a training cannot start or a model cannot be used, in words for staff."""


# --- where things are ------------------------------------------------------------------------


def training_dir(settings: Settings, training_id: int) -> Path:
    """The training's copy of the data and its log: var/trainings/<id>/."""
    return settings.var_dir / "trainings" / str(training_id)


def log_path(settings: Settings, training_id: int) -> Path:
    return training_dir(settings, training_id) / "train.log"


def model_file_name(training_id: int) -> str:
    # Not "family-line-…": `bot train` prunes those and must never delete a reviewed model.
    return f"reviewed-{training_id}.tar.gz"


def project_model() -> Path:
    """The model trained from the repository's data (`bot train`): the line's model until staff
    use one of theirs, and where "Go back" ends."""
    return model_path()


def active_training(session: Session) -> NluTraining | None:
    return (
        session.execute(
            select(NluTraining)
            .where(NluTraining.status == "active")
            .order_by(NluTraining.id.desc())
        )
        .scalars()
        .first()
    )


def active_model(session: Session, settings: Settings) -> Path:
    """The model families are answered by: the active reviewed model, or the project's."""
    try:
        active = active_training(session)
    except SQLAlchemyError:  # a database not migrated yet has no reviewed models
        session.rollback()
        active = None
    if active is not None and active.model_file:
        path = settings.reviewed_models_dir / active.model_file
        if path.exists():
            return path
        log.warning("the active model %s is missing; using the project's model", path)
    return project_model()


# --- asking for a training -------------------------------------------------------------------


def in_progress(session: Session) -> NluTraining | None:
    running = (
        session.execute(
            select(NluTraining).where(NluTraining.status.in_(IN_PROGRESS)).order_by(NluTraining.id)
        )
        .scalars()
        .first()
    )
    if running is not None and utcnow() - (running.started_at or running.created_at) > STALE_AFTER:
        _fail(running, "The worker stopped before this training finished.")
        return None
    return running


def request_training(session: Session, user: StaffUser | None) -> NluTraining:
    """A new queued training (the caller commits, then enqueues it); refused while another runs."""
    running = in_progress(session)
    if running is not None:
        raise TrainingError(
            f"Training #{running.id} is still {running.status}; wait until it is ready."
        )
    training = NluTraining(status="queued", staff_user_id=user.id if user else None, progress=0.0)
    session.add(training)
    session.flush()
    audit.record(session, user, "nlu.train", "nlu_training", training.id)
    return training


# --- the worker's part -----------------------------------------------------------------------


def run_training(session: Session, settings: Settings, training_id: int) -> NluTraining:
    """Trains, reads the held-out sets with the new and the live model, and leaves the training
    ready or failed; the live model is never touched."""
    training = session.get(NluTraining, training_id)
    if training is None or training.status != "queued":
        return training
    training.status, training.started_at, training.progress = "training", utcnow(), 0.02
    session.commit()
    workdir = training_dir(settings, training_id)
    try:
        started = time.perf_counter()
        data = _prepare_data(session, training, workdir)
        session.commit()
        model = settings.reviewed_models_dir / model_file_name(training_id)
        _train(session, training, data, model, log_path(settings, training_id))
        trained = time.perf_counter()
        training.status, training.progress, training.model_file = "evaluating", 0.85, model.name
        session.commit()
        new = _readings(model, log_path(settings, training_id))
        training.progress = 0.93
        session.commit()
        live_model = active_model(session, settings)
        live = _readings(live_model, log_path(settings, training_id))
        seconds = {
            "training": round(trained - started),
            "reading": round(time.perf_counter() - trained),
        }
        training.figures = {"live_model": live_model.name, "seconds": seconds, **compare(live, new)}
        training.status, training.progress, training.finished_at = "ready", 1.0, utcnow()
        session.commit()
    except Exception as error:  # whatever failed, the live model stays and staff read why
        session.rollback()
        log.exception("training %s failed", training_id)
        _fail(session.get(NluTraining, training_id), _reason(error))
        session.commit()
    finally:
        shutil.rmtree(workdir / "nlu_data", ignore_errors=True)
    return session.get(NluTraining, training_id)


def _prepare_data(session: Session, training: NluTraining, workdir: Path) -> Path:
    data = workdir / "nlu_data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(PROJECT / "nlu_data", data)
    summary = export_corrections(session, data, utcnow(), mark_exported=False)
    training.corrections = {
        "added": summary.written,
        "kept_out": [
            {
                "message_id": s.message_id,
                "language": s.language,
                "intent": s.intent,
                "reason": s.reason,
            }
            for s in summary.skipped
        ],  # fmt: skip
    }
    return data


def _train(session: Session, training: NluTraining, data: Path, model: Path, log_file: Path):
    model.parent.mkdir(parents=True, exist_ok=True)
    argv = train_command(PROJECT, model.parent, model.name.removesuffix(".tar.gz"), nlu_data=data)
    _run_logged(argv, log_file, lambda line: _progress(session, training, line))
    if not model.exists():
        raise TrainingError(f"rasa train finished but wrote no {model.name}")


def _progress(session: Session, training: NluTraining, line: str) -> None:
    found = _EPOCH.search(line)
    if found:
        value = 0.1 + 0.65 * int(found.group(1)) / 100
    elif "Finished training component 'DIETClassifier'" in line:
        value = 0.75
    elif "Starting to train component 'DIETClassifier'" in line:
        value = 0.1
    else:
        return
    if value - training.progress >= 0.02:
        training.progress = value
        session.commit()


def _readings(model: Path, log_file: Path) -> dict:
    cached = readings_path(model)
    if not cached.exists():
        argv = [rasa_program("python"), "-m", READINGS_MODULE, str(model), str(cached)]
        _run_logged(argv, log_file, lambda line: None)
    return json.loads(cached.read_text(encoding="utf-8"))


def _run_logged(argv: list[str], log_file: Path, on_line: Callable[[str], None]) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    # Rasa's training cache (.rasa/cache) is cwd-relative and shared with `bot train`: a training
    # from the console restores every component whose data did not change (the dialogue
    # policies, typically) instead of training it again.
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    with log_file.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(argv)}\n")
        out.flush()
        process = subprocess.Popen(
            argv, cwd=WORKDIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, **env}, text=True, errors="replace",
        )  # fmt: skip
        assert process.stdout is not None
        last = ""
        for chunk in process.stdout:
            # tqdm redraws its bar with carriage returns: each redraw is a line of its own.
            for line in chunk.split("\r"):
                if line.strip():
                    out.write(line.rstrip("\n") + "\n")
                    on_line(line)
                    last = line
            out.flush()
        if process.wait() != 0:
            said = _ANSI.sub("", last).strip()[:300]
            raise TrainingError(
                f"{Path(argv[0]).name} stopped with exit code {process.returncode}: {said}"
            )


def _reason(error: Exception) -> str:
    if isinstance(error, TrainingError):
        return f"{error}. The log below says more; the live model is unchanged."
    return f"{type(error).__name__}: {error}. The live model is unchanged."


def _fail(training: NluTraining | None, why: str) -> None:
    if training is not None:
        training.status, training.error, training.finished_at = "failed", why, utcnow()


def log_tail(settings: Settings, training_id: int, lines: int = 40) -> str:
    """The end of the training's log, for the page (the bar's redraws are many lines)."""
    path = log_path(settings, training_id)
    if not path.exists():
        return ""
    kept = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if not line.startswith("Epochs:") or line.endswith("]")]  # fmt: skip
    return "\n".join(kept[-lines:])


# --- using a model ---------------------------------------------------------------------------


# --- the worker task -------------------------------------------------------------------------

_tasks: dict = {}


def register_training_task(huey, settings: Settings):
    """Registers the training on `huey`, in the worker and the web process alike."""

    @huey.task(name="train_nlu_model")
    def train_nlu_model(training_id: int) -> None:
        from bot.db import engine_for, session_factory
        from bot.job_locks import one_at_a_time

        with one_at_a_time(huey, "train_nlu_model", STALE_AFTER.total_seconds()):
            with session_factory(engine_for(settings.database_url))() as session:
                run_training(session, settings, training_id)

    _tasks[huey] = train_nlu_model
    return train_nlu_model


def enqueue_training(huey, training_id: int) -> None:
    _tasks[huey](training_id)
