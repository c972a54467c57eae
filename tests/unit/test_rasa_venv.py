"""Where the app finds Rasa's own environment (bot/rasa/venv.py), and what an operator reads when
it is not built: one line saying what to run, not a traceback from deep in a subprocess."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.rasa.venv import PROJECT, RasaMissing, rasa_program, rasa_venv


def test_the_checkouts_rasa_environment_by_default(monkeypatch):
    monkeypatch.delenv("RASA_VENV", raising=False)
    assert rasa_venv() == PROJECT / ".venv-rasa"


def test_rasa_venv_names_another(tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "rasa").write_text("#!/bin/sh\n")
    monkeypatch.setenv("RASA_VENV", str(tmp_path))
    assert rasa_program("rasa") == str(tmp_path / "bin" / "rasa")
    with pytest.raises(RasaMissing, match="make venv"):
        rasa_program("python")


@pytest.mark.parametrize("command", [["run"], ["train"]])
def test_run_and_train_say_how_to_build_it(tmp_path, monkeypatch, command):
    monkeypatch.setenv("RASA_VENV", str(tmp_path / "nowhere"))
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MODELS_DIR", str(tmp_path / "models"))
    # `bot train` with the project's model already trained says so and needs no Rasa.
    monkeypatch.setattr("bot.nlu.training.model_path", lambda *a, **k: tmp_path / "none.tar.gz")

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 1
    assert "Rasa's environment is not built. Run `make venv`" in result.output
    assert "Traceback" not in result.output
