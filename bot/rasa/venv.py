"""Where the Rasa server's own Python environment is: `.venv-rasa` in the checkout (`make venv`
builds it), or RASA_VENV. Rasa 3.6 runs on Python 3.10 only; the app runs on 3.11+ and never
imports rasa, so training, the Rasa server and reading a model all start a program from there."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
VARIABLE = "RASA_VENV"
# Pins every package of that environment: a new Rasa or TensorFlow means a new model.
LOCK_FILE = PROJECT / "requirements-rasa.lock"
# Where Rasa's programs run. Rasa puts its working folder first on sys.path, so it must not be the
# checkout's root, where all of the app's code would be importable: from here Rasa sees only what
# its environment installs (rasa_server/pyproject.toml). Rasa's training cache (.rasa/cache, a
# path relative to this folder) is shared by `bot train` and the console's trainings.
WORKDIR = PROJECT / "rasa_server"


class RasaMissing(RuntimeError):
    """The environment or one of its programs is not there."""


def rasa_venv() -> Path:
    return Path(os.environ.get(VARIABLE) or PROJECT / ".venv-rasa")


def rasa_program(name: str = "rasa") -> str:
    """The path of a program of the Rasa environment: "rasa", or "python" to run a module there."""
    path = rasa_venv() / "bin" / name
    if not path.exists():
        raise RasaMissing(
            f"{path} is missing: Rasa's environment is not built. Run `make venv` "
            f"(or set {VARIABLE} to a Python 3.10 environment with rasa 3.6.21)."
        )
    return str(path)
