"""Sending a broadcast's deliveries through the real twilio library against the fake Twilio REST
API: retries per Twilio error, pause/resume/cancel, opt-outs mid-broadcast, two workers on one
broadcast, the global rate, recovery of a dead worker's claims, and the Huey tasks (immediate
mode) that drive it all. SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta, timezone

import pytest
from huey import MemoryHuey
from sqlalchemy import select

from bot.broadcasting import recovery, sending, states, tasks
from bot.broadcasting.pace import DatabasePace
from bot.broadcasting.sending import send_batch
from bot.broadcasting.states import BroadcastStateError
from bot.db import engine_for, session_factory
from bot.families.compliance import record_opt_out
from bot.models import (
    Broadcast,
    ConsentEvent,
    Contact,
    Conversation,
    Delivery,
    Message,
    utcnow,
)
from bot.sms.outbound import TwilioTransport
from tests.conftest import make_settings
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

TOKEN = "fake-twilio-auth-token-0123456789"
LINE_NUMBER = "+13235550199"
TEXTS = {"en": "No school Friday.", "es": "No hay clases el viernes."}
SENT = ("queued", "sent", "delivered")


def always_now(now, urgent):
    return now


@pytest.fixture
def fake():
    fake = FakeTwilio(token=TOKEN)
    yield fake
    fake.close()


def line_settings(database_url, tmp_path, base_url, **environ):
    return make_settings(
        database_url,
        tmp_path,
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM_NUMBER=LINE_NUMBER,
        TWILIO_API_BASE_URL=base_url,
        **{"SEND_RATE_PER_SECOND": "50", **environ},
    )


@pytest.fixture
def settings(migrated_db, fake, tmp_path):
    return line_settings(migrated_db, tmp_path, fake.url)


@pytest.fixture
def db(migrated_db):
    return session_factory(engine_for(migrated_db))


def phone_of(n: int) -> str:
    return f"+1323555{1000 + n:04d}"


def new_broadcast(
    db,
    count: int,
    *,
    texts=TEXTS,
    languages=("en", "es"),
    urgent=False,
    start=True,
    first=0,
) -> tuple[int, list[str]]:
    """A broadcast with one pending delivery per new contact (as fanout.create_deliveries
    leaves it), started unless start=False."""
    phones = [phone_of(first + n) for n in range(count)]
    with db() as session:
        broadcast = Broadcast(texts=dict(texts), audience={"kind": "everyone"}, urgent=urgent)
        session.add(broadcast)
        session.flush()
        for n, phone in enumerate(phones):
            language = languages[n % len(languages)]
            contact = Contact(phone=phone, language=language)
            session.add(contact)
            session.flush()
            session.add(
                Delivery(
                    broadcast_id=broadcast.id,
                    contact_id=contact.id,
                    phone=phone,
                    language=language,
                )
            )
        session.flush()
        broadcast.recipients = count
        if start:
            states.start(session, broadcast)
        session.commit()
        return broadcast.id, phones


def send(settings, db, broadcast_id, limit=10, **options) -> int:
    options.setdefault("next_send_time", always_now)
    return send_batch(settings, db, broadcast_id, "test-worker", limit, **options)


def delivery_to(db, phone) -> Delivery:
    with db() as session:
        return session.execute(select(Delivery).filter_by(phone=phone)).scalar_one()


def broadcast_row(db, broadcast_id) -> Broadcast:
    with db() as session:
        return session.get(Broadcast, broadcast_id)


def statuses(db, broadcast_id) -> dict[str, int]:
    with db() as session:
        return states.progress(session, broadcast_id)


def posts_to(fake, phone) -> int:
    """Every create request for this number, accepted or refused."""
    return sum(1 for r in fake.requests if r["method"] == "POST" and r["form"].get("To") == phone)


def in_minutes(minutes):
    return lambda: utcnow() + timedelta(minutes=minutes)


# --- each family gets its text once, logged in its conversation -------------------------------


def test_every_family_gets_its_language_once_and_the_text_is_logged(settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 4)

    assert send(settings, db, broadcast_id) == 4

    assert fake.duplicates() == {}
    sent = {m.to: m for m in fake.messages}
    assert sorted(sent) == sorted(phones)
    assert sent[phones[0]].body == TEXTS["en"] and sent[phones[1]].body == TEXTS["es"]
    with db() as session:
        for phone in phones:
            delivery = session.execute(select(Delivery).filter_by(phone=phone)).scalar_one()
            assert delivery.status == "queued"
            assert delivery.twilio_sid == sent[phone].sid
            assert delivery.attempts == 1 and delivery.sent_at is not None
            message = session.get(Message, delivery.message_id)
            conversation = session.get(Conversation, message.conversation_id)
            assert conversation.contact_id == delivery.contact_id
            assert conversation.channel == Conversation.CHANNEL_SMS
            assert (message.direction, message.sender) == ("out", "system")
            assert message.broadcast_id == broadcast_id
            assert message.twilio_sid == sent[phone].sid
            assert message.body == sent[phone].body
    done = broadcast_row(db, broadcast_id)
    assert done.state == Broadcast.STATE_DONE and done.finished_at is not None


def test_a_missing_language_falls_back_to_the_other(settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 2, texts={"es": "Solo en español."})

    send(settings, db, broadcast_id)

    assert {m.body for m in fake.messages} == {"Solo en español."}
    with db() as session:
        languages = session.execute(select(Message.language)).scalars().all()
    assert languages == ["es", "es"]


def test_the_console_transport_records_the_sid_with_the_send(migrated_db, db, tmp_path):
    settings = make_settings(migrated_db, tmp_path)  # no Twilio account: the embedded default
    assert settings.phone_simulator_enabled
    broadcast_id, phones = new_broadcast(db, 2)

    send(settings, db, broadcast_id)

    for phone in phones:
        delivery = delivery_to(db, phone)
        assert delivery.status == "sent" and delivery.twilio_sid.startswith("SMconsole")
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


# --- Twilio's refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, refuse_once",
    [
        ("20429", lambda fake, phone: fake.throttle_next(1)),
        ("20503", lambda fake, phone: fake.fail_next(1, 503)),
        ("30008", lambda fake, phone: fake.refuse_number(phone, 30008)),
    ],
)
def test_a_refusal_for_now_is_retried_after_a_backoff(settings, db, fake, code, refuse_once):
    broadcast_id, [phone] = new_broadcast(db, 1)
    refuse_once(fake, phone)

    assert send(settings, db, broadcast_id) == 1

    waiting = delivery_to(db, phone)
    assert (waiting.status, waiting.attempts, waiting.error_code) == ("pending", 1, code)
    assert waiting.twilio_sid is None and waiting.claimed_at is None
    backoff = waiting.next_attempt_at - utcnow()
    assert timedelta(seconds=10) < backoff <= sending.BACKOFF_FIRST
    assert send(settings, db, broadcast_id) == 0, "retried before its backoff"
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_SENDING

    fake.clear_injections()
    assert send(settings, db, broadcast_id, clock=in_minutes(1)) == 1

    sent = delivery_to(db, phone)
    assert (sent.status, sent.attempts, sent.error_code) == ("queued", 2, None)
    assert sent.twilio_sid == fake.messages[0].sid
    assert fake.sent_to(phone) == 1 and posts_to(fake, phone) == 2
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


def test_a_number_refused_every_time_fails_after_five_tries(settings, db, fake):
    broadcast_id, [phone] = new_broadcast(db, 1)
    fake.refuse_number(phone, 30008)

    for hour in range(1, 8):
        send(settings, db, broadcast_id, clock=in_minutes(60 * hour))

    failed = delivery_to(db, phone)
    assert (failed.status, failed.attempts, failed.error_code) == ("failed", 5, "30008")
    assert posts_to(fake, phone) == 5 and fake.sent_to(phone) == 0
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


@pytest.mark.parametrize("code", ["21610", "30006", "30005", "21211", "21614"])
def test_a_final_refusal_is_never_retried(settings, db, fake, code):
    broadcast_id, [phone] = new_broadcast(db, 1)
    fake.refuse_number(phone, int(code))

    send(settings, db, broadcast_id)
    assert send(settings, db, broadcast_id, clock=in_minutes(120)) == 0

    failed = delivery_to(db, phone)
    assert (failed.status, failed.attempts, failed.error_code) == ("failed", 1, code)
    assert posts_to(fake, phone) == 1
    with db() as session:
        contact = session.get(Contact, failed.contact_id)
        message = session.get(Message, failed.message_id)
        events = session.execute(select(ConsentEvent)).scalars().all()
        assert (message.delivery_status, message.error_code) == ("failed", code)
        # Only 21610 (the number said STOP at the carrier) opts the family out.
        assert contact.opted_out is (code == "21610")
        assert [e.source for e in events] == (["carrier error 21610"] if code == "21610" else [])
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


def test_a_text_twilio_took_before_the_connection_dropped_is_not_sent_again(settings, db, fake):
    broadcast_id, [phone, other] = new_broadcast(db, 2)
    fake.drop_next(1)  # accepted, but the answer never arrives

    send(settings, db, broadcast_id)
    send(settings, db, broadcast_id, clock=in_minutes(60))

    assert fake.sent_to(phone) == 1 and fake.sent_to(other) == 1
    found = delivery_to(db, phone)
    assert found.status in SENT and found.twilio_sid == fake.messages[0].sid


def test_unreachable_twilio_keeps_the_claim_until_twilio_can_be_asked(
    migrated_db, db, fake, tmp_path
):
    # Nothing listens on port 9: the send and the look-up both fail.
    down = line_settings(migrated_db, tmp_path, "http://127.0.0.1:9")
    broadcast_id, [phone] = new_broadcast(db, 1)

    send(down, db, broadcast_id)
    assert delivery_to(db, phone).status == "claimed"
    with db() as session:
        early = recovery.recover_stale_claims(down, session, broadcast_id)
        late = recovery.recover_stale_claims(
            down, session, broadcast_id, now=utcnow() + timedelta(minutes=2)
        )
    assert (early.unknown, late.unknown) == (0, 1), "claims are only checked once stale"
    assert delivery_to(db, phone).status == "claimed", "sent again without asking Twilio"

    up = line_settings(migrated_db, tmp_path, fake.url)
    with db() as session:
        recovered = recovery.recover_stale_claims(
            up, session, broadcast_id, now=utcnow() + timedelta(minutes=2)
        )
    assert (recovered.sent, recovered.pending) == (0, 1)
    send(up, db, broadcast_id)
    assert fake.sent_to(phone) == 1 and delivery_to(db, phone).status in SENT


class WorkerDied(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler sees it."""


class DyingTransport(TwilioTransport):
    """Twilio takes the text, then the worker dies before it hears the answer."""

    def send(self, to, body):
        super().send(to, body)
        raise WorkerDied


def test_a_dead_workers_claims_are_checked_against_twilio(settings, db, fake):
    broadcast_id, [taken, untouched] = new_broadcast(db, 2)
    with pytest.raises(WorkerDied):
        send(settings, db, broadcast_id, transport=DyingTransport(settings))
    assert statuses(db, broadcast_id) == {"claimed": 2}
    assert fake.sent_to(taken) == 1

    with db() as session:
        recovered = recovery.recover_stale_claims(
            settings, session, broadcast_id, now=utcnow() + timedelta(minutes=2)
        )
    assert (recovered.sent, recovered.pending, recovered.unknown) == (1, 1, 0)
    send(settings, db, broadcast_id)

    assert fake.sent_to(taken) == 1 and fake.sent_to(untouched) == 1
    assert delivery_to(db, taken).twilio_sid == fake.messages[0].sid
    with db() as session:
        message = session.get(Message, delivery_to(db, taken).message_id)
        assert message.twilio_sid == fake.messages[0].sid
        assert len(session.execute(select(Message)).scalars().all()) == 2
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


# --- pause, resume, cancel, opt-outs ---------------------------------------------------------


class HookedPace:
    """No waiting; runs hooks[n] when the n-th text (1-based) asks for its turn."""

    def __init__(self, hooks=None):
        self.hooks = hooks or {}
        self.turns = 0

    def reserve(self):
        return 0.0

    def wait_turn(self):
        self.turns += 1
        hook = self.hooks.get(self.turns)
        if hook:
            hook()
        return 0.0


def act_on(db, broadcast_id, action):
    def run():
        with db() as session:
            action(session, session.get(Broadcast, broadcast_id))
            session.commit()

    return run


def test_pause_stops_the_sending_and_resume_continues(settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 5)
    pace = HookedPace({3: act_on(db, broadcast_id, states.pause)})

    assert send(settings, db, broadcast_id, pace=pace) == 5

    assert fake.accepted_count == 2
    assert statuses(db, broadcast_id) == {"queued": 2, "pending": 3}
    paused = broadcast_row(db, broadcast_id)
    assert paused.state == Broadcast.STATE_PAUSED and paused.paused_at is not None
    assert send(settings, db, broadcast_id) == 0

    act_on(db, broadcast_id, states.resume)()
    assert send(settings, db, broadcast_id) == 3
    assert statuses(db, broadcast_id) == {"queued": 5}
    assert fake.duplicates() == {} and fake.accepted_count == 5
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


def test_cancel_mid_broadcast_leaves_nothing_pending(settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 5)
    pace = HookedPace({3: act_on(db, broadcast_id, states.cancel)})

    send(settings, db, broadcast_id, pace=pace)

    assert fake.accepted_count == 2
    assert statuses(db, broadcast_id) == {"queued": 2, "cancelled": 3}
    cancelled = broadcast_row(db, broadcast_id)
    assert cancelled.state == Broadcast.STATE_CANCELLED and cancelled.cancelled_at is not None
    assert send(settings, db, broadcast_id) == 0


def test_cancel_before_any_send_cancels_every_row(settings, db, fake):
    broadcast_id, _ = new_broadcast(db, 3)
    with db() as session:
        assert states.cancel(session, session.get(Broadcast, broadcast_id)) == 3
        session.commit()
    assert send(settings, db, broadcast_id) == 0
    assert statuses(db, broadcast_id) == {"cancelled": 3} and fake.accepted_count == 0


def test_state_changes_only_from_the_states_that_allow_them(db):
    broadcast_id, _ = new_broadcast(db, 1, start=False)
    with db() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        with pytest.raises(BroadcastStateError):
            states.pause(session, broadcast)
        states.start(session, broadcast)
        with pytest.raises(BroadcastStateError):
            states.start(session, broadcast)
        with pytest.raises(BroadcastStateError):
            states.resume(session, broadcast)
        assert broadcast.state == Broadcast.STATE_SENDING and broadcast.started_at is not None


def opt_out(db, phone):
    def run():
        with db() as session:
            contact = session.execute(select(Contact).filter_by(phone=phone)).scalar_one()
            record_opt_out(session, contact, "STOP", "sms")
            session.commit()

    return run


def test_a_family_that_opts_out_mid_broadcast_gets_nothing(settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 4)
    # The STOP arrives while the worker waits for that family's turn.
    pace = HookedPace({2: opt_out(db, phones[1])})
    opt_out(db, phones[3])()  # and one before the batch even started

    send(settings, db, broadcast_id, pace=pace)

    assert fake.sent_to(phones[1]) == 0 and fake.sent_to(phones[3]) == 0
    assert fake.sent_to(phones[0]) == 1 and fake.sent_to(phones[2]) == 1
    assert delivery_to(db, phones[1]).status == "opted_out"
    assert delivery_to(db, phones[3]).status == "opted_out"
    assert pace.turns == 3, "an opt-out known in advance spent a slot of the rate"
    with db() as session:
        logged = session.execute(select(Message.body)).scalars().all()
    assert len(logged) == 2, "a text that was not sent was logged as sent"
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


def test_quiet_hours_hold_texts_unless_the_broadcast_is_urgent(settings, db, fake):
    night = datetime(2026, 1, 15, 7, 0, tzinfo=timezone.utc)  # 23:00 in Los Angeles
    quiet, _ = new_broadcast(db, 1)
    urgent, _ = new_broadcast(db, 1, urgent=True, first=10)
    rules = sending.quiet_hours_for(settings)

    assert send(settings, db, quiet, next_send_time=rules, clock=lambda: night) == 0
    assert send(settings, db, urgent, next_send_time=rules, clock=lambda: night) == 1

    assert statuses(db, quiet) == {"pending": 1} and statuses(db, urgent) == {"queued": 1}
    with db() as session:
        wake = sending.next_wake(session, session.get(Broadcast, quiet), night, rules)
    assert wake == datetime(2026, 1, 15, 16, 0, tzinfo=timezone.utc)  # 8:00 PST


# --- several workers ---------------------------------------------------------------------------


def send_until_nothing_is_due(settings, db, broadcast_id, claimed: list[int]):
    while True:
        count = send(settings, db, broadcast_id, limit=4)
        if count == 0:
            return
        claimed.append(count)


def test_two_workers_on_one_broadcast_never_send_a_row_twice(settings, db, fake):
    fake.latency = 0.01
    broadcast_id, phones = new_broadcast(db, 40)
    claims = [[], []]
    workers = [
        threading.Thread(target=send_until_nothing_is_due, args=(settings, db, broadcast_id, c))
        for c in claims
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert all(claims), "one worker never got a row: the test did not run them side by side"
    assert sum(map(sum, claims)) == 40
    tos = [r["form"]["To"] for r in fake.requests if r["method"] == "POST"]
    assert sorted(tos) == sorted(phones), "a number was texted twice, or not at all"
    assert fake.duplicates() == {}
    assert statuses(db, broadcast_id) == {"queued": 40}
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


class CountingPace(DatabasePace):
    """The line's real limiter, remembering every slot it handed out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots: list[float] = []
        self._lock = threading.Lock()

    def reserve_slot(self):
        slot, delay = super().reserve_slot()
        with self._lock:
            self.slots.append(slot)
        return slot, delay


def test_two_workers_take_one_slot_of_the_shared_rate_per_text(migrated_db, db, fake, tmp_path):
    settings = line_settings(migrated_db, tmp_path, fake.url, SEND_RATE_PER_SECOND="50")
    pace = CountingPace(engine_for(migrated_db), 50, "test-" + secrets.token_hex(4))
    broadcast_id, _ = new_broadcast(db, 40)

    def worker():
        while send(settings, db, broadcast_id, limit=4, pace=pace):
            pass

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)

    assert fake.accepted_count == 40 and fake.duplicates() == {}
    # Every text waited for its own slot of the one limiter both workers share, and no two
    # slots are closer than the interval (more when the workers were slower than the rate):
    # the rate held across them.
    slots = sorted(pace.slots)
    assert len(slots) == 40
    gaps = [b - a for a, b in zip(slots[:-1], slots[1:], strict=True)]
    assert min(gaps) >= 1 / 50 - 2e-6, gaps


# --- the Huey tasks (immediate mode) ----------------------------------------------------------


@pytest.fixture
def huey(settings):
    huey = MemoryHuey("broadcast-test-" + secrets.token_hex(4), immediate=True)
    tasks.register_broadcast_tasks(huey, settings, pace_name="test-" + secrets.token_hex(4))
    return huey


def lease_of(huey, broadcast_id, lane):
    return huey.get(tasks.LEASE_KEY.format(broadcast_id=broadcast_id, lane=lane), peek=True)


def test_lanes_send_a_broadcast_to_the_end(huey, db, fake):
    broadcast_id, phones = new_broadcast(db, 6, urgent=True)

    tasks.enqueue_lanes(huey, broadcast_id, lanes=2)

    assert statuses(db, broadcast_id) == {"queued": 6}
    assert sorted(m.to for m in fake.messages) == sorted(phones)
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE
    assert lease_of(huey, broadcast_id, 0) is None and lease_of(huey, broadcast_id, 1) is None


def test_a_lane_with_nothing_due_comes_back_when_something_is(huey, db, fake):
    broadcast_id, [phone] = new_broadcast(db, 1, urgent=True)
    fake.throttle_next(1)

    tasks.enqueue_lanes(huey, broadcast_id, lanes=1)

    retry_at = delivery_to(db, phone).next_attempt_at
    [scheduled] = huey.scheduled()
    assert scheduled.args[0] == broadcast_id
    eta = scheduled.eta.replace(tzinfo=timezone.utc)
    assert abs((eta - retry_at).total_seconds()) < 2
    until, _ = lease_of(huey, broadcast_id, 0)
    assert until > retry_at.timestamp(), "the clock would restart a lane that is only waiting"


def test_a_replaced_lane_stops(huey, db, fake):
    broadcast_id, _ = new_broadcast(db, 2, urgent=True)
    tasks._put_lease(huey, broadcast_id, 0, 2e9, "newer")

    assert tasks.run_lane(huey, broadcast_id, 0, "older") == "replaced"
    assert fake.accepted_count == 0


def test_the_clock_starts_scheduled_broadcasts_whose_time_has_come(huey, db, fake):
    due, phones = new_broadcast(db, 2, urgent=True, start=False)
    later, _ = new_broadcast(db, 1, urgent=True, start=False, first=10)
    with db() as session:
        for broadcast_id, when in ((due, -1), (later, 60)):
            broadcast = session.get(Broadcast, broadcast_id)
            broadcast.state = Broadcast.STATE_SCHEDULED
            broadcast.scheduled_at = utcnow() + timedelta(minutes=when)
        session.commit()

    tasks.tick(huey)

    assert broadcast_row(db, due).state == Broadcast.STATE_DONE
    assert sorted(m.to for m in fake.messages) == sorted(phones)
    assert broadcast_row(db, later).state == Broadcast.STATE_SCHEDULED


def test_a_scheduled_broadcast_without_rows_gets_them_when_it_starts(huey, db, fake):
    with db() as session:
        for n in range(3):
            session.add(Contact(phone=phone_of(n), language="es"))
        session.add(
            Broadcast(
                texts=dict(TEXTS),
                audience={"kind": "everyone"},
                urgent=True,
                state=Broadcast.STATE_SCHEDULED,
                scheduled_at=utcnow() - timedelta(minutes=1),
            )
        )
        session.commit()

    tasks.tick(huey)

    assert sorted(m.to for m in fake.messages) == [phone_of(n) for n in range(3)]
    assert {m.body for m in fake.messages} == {TEXTS["es"]}


def test_the_clock_restarts_lanes_that_went_away(huey, settings, db, fake):
    broadcast_id, phones = new_broadcast(db, 3, urgent=True)
    lanes = tasks.lanes_for(settings)
    for lane in range(lanes):
        tasks._put_lease(huey, broadcast_id, lane, 2e9, f"alive-{lane}")

    tasks.tick(huey)
    assert fake.accepted_count == 0, "restarted lanes whose lease still runs"

    for lane in range(lanes):
        tasks._put_lease(huey, broadcast_id, lane, 1.0, f"dead-{lane}")
    tasks.tick(huey)

    assert sorted(m.to for m in fake.messages) == sorted(phones)
    assert broadcast_row(db, broadcast_id).state == Broadcast.STATE_DONE


def test_the_clock_settles_a_dead_workers_claims_on_a_cancelled_broadcast(huey, settings, db, fake):
    broadcast_id, [taken, untouched] = new_broadcast(db, 2, urgent=True)
    with pytest.raises(WorkerDied):
        send(settings, db, broadcast_id, transport=DyingTransport(settings))
    act_on(db, broadcast_id, states.cancel)()
    assert statuses(db, broadcast_id) == {"claimed": 2}

    tasks.tick(huey, now=utcnow() + timedelta(minutes=2))

    assert delivery_to(db, taken).twilio_sid == fake.messages[0].sid
    assert delivery_to(db, untouched).status == "cancelled"
    assert fake.accepted_count == 1
