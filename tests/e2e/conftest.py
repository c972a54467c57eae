"""The real stack for end-to-end tests: trained model (cached by fingerprint), real action server
and Rasa server, started once per test session on free ports against a seeded SQLite database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.db import engine_for, session_factory
from bot.migrate import upgrade
from bot.models import Contact, ParentCollegeSession, School
from bot.nlu.training import ensure_model
from bot.processes.command_lines import action_server, child_env, rasa_server, web
from bot.processes.supervisor import start, stop
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form
from bot.text.dates import MONTHS, day_and_time, local, time_of_day
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL, make_settings
from tests.support.parent_college import next_saturday
from tests.support.stack import StackNotReady, free_port, start_ready, wait_until_ready


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    model = ensure_model()
    home = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{home / 'family_line.db'}"
    upgrade(database_url)
    from bot.db import session_factory, session_scope
    from bot.directory.seed import seed_database

    with session_scope(session_factory(engine_for(database_url))) as session:
        seed_database(session)
    settings = make_settings(
        database_url,
        home,
        PORT=str(free_port()),
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        RASA_TIMEOUT="12",
    )
    log_path = home / "stack.log"
    log = log_path.open("w", buffering=1)
    env = {**child_env(settings), "TWILIO_AUTH_TOKEN": settings.twilio_auth_token}
    specs = [action_server(settings), rasa_server(settings, model), web(settings, workers=1)]
    _RUNNING.update(specs=specs, processes=[], env=env, log=log, log_path=log_path)
    try:
        try:
            _RUNNING["processes"] = start_ready(specs, env, log, log_path)
        except StackNotReady as error:
            pytest.fail(str(error))
        yield settings
    finally:
        stop(_RUNNING["processes"])
        log.close()
        engine_for(database_url).dispose()


# The stack's processes, for the tests that stop one mid-run and start it again.
_RUNNING: dict = {}


class StackProcesses:
    """Stops and restarts the stack's action server (0) or Rasa server (1)."""

    def stop(self, index: int) -> None:
        stop([_RUNNING["processes"][index]])

    def restart(self, index: int) -> None:
        spec = _RUNNING["specs"][index]
        process = start(spec, _RUNNING["env"], out=_RUNNING["log"])
        _RUNNING["processes"][index] = process  # the session's teardown stops this one
        wait_until_ready(spec, process, _RUNNING["log_path"])


@pytest.fixture
def stack_processes(stack) -> StackProcesses:
    return StackProcesses()


@pytest.fixture
def stack_log(stack) -> Path:
    """The file every stack process writes its output to (gunicorn's access log among it)."""
    return _RUNNING["log_path"]


@pytest.fixture(scope="session")
def client(stack):
    """The web app in-process, talking to the real Rasa and action servers."""
    from webhooks import create_app

    return create_app(stack).test_client()


@pytest.fixture(scope="session")
def e2e_sessions(stack):
    return session_factory(engine_for(stack.database_url))


_numbers = iter(range(100, 300))


def texting(client, body, from_number=None, form=None) -> list[str]:
    """One SMS, signed as Twilio signs it; the replies the TwiML answer carries."""
    form = form or twilio_sms_form(body, from_number or f"+1323555{next(_numbers):04d}")
    signature = sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)
    response = client.post(WEBHOOK_URL, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return replies_from_twiml(response.text)


@pytest.fixture(scope="session")
def pc_sessions(stack, e2e_sessions):
    """Three Parent College sessions in the coming weeks (the seed's dates are placeholders
    that will pass), the last with one seat; the seed's own are set aside meanwhile."""
    with e2e_sessions() as session:
        seeded = (
            session.execute(select(ParentCollegeSession).filter_by(archived=False)).scalars().all()
        )
        for pc_session in seeded:
            pc_session.archived = True
        schools = {s.slug: s for s in session.execute(select(School)).scalars()}
        made = []
        for weeks, slug, school, capacity in (
            (1, "e2e-watts", "markham", 100),
            (2, "e2e-boyle-heights", "roosevelt", 100),
            (3, "e2e-full", "gompers", 1),
        ):
            starts = next_saturday(weeks)
            made.append(
                ParentCollegeSession(
                    slug=slug,
                    title={"en": "Parent College", "es": "Parent College"},
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    place=schools[school].address or schools[school].name,
                    school=schools[school],
                    neighborhood=schools[school].neighborhood,
                    capacity=capacity,
                )
            )
        session.add_all(made)
        session.commit()
        labels = {s.slug: (s.starts_at, s.school.short_name) for s in made}
    yield labels
    with e2e_sessions() as session:
        session.execute(
            update(ParentCollegeSession)
            .where(ParentCollegeSession.slug.like("e2e-%"))
            .values(archived=True)
            .execution_options(synchronize_session=False)
        )
        for pc_session in seeded:
            session.execute(
                update(ParentCollegeSession).filter_by(id=pc_session.id).values(archived=False)
            )
        session.commit()


class Family:
    """One phone texting the line, turn after turn."""

    _numbers = iter(range(300, 500))

    def __init__(self, client):
        self.client = client
        self.phone = f"+1213555{next(self._numbers):04d}"

    def says(self, text: str) -> list[str]:
        return texting(self.client, text, self.phone)

    def contact(self, session) -> Contact:
        return session.execute(select(Contact).filter_by(phone=self.phone)).scalar_one()


def session_label(labels, slug, language):
    """How a session is named to families: "16 de enero, 9 a. m. en Markham" (all Saturdays,
    so Spanish saves the weekday's characters), "Saturday, January 16, 9 a.m. at Markham"."""
    starts, school = labels[slug]
    if language == "es":
        when = local(starts)
        return (
            f"{when.day} de {MONTHS['es'][when.month - 1]}, {time_of_day(starts, 'es')} en {school}"
        )
    return f"{day_and_time(starts, 'en')} at {school}"
