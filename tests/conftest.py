"""Fixtures, layered: database URL -> migrated -> seeded -> app -> client -> helpers."""

from __future__ import annotations

import functools

import pytest

from bot.config import load_settings
from bot.db import engine_for, session_factory, session_scope
from bot.directory.seed import seed_database
from bot.migrate import upgrade
from bot.sms.inbound_request import sign, twilio_sms_form
from tests.support import network_guard
from tests.support.databases import (
    SqliteTemplates,
    fresh_postgres_database,
    postgres_unreachable_reason,
)
from tests.support.fake_rasa import FakeRasa

TEST_HEALTH_TOKEN = "test-health-token"
TEST_RASA_TOKEN = "test-rasa-token"
HEALTH_DETAILS = {"Authorization": f"Bearer {TEST_HEALTH_TOKEN}"}
TEST_TWILIO_TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK_URL = "http://localhost/twilio/sms"


def pytest_configure(config):
    network_guard.install()


@functools.lru_cache(maxsize=1)
def _postgres_reason() -> str | None:
    return postgres_unreachable_reason()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test that asks for it runs on SQLite and again on PostgreSQL (skipped if absent)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'family_line.db'}"
        engine_for(f"sqlite:///{tmp_path / 'family_line.db'}").dispose()
        return
    reason = _postgres_reason()
    if reason:
        pytest.skip(reason)
    with fresh_postgres_database() as url:
        yield url
        engine_for(url).dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'family_line.db'}"
    yield url
    engine_for(url).dispose()


def make_settings(database_url: str, tmp_path, **environ):
    env = {
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path / "var"),
        "TWILIO_AUTH_TOKEN": TEST_TWILIO_TOKEN,
        "RASA_API_TOKEN": TEST_RASA_TOKEN,
        "SECRET_KEY": "test-secret",
        "HEALTH_TOKEN": TEST_HEALTH_TOKEN,
        **environ,
    }
    return load_settings(environ=env, dotenv_path=None).with_overrides(testing=True)


def _seed(url: str) -> None:
    with session_scope(session_factory(engine_for(url))) as session:
        seed_database(session)


def _build_template(url: str, stage: str) -> None:
    upgrade(url)
    if stage == "seeded":
        _seed(url)
    engine_for(url).dispose()  # the copies are made from a file nothing holds open


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory):
    return SqliteTemplates(tmp_path_factory.mktemp("templates"), _build_template)


@pytest.fixture
def migrated_db(database_url, sqlite_templates):
    engine_for(database_url).dispose()
    if not sqlite_templates.restore(database_url, "migrated"):
        upgrade(database_url)
    return database_url


@pytest.fixture
def seeded_db(migrated_db, sqlite_templates):
    engine_for(migrated_db).dispose()
    if not sqlite_templates.restore(migrated_db, "seeded"):
        _seed(migrated_db)
    return migrated_db


@pytest.fixture
def sessions(seeded_db):
    return session_factory(engine_for(seeded_db))


@pytest.fixture
def fake_rasa():
    fake = FakeRasa(token=TEST_RASA_TOKEN)
    yield fake
    fake.close()


@pytest.fixture
def settings(seeded_db, fake_rasa, tmp_path):
    return make_settings(seeded_db, tmp_path, RASA_URL=fake_rasa.url, RASA_TIMEOUT="2")


@pytest.fixture
def app(settings):
    from webhooks import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def post_sms(client):
    """Posts a Twilio-shaped, Twilio-signed inbound SMS; returns (response, form)."""

    def post(body, from_number="+13235550100", token=TEST_TWILIO_TOKEN, sign_it=True, **fields):
        form = twilio_sms_form(body, from_number)
        form.update(fields)
        headers = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, token)} if sign_it else {}
        return client.post(WEBHOOK_URL, data=form, headers=headers), form

    return post
