"""Asking Rasa itself, in its own environment (.venv-rasa), how it reads a file the app wrote:
the app's tests run on Python 3.11 and cannot import rasa, but the proof that Rasa accepts the
line's endpoints and training files is Rasa reading them."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.rasa.venv import WORKDIR, RasaMissing, rasa_program


def run_in_rasa(code: str, *args: str) -> object:
    """Runs `code` with rasa importable and `args` as sys.argv[1:]; `code` prints one JSON value,
    which is returned."""
    try:
        python = rasa_program("python")
    except RasaMissing as missing:
        pytest.skip(str(missing))
    done = subprocess.run(
        [python, "-c", code, *args], cwd=WORKDIR, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


READ_ENDPOINT = """
import json, sys
from rasa.utils.endpoints import read_endpoint_config
found = read_endpoint_config(sys.argv[1], sys.argv[2])
print(json.dumps(None if found is None else
                 {"type": found.type, "url": found.url, "kwargs": found.kwargs}))
"""

READ_EXAMPLES = """
import json, sys
from rasa.shared.nlu.training_data.loading import load_data
data = load_data(sys.argv[1])
print(json.dumps([[m.get("text"), m.get("intent")] for m in data.intent_examples]))
"""
