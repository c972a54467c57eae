"""`bot env init` writes .env, which holds SECRET_KEY, readable by its owner alone (issue 15,
point 7), and tightens an older one that others could read."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

ROOT = Path(__file__).parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_env_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # .env.example is read from the project
    target = tmp_path / ".env"
    result = CliRunner().invoke(main, ["env", "init", "--path", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o600
    assert "SECRET_KEY=" in target.read_text() and "SECRET_KEY=\n" not in target.read_text()


def test_an_older_env_file_readable_by_others_is_tightened_and_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / ".env"
    target.write_text("SECRET_KEY=kept\n")
    target.chmod(0o644)
    result = CliRunner().invoke(main, ["env", "init", "--path", str(target)])
    assert result.exit_code == 0
    assert _mode(target) == 0o600
    assert target.read_text().startswith("SECRET_KEY=kept\n")
    assert "now 600" in result.output


def test_a_new_env_file_has_every_generated_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / ".env"
    CliRunner().invoke(main, ["env", "init", "--path", str(target)])
    values = dict(line.split("=", 1) for line in target.read_text().splitlines() if "=" in line
                  and not line.startswith("#"))  # fmt: skip
    for name in ("SECRET_KEY", "HEALTH_TOKEN", "RASA_API_TOKEN", "TWILIO_AUTH_TOKEN"):
        assert len(values[name]) >= 24, name


def test_an_older_env_file_gets_the_secrets_it_lacks_and_keeps_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / ".env"
    target.write_text("SECRET_KEY=kept\nRASA_API_TOKEN=\n")
    target.chmod(0o600)
    result = CliRunner().invoke(main, ["env", "init", "--path", str(target)])
    text = target.read_text()
    assert text.startswith("SECRET_KEY=kept\n")
    assert "Added to" in result.output and "RASA_API_TOKEN" in result.output
    assert "HEALTH_TOKEN=" in text and text.count("RASA_API_TOKEN=") == 1
    assert "RASA_API_TOKEN=\n" not in text
