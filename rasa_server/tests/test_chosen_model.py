"""A Rasa server started after staff chose a model on the Training page finds that model in the
app's database with plain SQL (bot/rasa/channel.py): the app's models are not installed here."""

from __future__ import annotations

import sqlite3

from bot.rasa.channel import _chosen_model, with_rasas_driver

TABLE = "CREATE TABLE nlu_training (id INTEGER PRIMARY KEY, status TEXT, model_file TEXT)"


def _database(tmp_path, rows):
    path = tmp_path / "line.db"
    with sqlite3.connect(path) as db:
        db.execute(TABLE)
        db.executemany("INSERT INTO nlu_training VALUES (?, ?, ?)", rows)
    return f"sqlite:///{path}"


def test_the_newest_active_model_whose_file_is_here(tmp_path):
    models = tmp_path / "var" / "models"
    models.mkdir(parents=True)
    (models / "reviewed-2.tar.gz").write_bytes(b"model")
    url = _database(
        tmp_path,
        [(1, "active", "reviewed-1.tar.gz"), (2, "active", "reviewed-2.tar.gz"),
         (3, "ready", "reviewed-3.tar.gz")],
    )  # fmt: skip

    chosen = _chosen_model({"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var")})

    assert chosen == models / "reviewed-2.tar.gz"


def test_models_dir_wins_over_var_dir(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "m.tar.gz").write_bytes(b"model")
    url = _database(tmp_path, [(1, "active", "m.tar.gz")])

    environ = {
        "DATABASE_URL": url,
        "VAR_DIR": "/nowhere",
        "MODELS_DIR": str(tmp_path / "elsewhere"),
    }
    assert _chosen_model(environ) == tmp_path / "elsewhere" / "m.tar.gz"


def test_nothing_chosen_keeps_the_model_it_started_with(tmp_path):
    url = _database(tmp_path, [(1, "ready", "m.tar.gz"), (2, "failed", None)])
    assert _chosen_model({"DATABASE_URL": url, "VAR_DIR": str(tmp_path)}) is None


def test_a_chosen_model_whose_file_is_missing_keeps_the_started_one(tmp_path):
    url = _database(tmp_path, [(1, "active", "gone.tar.gz")])
    assert _chosen_model({"DATABASE_URL": url, "VAR_DIR": str(tmp_path)}) is None


def test_a_database_not_migrated_or_not_named_keeps_the_started_model(tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert _chosen_model({"DATABASE_URL": f"sqlite:///{empty}"}) is None
    assert _chosen_model({}) is None


def test_the_apps_postgresql_driver_is_swapped_for_the_one_rasa_has():
    for app_url in ("postgresql://u:p%40ss@db/line", "postgresql+psycopg://u:p%40ss@db/line"):
        assert with_rasas_driver(app_url) == "postgresql+psycopg2://u:p%40ss@db/line"
    assert with_rasas_driver("sqlite:////var/line.db") == "sqlite:////var/line.db"
