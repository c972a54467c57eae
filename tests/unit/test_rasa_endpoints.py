"""Rasa's endpoints file from the line's settings: in-memory stores on the embedded default, the
SQL tracker store and Redis lock store when the line has PostgreSQL and Redis, passwords only
through the environment."""

from __future__ import annotations

from types import SimpleNamespace

from bot.config import load_settings
from bot.rasa.endpoints import endpoints_yaml, rasa_environment, write_endpoints
from tests.support.rasa_side import READ_ENDPOINT, run_in_rasa


def settings_with(tmp_path, **environ):
    env = {"VAR_DIR": str(tmp_path / "var"), **environ}
    return load_settings(environ=env, dotenv_path=None)


def read(tmp_path, settings, section):
    path = write_endpoints(settings)
    assert path.parent.parent == tmp_path / "var"
    # As the Rasa server reads it, in Rasa's environment (${...} filled from this environment).
    return SimpleNamespace(**run_in_rasa(READ_ENDPOINT, str(path), section))


def test_the_embedded_default_only_names_the_action_server(tmp_path):
    settings = settings_with(tmp_path)

    text = endpoints_yaml(settings)

    assert "action_endpoint" in text
    assert "tracker_store" not in text and "lock_store" not in text
    assert rasa_environment(settings) == {}


def test_postgresql_gives_rasa_a_tracker_database_of_its_own(tmp_path, monkeypatch):
    settings = settings_with(
        tmp_path, DATABASE_URL="postgresql://line:s3cr%40t@db.internal:5433/family_line"
    )
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055")
    monkeypatch.setenv("RASA_TRACKER_STORE_PASSWORD", "s3cr@t")

    tracker = read(tmp_path, settings, "tracker_store")

    assert tracker.type == "SQL"
    assert tracker.url == "db.internal"
    assert tracker.kwargs["port"] == 5433
    assert tracker.kwargs["db"] == "family_line_rasa"
    assert tracker.kwargs["login_db"] == "family_line"
    assert tracker.kwargs["username"] == "line"
    assert tracker.kwargs["password"] == "s3cr@t"  # from the environment
    assert "s3cr" not in write_endpoints(settings).read_text()
    assert rasa_environment(settings) == {"RASA_TRACKER_STORE_PASSWORD": "s3cr@t"}


def test_an_explicit_tracker_store_url_wins(tmp_path):
    settings = settings_with(
        tmp_path,
        DATABASE_URL="postgresql://line@db.internal/family_line",
        RASA_TRACKER_STORE_URL="postgresql://rasa@trackers.internal/conversations",
    )

    text = endpoints_yaml(settings)

    assert 'url: "trackers.internal"' in text and 'db: "conversations"' in text


def test_redis_gives_rasa_its_lock_store(tmp_path, monkeypatch):
    settings = settings_with(tmp_path, REDIS_URL="redis://:pw@cache.internal:6380/2")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055")
    monkeypatch.setenv("RASA_LOCK_STORE_PASSWORD", "pw")

    lock = read(tmp_path, settings, "lock_store")

    assert lock.type == "redis"
    assert lock.url == "cache.internal"
    assert (lock.kwargs["port"], lock.kwargs["db"]) == (6380, 2)
    assert lock.kwargs["password"] == "pw"
    assert lock.kwargs["key_prefix"] == "family_line"
    assert "tracker_store" not in endpoints_yaml(settings)  # SQLite data: in-memory trackers
    assert rasa_environment(settings) == {"RASA_LOCK_STORE_PASSWORD": "pw"}


def test_redis_over_tls(tmp_path):
    settings = settings_with(tmp_path, REDIS_URL="rediss://cache.internal:6380/0")

    assert "use_ssl: true" in endpoints_yaml(settings)
