"""RETENTION_DAYS and the purge: `bot retention purge [--dry-run]` and the worker's daily run at
03:30 Los Angeles time, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.broadcasting.states import progress
from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.job_locks import one_at_a_time
from bot.models import (
    AuditLog,
    Broadcast,
    ConsentEvent,
    Contact,
    Conversation,
    ConversationNote,
    Delivery,
    Message,
    NluCorrection,
    ParentCollegeSession,
    Registration,
    utcnow,
)
from bot.privacy.retention import dry_run, purge
from bot.worker import RETENTION_PURGE_AT, build_huey
from tests.conftest import TEST_RASA_TOKEN, make_settings
from tests.integration.test_family_records import (
    FakeRasaTrackers,
    senders_in_store,
    tracker_store_with,
)
from tests.support import factories

DAYS = 730


def ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


# --- RETENTION_DAYS --------------------------------------------------------------------------


def test_retention_days_defaults_to_two_school_years_and_0_keeps_everything():
    assert load_settings(environ={}, dotenv_path=None).retention_days == 730
    assert load_settings(environ={"RETENTION_DAYS": "0"}, dotenv_path=None).retention_days == 0
    assert load_settings(environ={"RETENTION_DAYS": "365"}, dotenv_path=None).retention_days == 365


@pytest.mark.parametrize(
    "raw, message",
    [
        ("two years", "RETENTION_DAYS must be a whole number, got 'two years'"),
        ("-1", "RETENTION_DAYS must be days from 1 to 36500 (730 is two school years), or 0"),
        ("100000", "got 100000"),
    ],
)
def test_a_bad_retention_days_says_what_is_wrong(raw, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ={"RETENTION_DAYS": raw}, dotenv_path=None)


# --- a line with old and recent data ---------------------------------------------------------


def family_since(session, phone, name, created_days_ago, **fields) -> Contact:
    return factories.add_contact(
        session, phone, name=name, created_at=ago(created_days_ago), **fields
    )


def conversation_aged(session, contact, messages_days_ago: list[float], note: str | None = None):
    """A conversation with a family message (corrected by staff) per age given."""
    conversation = factories.add_conversation(
        session, contact, created_at=ago(max(messages_days_ago))
    )
    for days in messages_days_ago:
        message = factories.add_message(
            session, conversation, f"{contact.name} {days} days ago", at=ago(days)
        )
        session.add(NluCorrection(message_id=message.id, intent="greet", language="es"))
    if note:
        session.add(
            ConversationNote(conversation_id=conversation.id, body=note, created_at=ago(900))
        )
    return conversation


@pytest.fixture
def line(sessions):
    """Families of every age, and two broadcasts: one long ago, one last week. Returns ids."""
    with sessions() as session:
        gone = family_since(session, "+13235550101", "Old family", 900, last_seen_at=ago(800))
        conversation_aged(session, gone, [800, 790], note="called about Markham")
        opted = family_since(
            session, "+13235550102", "Old opt-out", 900, last_seen_at=ago(800),
            opted_out=True, opted_out_at=ago(800), opt_out_source="STOP",
        )  # fmt: skip
        conversation_aged(session, opted, [800])
        session.add(ConsentEvent(contact_id=opted.id, kind="opt_out", source="STOP"))
        active = family_since(session, "+13235550103", "Active family", 900, last_seen_at=ago(10))
        conversation_aged(session, active, [800], note="old note")
        recent_conversation = conversation_aged(session, active, [800, 10])
        waiting = family_since(session, "+13235550104", "Signed up", 900, last_seen_at=ago(800))
        conversation_aged(session, waiting, [800])
        pc_session = ParentCollegeSession(
            slug="next-month", title={"en": "Math", "es": "Matemáticas"},
            starts_at=utcnow() + timedelta(days=30), place="Jordan", capacity=50,
        )  # fmt: skip
        session.add(pc_session)
        session.flush()
        session.add(
            Registration(
                contact_id=waiting.id, session_id=pc_session.id, created_at=ago(800),
                updated_at=ago(800),
            )
        )  # fmt: skip
        newcomer = family_since(session, "+13235550105", "New", 2)
        old_broadcast = Broadcast(texts={"es": "hace mucho"}, audience={"kind": "everyone"})
        new_broadcast = Broadcast(texts={"es": "esta semana"}, audience={"kind": "everyone"})
        session.add_all([old_broadcast, new_broadcast])
        session.flush()
        sent = [
            (old_broadcast, gone, 800),
            (old_broadcast, active, 800),
            (new_broadcast, active, 7),
        ]
        for broadcast, contact, days in sent:
            session.add(
                Delivery(
                    broadcast_id=broadcast.id, contact_id=contact.id, phone=contact.phone,
                    language="es", status="delivered", created_at=ago(days),
                    error_message=f"{contact.phone} answered late",
                )
            )  # fmt: skip
        session.commit()
        return {
            "gone": gone.id,
            "gone_public_id": gone.public_id,
            "opted": opted.id,
            "active": active.id,
            "active_public_id": active.public_id,
            "recent_conversation": recent_conversation.id,
            "waiting": waiting.id,
            "newcomer": newcomer.id,
            "old_broadcast": old_broadcast.id,
            "new_broadcast": new_broadcast.id,
        }


def count(session, model, *conditions) -> int:
    return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar()


def snapshot(sessions) -> dict:
    with sessions() as session:
        return {
            model.__name__: count(session, model)
            for model in (Contact, Conversation, Message, NluCorrection, ConversationNote)
        } | {"numbers": count(session, Delivery, Delivery.phone.isnot(None))}


@pytest.fixture
def retention_settings(seeded_db, tmp_path):
    return make_settings(seeded_db, tmp_path, RASA_TRACKER_STORE_URL=seeded_db)


EXPECTED = {
    # The old family and the old opt-out (kept as a record only).
    "families": 2,
    "opt_out_records": 1,
    # All but the active family's recent conversation.
    "conversations": 4,
    # Every message 800 days old or older: 2 + 1 + 1 + 1 + 1.
    "messages": 6,
    "corrections": 6,
    "staff_notes": 2,
    # The signed-up family is still waiting for its session: not forgotten.
    "registrations": 0,
    # The old broadcast's two rows (one with the old family); last week's keeps its number.
    "delivery_numbers": 2,
}


def test_the_purge_removes_what_is_old_and_keeps_what_is_not(line, sessions, retention_settings):
    with sessions() as session:
        counts_before = {b: progress(session, line[b]) for b in ("old_broadcast", "new_broadcast")}

    report = purge(sessions, retention_settings, batch=2)  # small batches: several rounds

    assert report.removed.counts() == EXPECTED
    with sessions() as session:
        assert session.get(Contact, line["gone"]) is None
        kept = session.get(Contact, line["opted"])
        assert (kept.phone, kept.opted_out, kept.name) == ("+13235550102", True, None)
        assert [event.kind for event in kept.consent_events] == ["opt_out"]
        active = session.get(Contact, line["active"])
        assert active.name == "Active family"
        assert [m.body for m in session.execute(select(Message)).scalars()] == [
            "Active family 10 days ago"
        ]
        assert count(session, Conversation) == 1
        assert session.get(Conversation, line["recent_conversation"]) is not None
        assert count(session, NluCorrection) == 1 and count(session, ConversationNote) == 0
        assert session.get(Contact, line["waiting"]).name == "Signed up"
        assert session.get(Contact, line["newcomer"]) is not None
        columns = (Delivery.broadcast_id, Delivery.contact_id, Delivery.phone)
        rows = session.execute(select(*columns, Delivery.error_message).order_by(Delivery.id)).all()
        assert rows == [
            (line["old_broadcast"], None, None, None),  # the old family's: gone with it
            (line["old_broadcast"], line["active"], None, None),  # old: the number goes
            (line["new_broadcast"], line["active"], "+13235550103", "+13235550103 answered late"),
        ]
        for broadcast, before in counts_before.items():
            assert progress(session, line[broadcast]) == before


def test_a_dry_run_counts_the_same_and_changes_nothing(line, sessions, retention_settings):
    before = snapshot(sessions)
    counted = dry_run(sessions, retention_settings)
    assert snapshot(sessions) == before
    assert counted.removed.counts() == EXPECTED
    assert purge(sessions, retention_settings).removed.counts() == EXPECTED


def test_a_second_purge_finds_nothing_and_keeps_the_opt_out_record(
    line, sessions, retention_settings
):
    purge(sessions, retention_settings)
    again = purge(sessions, retention_settings)
    assert not again.anything
    assert again.lines()[0].endswith(": nothing to remove.")
    with sessions() as session:
        assert session.get(Contact, line["opted"]).opted_out is True


def test_rasa_events_older_than_the_cutoff_go(line, sessions, retention_settings, seeded_db):
    old, recent = ago(800).timestamp(), ago(10).timestamp()
    tracker_store_with(
        seeded_db,
        [(line["gone_public_id"], old), (line["active_public_id"], old)]
        + [(line["active_public_id"], recent)],
    )
    assert dry_run(sessions, retention_settings).rasa_events == 2
    report = purge(sessions, retention_settings)
    assert report.rasa_events == 2 and report.warnings == []
    assert senders_in_store(seeded_db) == [line["active_public_id"]]


def test_rasa_in_memory_empties_forgotten_families_trackers(sqlite_url, tmp_path):
    from bot.db import engine_for, session_factory
    from bot.migrate import upgrade

    upgrade(sqlite_url)
    sessions = session_factory(engine_for(sqlite_url))
    with sessions() as session:
        gone = family_since(session, "+13235550101", "Old family", 900)
        session.commit()
    rasa = FakeRasaTrackers()
    try:
        settings = make_settings(sqlite_url, tmp_path, RASA_URL=rasa.url)
        report = purge(sessions, settings)
    finally:
        rasa.close()
    assert report.trackers_emptied == 1
    # with the token every request to Rasa carries
    path = f"/conversations/{gone.public_id}/tracker/events?token={TEST_RASA_TOKEN}"
    assert rasa.replaced == [(path, [])]


# --- `bot retention purge` -------------------------------------------------------------------


@pytest.fixture
def bot_cli(seeded_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    runner = CliRunner()

    def run(*args, **environ):
        env = {
            "DATABASE_URL": seeded_db,
            "VAR_DIR": str(tmp_path / "var"),
            "RASA_TRACKER_STORE_URL": seeded_db,
            **environ,
        }
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    return run


def test_the_command_says_what_it_would_remove_then_removes_it(line, bot_cli, sessions):
    before = snapshot(sessions)
    counted = bot_cli("retention", "purge", "--dry-run")
    assert counted.exit_code == 0, counted.output
    lines = counted.stdout.splitlines()
    assert lines[0].startswith("Would remove what is older than 730 days (before ")
    assert lines[0].endswith("; nothing was changed:")
    assert lines[1:] == [
        "  2 families forgotten",
        "  1 of them kept as an opt-out record only",
        "  4 conversations",
        "  6 messages",
        "  6 NLU corrections",
        "  2 staff notes",
        "  2 broadcast deliveries' phone numbers",
    ]
    assert snapshot(sessions) == before

    done = bot_cli("retention", "purge")

    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0].startswith("Removed what is older than 730 days")
    assert done.stdout.splitlines()[1:] == lines[1:]
    with sessions() as session:
        [entry] = session.execute(select(AuditLog).filter_by(action="retention.purge")).scalars()
        assert entry.detail["via"] == "cli" and entry.detail["operator"]
        assert (entry.detail["messages"], entry.detail["families"]) == (6, 2)
        assert "3235550" not in str(entry.detail)
    assert "nothing to remove" in bot_cli("retention", "purge").stdout


def test_retention_days_0_purges_nothing(line, bot_cli, sessions):
    before = snapshot(sessions)
    result = bot_cli("retention", "purge", RETENTION_DAYS="0")
    assert result.exit_code == 0
    assert (
        result.stdout == "RETENTION_DAYS is 0: the line keeps everything, so nothing is purged.\n"
    )
    assert snapshot(sessions) == before


def test_a_bad_retention_days_is_one_line_for_the_operator(bot_cli):
    result = bot_cli("retention", "purge", RETENTION_DAYS="forever")
    assert result.exit_code == 1
    assert result.stderr == "Error: RETENTION_DAYS must be a whole number, got 'forever'\n"


# --- the worker's daily run ------------------------------------------------------------------


def purge_task(huey):
    [task] = [t for t in huey._registry.periodic_tasks if t.name == "retention_purge"]
    return task


@pytest.mark.parametrize(
    "utc, due",
    [
        (datetime(2027, 1, 15, 11, 30), True),  # 03:30 Pacific Standard Time
        (datetime(2027, 7, 15, 10, 30), True),  # 03:30 Pacific Daylight Time
        (datetime(2027, 7, 15, 11, 30), False),  # 04:30 in summer
        (datetime(2027, 1, 15, 11, 31), False),
        (datetime(2027, 1, 15, 3, 30), False),  # 03:30 UTC is the evening before in LA
    ],
)
def test_the_purge_is_due_daily_at_03_30_in_los_angeles(tmp_path, utc, due):
    settings = load_settings(environ={"VAR_DIR": str(tmp_path)}, dotenv_path=None)
    huey = build_huey(settings)
    assert (RETENTION_PURGE_AT.hour, RETENTION_PURGE_AT.minute) == (3, 30)
    due_now = {task.name for task in huey.read_periodic(utc)}
    assert ("retention_purge" in due_now) is due


def test_the_worker_purges_and_records_it(line, sessions, retention_settings):
    huey = build_huey(retention_settings)
    huey.execute(purge_task(huey))
    with sessions() as session:
        assert session.get(Contact, line["gone"]) is None
        assert count(session, Message) == 1
        [entry] = session.execute(select(AuditLog).filter_by(action="retention.purge")).scalars()
        assert entry.detail["via"] == "worker" and entry.detail["messages"] == 6


def test_one_purge_at_a_time_across_workers(line, sessions, retention_settings):
    huey = build_huey(retention_settings)
    with one_at_a_time(huey, "retention_purge", stale_after=3600):
        huey.execute(purge_task(huey))  # another worker's purge: not run
    with sessions() as session:
        assert session.get(Contact, line["gone"]) is not None
    # A lock its worker never released (it died) is taken over once stale.
    huey.put("family-line:lock:retention_purge", 0.0)
    huey.execute(purge_task(huey))
    with sessions() as session:
        assert session.get(Contact, line["gone"]) is None


def test_the_report_counts_one_and_many_in_an_operators_words():
    from datetime import timezone

    from bot.privacy.family_records import Removed
    from bot.privacy.retention import PurgeReport

    cutoff = datetime(2024, 11, 24, 8, 0, tzinfo=timezone.utc)
    one = PurgeReport(730, cutoff, True, Removed(messages=1), rasa_events=1, trackers_pending=1)
    many = PurgeReport(730, cutoff, False, Removed(messages=3), trackers_emptied=2)

    assert one.lines()[1:] == [
        "  1 message",
        "  1 Rasa conversation event",
        "  1 Rasa tracker left by an earlier forget",
    ]
    assert many.lines()[1:] == ["  3 messages", "  2 Rasa conversation trackers"]
