"""What every process of the line is told (bot/processes/command_lines.child_env): the Rasa server
runs from rasa_server/, not the checkout, and must still find the same SQLite database."""

from __future__ import annotations

from bot.config import load_settings
from bot.nlu.training import PROJECT
from bot.processes.command_lines import absolute_sqlite, child_env


def test_a_relative_sqlite_path_is_made_absolute_from_the_checkout(tmp_path):
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///var/line.db"}
    settings = load_settings(environ=env, dotenv_path=None)

    assert child_env(settings)["DATABASE_URL"] == f"sqlite:///{PROJECT / 'var' / 'line.db'}"


def test_other_urls_pass_unchanged():
    for url in (
        "sqlite:////srv/line/line.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://line:s3cr%40t@db.internal:5433/family_line",
    ):
        assert absolute_sqlite(url) == url
