"""Training the Rasa model only when its inputs changed.

The fingerprint is a hash of every training input (config, domain, NLU data, rules) and of the
Rasa environment's lock file (Rasa's and TensorFlow's versions); the model file is named after
it, so "is the model current?" is "does the file exist?"."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

# PROJECT, the checkout, is defined once there and used here by everything that trains.
from bot.rasa.venv import LOCK_FILE, PROJECT, WORKDIR, rasa_program

INPUT_FILES = ("config.yml",)
# The domain is a folder: one file per subject (schools, events, registration...), merged by Rasa.
INPUT_DIRS = ("domain", "nlu_data", "dialogue")
TRAINING_DATA_DIRS = ("nlu_data", "dialogue")
MODEL_PREFIX = "family-line-"


def fingerprint(project: Path = PROJECT) -> str:
    digest = hashlib.sha256(LOCK_FILE.read_bytes() if LOCK_FILE.exists() else b"")
    paths = [project / name for name in INPUT_FILES]
    for folder in INPUT_DIRS:
        paths += sorted(p for p in (project / folder).rglob("*") if p.is_file())
    for path in paths:
        digest.update(str(path.relative_to(project)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(project: Path = PROJECT, models_dir: Path | None = None) -> Path:
    models_dir = models_dir or project / "models"
    return models_dir / f"{MODEL_PREFIX}{fingerprint(project)}.tar.gz"


def train_command(project: Path, out: Path, name: str, nlu_data: Path | None = None) -> list[str]:
    """`rasa train` of the project's model into out/name.tar.gz, in Rasa's own environment;
    `nlu_data` replaces the project's NLU data (a console training adds staff corrections to a
    copy of it)."""
    rasa = rasa_program("rasa")
    data = [nlu_data or project / "nlu_data"]
    data += [project / d for d in TRAINING_DATA_DIRS if d != "nlu_data"]
    return [
        rasa, "train",
        "--config", str(project / "config.yml"),
        "--domain", str(project / "domain"),
        "--data", *map(str, data),
        "--out", str(out),
        "--fixed-model-name", name,
        # `make validate` checks the data (`make test` runs it); checking it again here would
        # cost a quarter of a minute of every training.
        "--skip-validation",
    ]  # fmt: skip


def ensure_model(project: Path = PROJECT, models_dir: Path | None = None, keep: int = 3) -> Path:
    """The current model's path, training it first if it does not exist yet."""
    target = model_path(project, models_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    name = target.name.removesuffix(".tar.gz")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run(train_command(project, target.parent, name), check=True, cwd=WORKDIR, env=env)
    if not target.exists():
        raise RuntimeError(f"rasa train finished but {target} is missing")
    _prune(target.parent, keep)
    return target


def _prune(models_dir: Path, keep: int) -> None:
    models = sorted(models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-keep]:
        old.unlink(missing_ok=True)
        # Its readings of the held-out sets (bot/review_training.readings_path) go with it.
        for readings in models_dir.glob(f"{old.name.removesuffix('.tar.gz')}.readings-*.json"):
            readings.unlink(missing_ok=True)
