"""`bot family export` and `bot family forget`: a family's data handed over whole, or gone whole
(an opt-out record excepted), on SQLite and on PostgreSQL with their foreign keys enforced."""

from __future__ import annotations

import json
import stat
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.broadcasting.states import progress
from bot.cli import main
from bot.db import engine_for
from bot.models import (
    AuditLog,
    Base,
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
    School,
    StaffUser,
    utcnow,
)
from bot.privacy.family_records import REFERENCES
from bot.privacy.rasa_copy import TRACKER_CLEARED, TRACKER_PENDING, pending_trackers

FAMILY = "+13235550100"
NEIGHBOUR = "+13235550199"
# Nothing listens here: Rasa (or its tracker store) is down.
CLOSED_PORT_URL = "http://127.0.0.1:9"
UNREACHABLE_STORE = "postgresql://postgres@127.0.0.1:9/rasa"


# --- a fake Rasa: only the tracker endpoint a forget calls -----------------------------------


class FakeRasaTrackers:
    def __init__(self):
        self.replaced: list[tuple[str, object]] = []  # (path, JSON body) of each PUT
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.replaced.append((self.path, json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def rasa():
    fake = FakeRasaTrackers()
    yield fake
    fake.close()


# Rasa's SQL tracker store keeps each conversation's events in a table of this shape.
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("data", sa.Text),
)


def tracker_store_with(url: str, events: list[tuple[str, float]]) -> None:
    """Makes `url` look like Rasa's tracker store holding these (sender_id, timestamp) events."""
    engine = engine_for(url)
    EVENTS.create(engine, checkfirst=True)
    with engine.begin() as connection:
        connection.execute(
            EVENTS.insert(),
            [
                {"sender_id": sender, "type_name": "user", "timestamp": ts, "data": "{}"}
                for sender, ts in events
            ],
        )


def senders_in_store(url: str) -> list[str]:
    with engine_for(url).connect() as connection:
        return sorted(connection.execute(select(EVENTS.c.sender_id)).scalars())


# --- families --------------------------------------------------------------------------------


def add_family(session, phone: str, name: str, *, opted_out: bool = False) -> dict:
    """A family that used everything: messages, a note, a correction, a sign-up, a broadcast."""
    now = utcnow()
    markham = session.execute(select(School).filter_by(slug="markham")).scalar_one()
    staff = session.execute(select(StaffUser)).scalars().first()
    if staff is None:
        staff = StaffUser(email="rosa@partnership.test", name="Rosa", password_hash="x")
        session.add(staff)
    contact = Contact(phone=phone, name=name, language="es", school=markham, last_seen_at=now)
    session.add(contact)
    session.flush()
    conversation = Conversation(contact_id=contact.id, channel="sms", last_message_at=now)
    session.add(conversation)
    session.flush()
    asked = Message(
        conversation_id=conversation.id, direction="in", sender="family", channel="sms",
        body=f"soy {name}, donde queda markham?", language="es", intent="school_address",
        confidence=0.91,
    )  # fmt: skip
    answered = Message(
        conversation_id=conversation.id, direction="out", sender="bot", channel="sms",
        body="La dirección de Markham es 1650 E 104th St.", language="es",
        delivery_status="delivered",
    )  # fmt: skip
    session.add_all([asked, answered])
    session.flush()
    session.add(
        ConversationNote(conversation_id=conversation.id, staff_user=staff, body=f"{name} called")
    )
    session.add(NluCorrection(message_id=asked.id, intent="school_hours", language="es"))
    if opted_out:
        stop = Message(
            conversation_id=conversation.id, direction="in", sender="family", channel="sms",
            body="BAJA", language="es",
        )  # fmt: skip
        session.add(stop)
        session.flush()
        contact.opted_out, contact.opted_out_at, contact.opt_out_source = True, now, "BAJA"
        session.add(
            ConsentEvent(
                contact_id=contact.id, kind="opt_out", source="BAJA", channel="sms",
                message_id=stop.id,
            )
        )  # fmt: skip
    session.flush()
    return {"contact": contact, "conversation": conversation, "asked": asked}


@pytest.fixture
def pc_session(sessions):
    """A Parent College session next week, with room for two adults."""
    with sessions() as session:
        found = ParentCollegeSession(
            slug="test-next-week", title={"en": "Reading at home", "es": "Leer en casa"},
            starts_at=utcnow() + timedelta(days=7), place="Markham library", capacity=2,
        )  # fmt: skip
        session.add(found)
        session.commit()
        return found.id


def build_families(sessions, pc_session_id: int, *, opted_out: bool = False) -> dict:
    """The family at FAMILY (registered, with both seats), a neighbour on the waitlist, and a
    broadcast both got. Returns ids."""
    with sessions() as session:
        family = add_family(session, FAMILY, "María", opted_out=opted_out)
        neighbour = add_family(session, NEIGHBOUR, "Lupe")
        contact, other = family["contact"], neighbour["contact"]
        session.add_all(
            [
                Registration(contact_id=contact.id, session_id=pc_session_id, adults=2,
                             name="María", status="registered"),
                Registration(contact_id=other.id, session_id=pc_session_id, adults=1,
                             name="Lupe", status="waitlisted"),
            ]
        )  # fmt: skip
        broadcast = Broadcast(
            texts={"en": "School is closed Friday", "es": "No hay clases el viernes"},
            audience={"kind": "everyone"}, state="done", recipients=2,
        )  # fmt: skip
        session.add(broadcast)
        session.flush()
        for who, sid, status in ((contact, "SM" + "1" * 32, "delivered"), (other, None, "pending")):
            session.add(
                Delivery(broadcast_id=broadcast.id, contact_id=who.id, phone=who.phone,
                         language="es", status=status, twilio_sid=sid,
                         error_message=f"The 'To' number {who.phone} was busy")
            )  # fmt: skip
        session.commit()
        return {
            "contact": contact.id,
            "public_id": contact.public_id,
            "neighbour": other.id,
            "neighbour_public_id": other.public_id,
            "conversation": family["conversation"].id,
            "message": family["asked"].id,
            "broadcast": broadcast.id,
        }


@pytest.fixture
def families(sessions, pc_session):
    return build_families(sessions, pc_session)


def cli_runner(database_url: str, tmp_path, **defaults):
    runner = CliRunner()

    def run(*args, stdin: str | None = None, **environ):
        env = {"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var"), **defaults}
        env.update(environ)
        return runner.invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def bot_cli(seeded_db, tmp_path, monkeypatch, rasa):
    """Runs `bot ...` on the test database; Rasa's tracker store is that database too (as on
    PostgreSQL in production)."""
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    return cli_runner(seeded_db, tmp_path, RASA_URL=rasa.url, RASA_TRACKER_STORE_URL=seeded_db)


def count(session, model, *conditions) -> int:
    return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar()


def audit_entries(session, action: str) -> list[AuditLog]:
    return list(session.execute(select(AuditLog).filter_by(action=action)).scalars())


# --- every reference to a family is handled --------------------------------------------------


def test_every_foreign_key_to_a_family_is_handled():
    family_tables = {"contact", "conversation", "message"}
    found = {
        (table.name, key.parent.name)
        for table in Base.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name in family_tables
    }
    assert found == set(REFERENCES), "a table points at a family: say how forgetting treats it"


# --- export ----------------------------------------------------------------------------------


def test_export_prints_everything_about_the_family_and_nothing_else(bot_cli, families, sessions):
    result = bot_cli("family", "export", "(323) 555-0100")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    contact = data["contact"]
    assert (contact["phone"], contact["name"], contact["language"]) == (FAMILY, "María", "es")
    assert contact["public_id"] == families["public_id"]
    assert contact["school"]["slug"] == "markham"
    assert contact["opted_out"] is False and contact["consent_history"] == []
    [conversation] = data["conversations"]
    messages = conversation["messages"]
    assert [(m["direction"], m["sender"]) for m in messages] == [("in", "family"), ("out", "bot")]
    assert messages[0]["body"] == "soy María, donde queda markham?"
    assert (messages[0]["intent"], messages[0]["language"]) == ("school_address", "es")
    assert messages[1]["delivery_status"] == "delivered" and messages[0]["created_at"]
    assert conversation["staff_notes"] == [
        {
            "body": "María called",
            "by": "Rosa",
            "created_at": conversation["staff_notes"][0]["created_at"],
        }
    ]
    [registration] = data["registrations"]
    assert (registration["status"], registration["adults"]) == ("registered", 2)
    assert registration["session"]["place"] == "Markham library"
    [delivery] = data["broadcast_deliveries"]
    assert (delivery["status"], delivery["text"]) == ("delivered", "No hay clases el viernes")
    [correction] = data["nlu_corrections"]
    assert (correction["message_id"], correction["intent"]) == (families["message"], "school_hours")
    assert "Lupe" not in result.stdout and NEIGHBOUR not in result.stdout
    with sessions() as session:
        [entry] = audit_entries(session, "family.export")
        assert (entry.target_type, entry.target_id) == ("contact", str(families["contact"]))
        assert entry.staff_user_id is None
        assert entry.detail["via"] == "cli" and entry.detail["operator"]
        assert "3235550100" not in json.dumps(entry.detail)


def test_export_to_a_file_only_its_owner_can_read(bot_cli, families, tmp_path):
    out = tmp_path / "family.json"
    result = bot_cli("family", "export", "323-555-0100", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"to {out}" in result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["contact"]["phone"] == FAMILY
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_opted_out_family_exports_its_consent_history(bot_cli, sessions, pc_session):
    build_families(sessions, pc_session, opted_out=True)
    contact = json.loads(bot_cli("family", "export", FAMILY).stdout)["contact"]
    assert contact["opted_out"] is True and contact["opt_out_source"] == "BAJA"
    assert [(e["kind"], e["source"]) for e in contact["consent_history"]] == [("opt_out", "BAJA")]


@pytest.mark.parametrize(
    "number, message",
    [
        ("+1 323 555 0142", "There is no family with the number +13235550142 on the line."),
        ("not a number", "'not a number' is not a phone number"),
        ("", "is not a phone number"),
    ],
)
@pytest.mark.parametrize("command", ["export", "forget"])
def test_an_unknown_or_invalid_number_is_one_clear_line(
    bot_cli, families, command, number, message
):
    result = bot_cli("family", command, number, *(["--yes"] if command == "forget" else []))
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# --- forget ----------------------------------------------------------------------------------


def test_forget_removes_the_family_and_keeps_the_broadcast_counts(
    bot_cli, families, sessions, pc_session, seeded_db
):
    tracker_store_with(
        seeded_db, [(families["public_id"], 1.0), (families["neighbour_public_id"], 2.0)]
    )
    with sessions() as session:
        counts_before = progress(session, families["broadcast"])

    result = bot_cli("family", "forget", "+1 (323) 555-0100", "--yes")

    assert result.exit_code == 0, result.output
    assert "Forgot the family at +13235550100: 1 conversation, 2 messages" in result.stdout
    assert "Rasa's copy of its conversation is emptied too." in result.stdout
    with sessions() as session:
        assert session.get(Contact, families["contact"]) is None
        assert count(session, Conversation, Conversation.id == families["conversation"]) == 0
        assert count(session, Message, Message.conversation_id == families["conversation"]) == 0
        assert count(session, ConversationNote, ConversationNote.body == "María called") == 0
        assert count(session, NluCorrection) == 1  # the neighbour's
        assert count(session, Registration, Registration.name == "María") == 0
        # Her two seats went to the family waiting.
        waiting = session.execute(select(Registration).filter_by(name="Lupe")).scalar_one()
        assert waiting.status == "registered"
        deliveries = session.execute(
            select(Delivery).filter_by(broadcast_id=families["broadcast"]).order_by(Delivery.id)
        ).scalars()
        forgotten, kept = list(deliveries)
        assert (forgotten.contact_id, forgotten.phone, forgotten.twilio_sid) == (None, None, None)
        assert forgotten.error_message is None and forgotten.status == "delivered"
        assert (kept.contact_id, kept.phone) == (families["neighbour"], NEIGHBOUR)
        assert progress(session, families["broadcast"]) == counts_before
        # The neighbour is untouched.
        neighbour = session.get(Contact, families["neighbour"])
        assert (neighbour.name, neighbour.language) == ("Lupe", "es")
        assert count(session, Message, Message.body.contains("Lupe")) == 1
        # The audit log says who and how much, never the number.
        [entry] = audit_entries(session, "family.forget")
        assert entry.target_id == str(families["contact"]) and entry.detail["via"] == "cli"
        assert (entry.detail["messages"], entry.detail["registrations"]) == (2, 1)
        assert "3235550100" not in json.dumps(entry.detail)
        assert [e.target_id for e in audit_entries(session, TRACKER_CLEARED)] == [
            families["public_id"]
        ]
        assert pending_trackers(session) == []
    assert senders_in_store(seeded_db) == [families["neighbour_public_id"]]
    assert "no family" in bot_cli("family", "export", FAMILY).stderr


def test_an_opted_out_number_keeps_only_its_opt_out_record(
    bot_cli, sessions, pc_session, seeded_db
):
    ids = build_families(sessions, pc_session, opted_out=True)
    with sessions() as session:
        held = session.get(Contact, ids["contact"])
        opted_out_at = held.opted_out_at

    result = bot_cli("family", "forget", FAMILY, "--yes")

    assert result.exit_code == 0, result.output
    assert "This number opted out" in result.stdout
    assert "Kept only the number and its opt-out record" in result.stdout
    with sessions() as session:
        kept = session.get(Contact, ids["contact"])
        assert (kept.phone, kept.opted_out, kept.opt_out_source) == (FAMILY, True, "BAJA")
        assert kept.opted_out_at == opted_out_at
        assert (kept.name, kept.language, kept.school_id, kept.last_seen_at) == (None,) * 4
        assert kept.public_id != ids["public_id"]
        [event] = kept.consent_events
        assert (event.kind, event.source, event.message_id) == ("opt_out", "BAJA", None)
        assert count(session, Conversation, Conversation.contact_id == kept.id) == 0
        assert count(session, Registration, Registration.contact_id == kept.id) == 0
        assert count(session, Delivery, Delivery.contact_id == kept.id) == 0
    exported = json.loads(bot_cli("family", "export", FAMILY).stdout)
    assert exported["conversations"] == exported["registrations"] == []
    assert exported["broadcast_deliveries"] == []
    # A second forget finds nothing more to take, and keeps the record.
    again = bot_cli("family", "forget", FAMILY, "--yes")
    assert "holds the contact +13235550100 and nothing more" in again.stdout
    with sessions() as session:
        assert session.get(Contact, ids["contact"]).opted_out is True


def test_forget_asks_first(bot_cli, families, sessions):
    held = bot_cli("family", "forget", FAMILY, stdin="n\n")
    assert held.exit_code == 1 and "Aborted" in held.output
    assert "The line holds about +13235550100: 1 conversation, 2 messages" in held.stdout
    with sessions() as session:
        assert session.get(Contact, families["contact"]) is not None
        assert audit_entries(session, "family.forget") == []
    assert bot_cli("family", "forget", FAMILY, stdin="y\n").exit_code == 0
    with sessions() as session:
        assert session.get(Contact, families["contact"]) is None


@pytest.fixture
def sqlite_families(sqlite_url, tmp_path, monkeypatch, rasa):
    """The families on SQLite, where Rasa keeps its trackers in memory (the embedded default):
    (sessions, their ids, a `bot` runner)."""
    from bot.db import session_factory
    from bot.directory.seed import seed_database
    from bot.migrate import upgrade

    monkeypatch.chdir(tmp_path)
    upgrade(sqlite_url)
    sessions = session_factory(engine_for(sqlite_url))
    with sessions() as session:
        seed_database(session)
        pc = ParentCollegeSession(
            slug="test-next-week", title={"en": "Reading", "es": "Leer"},
            starts_at=utcnow() + timedelta(days=7), place="Markham library", capacity=2,
        )  # fmt: skip
        session.add(pc)
        session.commit()
        pc_id = pc.id
    return sessions, build_families(sessions, pc_id), cli_runner(sqlite_url, tmp_path)


def test_rasa_in_memory_gets_an_empty_tracker(sqlite_families, rasa):
    _, ids, bot = sqlite_families
    result = bot("family", "forget", FAMILY, "--yes", RASA_URL=rasa.url)
    assert result.exit_code == 0, result.output
    assert rasa.replaced == [(f"/conversations/{ids['public_id']}/tracker/events", [])]


def test_rasa_down_warns_and_a_second_run_finishes(sqlite_families, rasa):
    sessions, ids, bot = sqlite_families

    down = bot("family", "forget", FAMILY, "--yes", RASA_URL=CLOSED_PORT_URL)

    assert down.exit_code == 0, down.output
    assert "Forgot the family at +13235550100" in down.stdout
    assert "Warning: Rasa is not reachable at http://127.0.0.1:9" in down.stderr
    assert "Run this command again once Rasa is up" in down.stderr
    with sessions() as session:
        assert session.get(Contact, ids["contact"]) is None  # the rest happened
        assert pending_trackers(session) == [ids["public_id"]]

    up = bot("family", "forget", FAMILY, "--yes", RASA_URL=rasa.url)

    assert up.exit_code == 0, up.output
    assert "Emptied Rasa's copy of the conversations of 1 family" in up.stdout
    assert "The line holds nothing else about +13235550100." in up.stdout
    assert rasa.replaced == [(f"/conversations/{ids['public_id']}/tracker/events", [])]
    with sessions() as session:
        assert pending_trackers(session) == []
        assert len(audit_entries(session, TRACKER_PENDING)) == 1


def test_an_unreachable_tracker_store_is_a_warning_not_a_failure(bot_cli, families, sessions):
    result = bot_cli("family", "forget", FAMILY, "--yes", RASA_TRACKER_STORE_URL=UNREACHABLE_STORE)
    assert result.exit_code == 0, result.output
    assert "Rasa's tracker store database is not reachable" in result.stderr
    with sessions() as session:
        assert session.get(Contact, families["contact"]) is None
        assert pending_trackers(session) == [families["public_id"]]
