import pytest

from bot.config import ConfigError, load_settings


def test_defaults_need_no_account(tmp_path):
    settings = load_settings(environ={"VAR_DIR": str(tmp_path)}, dotenv_path=None)
    assert settings.database_url == f"sqlite:///{tmp_path / 'family_line.db'}"
    assert settings.redis_url is None
    assert (settings.port, settings.rasa_port, settings.action_port) == (5000, 5005, 5055)
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.action_server_url == "http://127.0.0.1:5055"
    assert not settings.twilio_webhook_enabled


def test_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("RASA_PORT=6000\nTWILIO_AUTH_TOKEN=from-file\nPORT=7000\n")
    settings = load_settings(environ={"PORT": "8000"}, dotenv_path=dotenv)
    assert settings.port == 8000
    assert settings.rasa_port == 6000
    assert settings.rasa_url == "http://127.0.0.1:6000"
    assert settings.twilio_webhook_enabled


@pytest.mark.parametrize(
    "name, value",
    [
        ("PORT", "five"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("RASA_TIMEOUT", "soon"),
        ("HANDOFF_HOURS", "a day"),
        ("HANDOFF_HOURS", "-1"),
        ("HANDOFF_HOURS", "1.5"),
        ("HANDOFF_HOURS", "100000"),
        ("WEB_THREADS", "many"),
        ("WEB_THREADS", "0"),
        ("WEB_THREADS", "65"),
    ],
)
def test_unusable_values_are_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(environ={name: value}, dotenv_path=None)


def test_public_base_url_loses_its_trailing_slash():
    settings = load_settings(environ={"PUBLIC_BASE_URL": "https://x.org/"}, dotenv_path=None)
    assert settings.public_base_url == "https://x.org"


@pytest.mark.parametrize("value, hours", [(None, 24), ("", 24), ("0", 0), ("72", 72)])
def test_handoff_hours(value, hours):
    environ = {} if value is None else {"HANDOFF_HOURS": value}
    assert load_settings(environ=environ, dotenv_path=None).handoff_hours == hours


@pytest.mark.parametrize("value, threads", [(None, 8), ("", 8), ("1", 1), ("16", 16)])
def test_web_threads_reach_gunicorns_command_line(value, threads):
    from bot.processes.command_lines import web

    environ = {} if value is None else {"WEB_THREADS": value}
    settings = load_settings(environ=environ, dotenv_path=None)
    assert settings.web_threads == threads
    argv = web(settings).argv
    assert argv[argv.index("--threads") + 1] == str(threads)


def test_broadcast_settings_have_defaults_and_refuse_nonsense():
    from datetime import time

    settings = load_settings(environ={}, dotenv_path=None)
    assert settings.send_window == (time(8), time(21))
    assert settings.reminder_time == time(10)
    assert settings.segment_price == 0.0083
    custom = load_settings(
        environ={"SEND_WINDOW": "09:30-20:00", "REMINDER_TIME": "17:45", "SEGMENT_PRICE": "0.01"},
        dotenv_path=None,
    )
    assert custom.send_window == (time(9, 30), time(20)) and custom.reminder_time == time(17, 45)
    for environ, words in (
        ({"SEND_WINDOW": "21:00-08:00"}, "the first earlier"),
        ({"SEND_WINDOW": "8"}, "SEND_WINDOW"),
        ({"REMINDER_TIME": "noon"}, "REMINDER_TIME must be a time"),
        ({"SEGMENT_PRICE": "cheap"}, "SEGMENT_PRICE"),
        ({"SEND_RATE_PER_SECOND": "0"}, "SEND_RATE_PER_SECOND must be 1 or more"),
    ):
        with pytest.raises(ConfigError, match=words):
            load_settings(environ=environ, dotenv_path=None)


def test_a_new_model_reaches_every_replica_and_lives_in_a_shared_folder(tmp_path):
    alone = load_settings(environ={"VAR_DIR": str(tmp_path)}, dotenv_path=None)
    assert alone.rasa_servers == ("http://127.0.0.1:5005",)
    assert alone.reviewed_models_dir == tmp_path / "models"
    scaled = load_settings(
        environ={
            "RASA_REPLICA_URLS": " http://rasa-1:5005/, http://rasa-2:5005 ,",
            "MODELS_DIR": str(tmp_path / "shared"),
        },
        dotenv_path=None,
    )
    assert scaled.rasa_servers == ("http://rasa-1:5005", "http://rasa-2:5005")
    assert scaled.reviewed_models_dir == tmp_path / "shared"
