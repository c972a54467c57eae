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
    "name, value", [("PORT", "five"), ("DEFAULT_LANGUAGE", "fr"), ("RASA_TIMEOUT", "soon")]
)
def test_unusable_values_are_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(environ={name: value}, dotenv_path=None)


def test_public_base_url_loses_its_trailing_slash():
    settings = load_settings(environ={"PUBLIC_BASE_URL": "https://x.org/"}, dotenv_path=None)
    assert settings.public_base_url == "https://x.org"
