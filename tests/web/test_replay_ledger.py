"""A signed Twilio request played again after its message was purged is recognised and ignored
(issue 15, point 9): Twilio's signatures carry no time, so only the MessageSid gives it away, and
the ledger keeps it, hashed, after the message is gone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, select

from bot.conversations import replay_ledger
from bot.models import Message, SeenMessageSid, utcnow
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL


def _post(client, form):
    headers = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)}
    return client.post(WEBHOOK_URL, data=form, headers=headers)


def _messages(sessions) -> int:
    with sessions() as db:
        return db.execute(select(func.count()).select_from(Message)).scalar()


def test_a_replay_after_the_purge_gets_no_answer_and_leaves_nothing(client, sessions):
    form = twilio_sms_form("hola, cuando es la junta", "+13235550100")
    first = _post(client, form)
    assert replies_from_twiml(first.data.decode())
    with sessions() as db:  # what the retention purge or `family forget` does to the messages
        db.execute(delete(Message))
        db.commit()
    replayed = _post(client, form)
    assert replayed.status_code == 200
    assert replies_from_twiml(replayed.data.decode()) == []
    assert _messages(sessions) == 0


def test_the_ledger_holds_a_hash_and_a_date_not_the_sid(client, sessions):
    form = twilio_sms_form("hola", "+13235550100")
    _post(client, form)
    with sessions() as db:
        [row] = db.execute(select(SeenMessageSid)).scalars().all()
    assert row.sid_hash != form["MessageSid"] and len(row.sid_hash) == 64
    assert row.sid_hash == replay_ledger.digest(form["MessageSid"])
    assert row.seen_on == date.today() or row.seen_on == utcnow().date()


def test_new_messages_are_still_answered(client, sessions):
    for text in ("hola", "hola otra vez"):
        reply = _post(client, twilio_sms_form(text, "+13235550100"))
        assert replies_from_twiml(reply.data.decode())
    assert _messages(sessions) == 4


def test_the_ledger_outlives_retention_by_a_year_then_goes(sessions):
    today = utcnow()
    with sessions() as db:
        db.add(SeenMessageSid(sid_hash="a" * 64, seen_on=(today - timedelta(days=800)).date()))
        db.add(SeenMessageSid(sid_hash="b" * 64, seen_on=(today - timedelta(days=1200)).date()))
        db.commit()
        cutoff = today - timedelta(days=730)  # RETENTION_DAYS' default
        assert replay_ledger.forget_older_than(db, cutoff) == 1
        db.commit()
        assert db.execute(select(SeenMessageSid.sid_hash)).scalars().all() == ["a" * 64]
