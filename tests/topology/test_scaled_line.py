"""Many families at once on the scaled topology: consecutive messages of one family answered by
different Rasa replicas with the conversation's state intact; then a Rasa replica, a worker and
Redis stopped and started again mid-load: the line apologises and queues for staff while a part
is missing, and loses nothing; a model chosen on the Training page reaches every replica, one
restarted later included."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter, defaultdict

import pytest
import requests
from sqlalchemy import create_engine, func, or_, select, text

from bot.broadcasting import compose
from bot.broadcasting.audience import Audience
from bot.broadcasting.tasks import enqueue_lanes
from bot.db import engine_for, session_factory
from bot.models import (
    Broadcast,
    Contact,
    Conversation,
    Delivery,
    Message,
    NluTraining,
    Registration,
)
from bot.nlu import model_switch
from bot.nlu.review_training import model_file_name
from bot.nlu.training import ensure_model
from bot.rasa.endpoints import tracker_store_url
from bot.texts import text as family_text
from bot.worker import build_huey
from tests.conftest import TEST_RASA_TOKEN

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

APOLOGIES = {family_text("apology_bot_unavailable", lang) for lang in ("es", "en")}

# What families ask in the middle of a school day, in both languages and in between.
QUESTIONS = [
    "hola, donde queda markham?",
    "what time does school start at jordan?",
    "tienen clases de ingles para papas?",
    "when is the next parent college?",
    "gracias!",
    "is there internet help for families?",
    "que eventos hay esta semana?",
    "thank you",
]


def sessions_of(line):
    return session_factory(engine_for(line.settings.database_url))


class Families:
    """Families texting in parallel threads, each one message after another; every answer kept."""

    def __init__(self, line, prefix: str, count: int):
        self.line = line
        self.phones = [f"+1213{prefix}{i:04d}" for i in range(count)]
        self.answers: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
        self._lock = threading.Lock()

    def each_says(self, texts: list[str], pause: float = 0.0, until=None) -> None:
        """Each family says `texts` in turn (from a different one each), once through; or over
        and over until the event `until` is set."""

        def family(index: int, phone: str) -> None:
            turn = 0
            while turn < len(texts) if until is None else not until.is_set():
                body = texts[(index + turn) % len(texts)]
                answer = self.line.text(phone, body)
                with self._lock:
                    self.answers[phone].append(answer)
                turn += 1
                time.sleep(pause)

        threads = [
            threading.Thread(target=family, args=(i, phone)) for i, phone in enumerate(self.phones)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=900)

    def all_answers(self) -> list[tuple[int, list[str]]]:
        return [answer for answers in self.answers.values() for answer in answers]


def logged(line, phones: list[str]) -> dict[str, Counter]:
    """Per phone: how many family messages and replies the database holds (not broadcasts)."""
    with sessions_of(line)() as session:
        rows = session.execute(
            select(Contact.phone, Message.direction, Message.sender, func.count())
            .join(Conversation, Conversation.contact_id == Contact.id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(
                Contact.phone.in_(phones),
                # A broadcast's own texts aside (a family's answer to one is linked to it too).
                or_(Message.broadcast_id.is_(None), Message.direction == Message.DIRECTION_IN),
            )
            .group_by(Contact.phone, Message.direction, Message.sender)
        ).all()
    counts: dict[str, Counter] = defaultdict(Counter)
    for phone, direction, sender, count in rows:
        counts[phone][(direction, sender)] += count
    return counts


def replicas_by_conversation(line) -> dict[str, list[str]]:
    served = defaultdict(list)
    for replica, sender in line.senders_served():
        served[sender].append(replica)
    return served


def public_ids(line, phones: list[str]) -> dict[str, str]:
    with sessions_of(line)() as session:
        rows = session.execute(
            select(Contact.phone, Contact.public_id).where(Contact.phone.in_(phones))
        ).all()
    return dict(rows)


def test_many_families_at_once_each_answered_once_by_either_replica(scaled_line):
    families = Families(scaled_line, "555", 12)
    families.each_says(QUESTIONS[:4])

    answers = families.all_answers()
    assert len(answers) == 12 * 4
    assert all(status == 200 and replies for status, replies in answers), answers
    assert not [r for _, replies in answers for r in replies if r in APOLOGIES], "a replica failed"
    # Nothing lost, nothing answered twice: the database has each message once and exactly the
    # replies the family got.
    counts = logged(scaled_line, families.phones)
    for phone in families.phones:
        got = sum(len(replies) for _, replies in families.answers[phone])
        assert counts[phone][("in", "family")] == 4, (phone, counts[phone])
        assert counts[phone][("out", "bot")] == got, (phone, counts[phone], got)
    # Both replicas answered, and one family's consecutive messages went to both.
    served = replicas_by_conversation(scaled_line)
    ids = public_ids(scaled_line, families.phones)
    upstreams = {url for phone in families.phones for url in served[ids[phone]]}
    assert len(upstreams) == 2, upstreams
    mixed = [phone for phone in families.phones if len(set(served[ids[phone]])) == 2]
    assert len(mixed) >= 6, f"only {len(mixed)} of 12 families were answered by both replicas"
    # Rasa's trackers (in PostgreSQL now) know each family by its random id, never its number.
    trackers = create_engine(tracker_store_url(scaled_line.settings))
    try:
        with trackers.connect() as connection:
            events = connection.execute(text("SELECT sender_id, data FROM events")).all()
    finally:
        trackers.dispose()
    assert {sender for sender, _ in events} >= set(ids.values())
    for phone in families.phones:
        digits = phone.removeprefix("+1")
        assert not [data for _, data in events if digits in data], f"{phone} reached Rasa"


def test_a_sign_up_form_carries_on_whichever_replica_answers(scaled_line):
    phone = "+12135559901"
    turns = [
        ("hola quiero inscribirme al parent college", "¿Cuál es su nombre completo?"),
        ("me llamo rosa diaz", "¿A qué escuela va su hijo o hija?"),
        ("markham", "¿A qué sesión quiere ir?"),
        ("1", "¿Cuántos adultos van a venir"),
        ("somos dos", "¿Necesita cuidado de niños"),
        ("no", "Confirmo: Rosa Diaz"),
        ("si", "¡Listo!"),
    ]
    for said, expected in turns:
        status, replies = scaled_line.text(phone, said)
        assert status == 200 and replies, (said, status)
        assert expected in " ".join(replies), (said, replies)

    served = replicas_by_conversation(scaled_line)[public_ids(scaled_line, [phone])[phone]]
    assert len(served) == len(turns)
    changes = sum(1 for a, b in zip(served, served[1:], strict=False) if a != b)
    # With nothing else running HAProxy alternates: most turns changed replica.
    assert changes >= len(turns) // 2, served
    with sessions_of(scaled_line)() as session:
        contact = session.execute(select(Contact).filter_by(phone=phone)).scalar_one()
        (registration,) = session.execute(
            select(Registration).filter_by(contact_id=contact.id)
        ).scalars()
        assert (registration.name, registration.adults) == ("Rosa Diaz", 2)


def _broadcast_to_all(line) -> int:
    with sessions_of(line)() as session:
        created = compose.create(
            session,
            {"en": "Topology test: school is open tomorrow.", "es": "Prueba: mañana hay clases."},
            Audience(kind="everyone"),
            line.settings,
            title="topology",
            urgent=True,
        )
        session.commit()
        return created.broadcast.id


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False


def test_a_replica_a_worker_and_redis_stop_and_come_back_mid_load(scaled_line):
    line = scaled_line
    families = Families(line, "556", 8)
    # The families text while the parts go away; a broadcast to everyone goes out meanwhile.
    everything_back = threading.Event()
    load = threading.Thread(
        target=families.each_says, args=(QUESTIONS, 1.0), kwargs={"until": everything_back}
    )
    load.start()
    try:
        time.sleep(3)
        broadcast_id = _broadcast_to_all(line)
        enqueue_lanes(build_huey(line.settings), broadcast_id)

        time.sleep(3)
        line.stop("rasa-1")
        time.sleep(6)
        line.kill("worker-1")
        time.sleep(3)
        line.redis.stop()
        time.sleep(6)
        line.redis.start()  # empty: Huey's queue and the locks are gone
        line.restart("worker-1")
        line.restart("rasa-1")
        time.sleep(5)
    finally:
        everything_back.set()
        load.join(timeout=900)

    # Every message was answered (an apology while Rasa could not), and logged once.
    answers = families.all_answers()
    assert len(answers) >= 8 * 5, "the families hardly texted during the outages"
    assert all(status == 200 and replies for status, replies in answers), answers
    counts = logged(line, families.phones)
    for phone in families.phones:
        said = len(families.answers[phone])
        got = sum(len(replies) for _, replies in families.answers[phone])
        assert counts[phone][("in", "family")] == said, (phone, counts[phone], said)
        assert counts[phone][("out", "bot")] + counts[phone][("out", "system")] == got, phone
    # An apology means the conversation waits for staff.
    apologised = [
        phone
        for phone, answered in families.answers.items()
        if any(reply in APOLOGIES for _, replies in answered for reply in replies)
    ]
    # Without Redis, Rasa cannot lock a conversation: the families texting then were told.
    assert apologised, "no message met the outage"
    with sessions_of(line)() as session:
        waiting = session.execute(
            select(Contact.phone)
            .join(Conversation, Conversation.contact_id == Contact.id)
            .where(Contact.phone.in_(apologised), Conversation.needs_staff.is_(True))
        ).scalars()
        assert set(waiting) == set(apologised)
    # HAProxy saw the stopped replica go: its health checks took it out (and its turns went to
    # the other one), then put it back.
    replicas = {replica.name: replica for replica in line.rasa_replicas()}
    assert replicas["rasa-1"].went_down >= 1, replicas
    assert all(replica.up for replica in replicas.values()), replicas

    # Everything is back: each family gets a real answer again, from either replica.
    for phone in families.phones:
        status, replies = line.text(phone, "hola, donde queda markham?")
        assert status == 200 and replies and not set(replies) & APOLOGIES, (phone, replies)

    # The broadcast finishes once the workers' clock sees its lanes gone: one text each.
    def finished() -> bool:
        with sessions_of(line)() as session:
            return session.get(Broadcast, broadcast_id).state == Broadcast.STATE_DONE

    assert _wait_for(finished, 300), "the broadcast did not finish after the restarts"
    with sessions_of(line)() as session:
        per_contact = session.execute(
            select(Delivery.contact_id, func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.contact_id)
        ).all()
        texts = session.execute(
            select(Message.conversation_id, func.count())
            .where(Message.broadcast_id == broadcast_id, Message.direction == Message.DIRECTION_OUT)
            .group_by(Message.conversation_id)
        ).all()
        sent = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.twilio_sid.is_not(None))
        )
    assert per_contact and all(count == 1 for _, count in per_contact)
    assert all(count == 1 for _, count in texts), "a family got the broadcast twice"
    assert sent == len(per_contact)


def _replica_urls(line) -> tuple[str, ...]:
    return tuple(line.specs[name].ready_url.split("/status")[0] for name in ("rasa-1", "rasa-2"))


def _model_of(url: str) -> str | None:
    try:
        return requests.get(f"{url}/status", params={"token": TEST_RASA_TOKEN}, timeout=10).json()[
            "model_file"
        ]
    except (requests.RequestException, ValueError, KeyError):
        return None


def test_a_model_chosen_on_the_training_page_reaches_every_replica_and_a_restarted_one(
    scaled_line,
):
    """Use this model reaches both replicas through their own addresses; a replica restarted
    afterwards (its command still names the model `bot run` started it with) switches to the
    chosen one by itself; Go back returns both to the project's model."""
    line = scaled_line
    replicas = _replica_urls(line)
    settings = line.settings.with_overrides(rasa_replica_urls=replicas)
    project = ensure_model()
    with sessions_of(line)() as session:
        training = NluTraining(status="ready", progress=1.0)
        session.add(training)
        session.flush()
        training.model_file = model_file_name(training.id)
        settings.reviewed_models_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project, settings.reviewed_models_dir / training.model_file)
        model_switch.activate(session, settings, training, None)
        session.commit()
        chosen = training.model_file
    assert [_model_of(url) for url in replicas] == [chosen, chosen]

    # Stopped first: a second server on the same port would fail to start while the first went
    # on answering (and outlived the test).
    line.stop("rasa-1")
    assert _model_of(replicas[0]) is None
    line.restart("rasa-1")
    assert _wait_for(lambda: _model_of(replicas[0]) == chosen, 180), _model_of(replicas[0])
    status, replies = line.text("+13235559801", "hola, donde queda markham?")
    assert status == 200 and replies and not set(replies) & APOLOGIES, replies

    with sessions_of(line)() as session:
        model_switch.go_back(session, settings, None)
        session.commit()
    assert [_model_of(url) for url in replicas] == [project.name, project.name]
