"""The conversation-quality evaluation (issue 13): every scenario of tests/scenarios/
conversations.yml, written by an author who wrote neither the training data nor the answers,
texted turn by turn through signed SMS into the real Rasa and action servers. It fails when
fewer than PASS_RATE of the scenarios pass in either language, and lists every failed turn.
Figures: docs/conversations.md; `make scenarios` prints them."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import select

from bot.models import Contact, Conversation, Registration, School
from bot.text.dates import MONTHS, local
from tests.conftest import TEST_RASA_TOKEN
from tests.e2e.conftest import texting
from tests.support.scenarios import Outcome, TurnState, check_turn, rate

pytestmark = pytest.mark.e2e

FOLDER = Path(__file__).parents[1] / "scenarios"
PASS_RATE = 0.95
HOLDING = (Registration.STATUS_REGISTERED, Registration.STATUS_WAITLISTED)
# pc_sessions (tests/e2e/conftest.py) makes the sessions world.yml describes, in its order.
SESSION_SLUGS = ("e2e-watts", "e2e-boyle-heights", "e2e-full")


def _load(name: str) -> dict:
    return yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def world(e2e_sessions, pc_sessions):
    """world.yml's school facts on the test database while the scenarios run (the seed's values
    back afterwards), and the placeholders its Parent College sessions fill in."""
    spec = _load("world.yml")
    placeholders = {}
    for item, slug in zip(spec["parent_college_sessions"], SESSION_SLUGS, strict=True):
        starts, school = pc_sessions[slug]
        assert school.lower() == item["school"], "world.yml and pc_sessions must agree"
        when = local(starts)
        placeholders.update({
            f"{item['key']}.day": str(when.day),
            f"{item['key']}.month_en": MONTHS["en"][when.month - 1],
            f"{item['key']}.month_es": MONTHS["es"][when.month - 1],
            f"{item['key']}.school": school,
        })  # fmt: skip
    saved = {}
    with e2e_sessions() as session:
        for slug, facts in spec["schools"].items():
            school = session.execute(select(School).filter_by(slug=slug)).scalar_one()
            saved[slug] = {name: getattr(school, name) for name in [*facts, "placeholders"]}
            for name, value in facts.items():
                setattr(school, name, value)
            school.placeholders = [p for p in school.placeholders if p not in facts]
        session.commit()
    yield placeholders
    with e2e_sessions() as session:
        for slug, values in saved.items():
            school = session.execute(select(School).filter_by(slug=slug)).scalar_one()
            for name, value in values.items():
                setattr(school, name, value)
        session.commit()


def _state(stack, e2e_sessions, phone: str) -> TurnState:
    with e2e_sessions() as session:
        contact = session.execute(select(Contact).filter_by(phone=phone)).scalar_one_or_none()
        if contact is None:
            return TurnState(seats=0, signing_up=False, handed_off=False)
        seats = len(
            session.execute(
                select(Registration).filter(
                    Registration.contact_id == contact.id, Registration.status.in_(HOLDING)
                )
            ).all()
        )
        conversation = session.execute(
            select(Conversation).filter_by(contact_id=contact.id)
        ).scalar_one_or_none()
        public_id = contact.public_id
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{public_id}/tracker",
        params={"token": TEST_RASA_TOKEN},
        timeout=10,
    ).json()
    form = (tracker.get("active_loop") or {}).get("name")
    return TurnState(
        seats=seats,
        signing_up=form == "registration_form",
        handed_off=bool(conversation and conversation.needs_staff),
    )


_phones = iter(range(1000, 2000))


def run_scenario(client, stack, e2e_sessions, scenario: dict, placeholders) -> Outcome:
    phone = f"+1310555{next(_phones):04d}"
    outcome = Outcome(scenario["id"], scenario["language"])
    for number, turn in enumerate(scenario["turns"], start=1):
        replies = texting(client, turn["say"], phone)
        state = _state(stack, e2e_sessions, phone)
        # A turn after "English please" names the language the replies switch to.
        language = turn.get("language") or scenario["language"]
        problems = check_turn(
            turn["say"], replies, turn.get("expect"), state, language, placeholders
        )
        outcome.failures += [f"turn {number} {turn['say']!r}: {p} | {replies}" for p in problems]
    return outcome


def test_conversation_scenarios_pass_in_each_language(client, stack, e2e_sessions, world):
    scenarios = _load("conversations.yml")["scenarios"]
    outcomes = [run_scenario(client, stack, e2e_sessions, s, world) for s in scenarios]
    figures = []
    for language in ("es", "en"):
        passed, total = rate(outcomes, language)
        figures.append(f"{language}: {passed}/{total} scenarios pass ({passed / total:.0%})")
    failed = [f"{o.scenario}: {f}" for o in outcomes for f in o.failures]
    print("\n".join(["", *figures, *failed]))
    for language in ("es", "en"):
        passed, total = rate(outcomes, language)
        assert passed / total >= PASS_RATE, "\n".join([*figures, *failed])
