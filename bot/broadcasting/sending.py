"""Sending a broadcast: the workers' loop over its delivery rows, one text per family at the
line's one send rate. Its state (start, pause, resume, cancel) is bot/broadcasting/states.py.

A worker claims a few due "pending" rows (bot/broadcasting/claims.py) and settles at once those
it must not send (opted out, no valid number...), then for each of the others: waits for its
slot of the global rate, logs the text in the family's SMS conversation and commits, sends it,
and records Twilio's answer. Two transactions per text: a worker's CPU, not Twilio, is what
bounds the rate on a small machine (bench/broadcast.py).

A worker that dies mid-send leaves its rows "claimed"; once a claim is older than CLAIM_TIMEOUT
each is looked up on Twilio before it is sent again (bot/broadcasting/recovery.py)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.broadcasting import quiet_hours
from bot.broadcasting.claims import CLAIMED, claim, held, record_sent, release
from bot.broadcasting.pace import Pace
from bot.broadcasting.states import PENDING, finish_if_done
from bot.config import Settings
from bot.conversations.log import current_conversation, log_message
from bot.db import engine_for
from bot.models import (
    Broadcast,
    Contact,
    Conversation,
    Delivery,
    Message,
    TwilioStatus,
    utcnow,
)
from bot.parent_college.registrations import holds_seat
from bot.sms.outbound import SendResult, Transport, send_text, transport_for
from bot.text.phone import mask_numbers

log = logging.getLogger(__name__)

# A claim older than this means its worker died mid-send. A send gives up after
# bot.sms.outbound.TWILIO_TIMEOUT_SECONDS (10 s), so a live worker never holds one this long.
CLAIM_TIMEOUT = timedelta(seconds=60)
MAX_ATTEMPTS = 5
# Retries wait about 30 s, 1, 2, 4 min (each between half and all of it: jitter, so rows
# refused together do not all come back in the same second).
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_LONGEST = timedelta(minutes=15)
# The most rows one worker holds at once. Fewer at a slow rate: a claimed row waits for the
# pace, and a claim that waits too long looks like a dead worker's.
MAX_BATCH = 20
# Twilio's answers that mean "not now": too many requests (429 / 20429), its own errors (5xx /
# 20500 / 20503; the library uses the HTTP status as the code when the body has none) and
# 30008 (unknown error). Every other code is final.
RETRY_CODES = frozenset({"429", "20429", "500", "502", "503", "504", "20500", "20503", "30008"})

FAILED = TwilioStatus.FAILED

NextSendTime = Callable[[datetime, bool], datetime]


# --- when texts may go -----------------------------------------------------------------------


def quiet_hours_for(settings: Settings) -> NextSendTime:
    """The line's quiet hours as next_send_time(now, urgent): outside SEND_WINDOW texts wait."""
    window_start, window_end = settings.send_window

    def next_send_time(now: datetime, urgent: bool) -> datetime:
        return quiet_hours.next_send_time(
            now, urgent, quiet_start=window_end, quiet_end=window_start
        )

    return next_send_time


def batch_size(settings: Settings) -> int:
    # About a second of sending at the line's rate: a row never waits long for its slot.
    return max(1, min(MAX_BATCH, settings.send_rate_per_second))


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long a row waits after its `attempts`-th try was refused for now."""
    full = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_LONGEST)
    return full * (rng or random).uniform(0.5, 1.0)


def next_wake(
    session: Session, broadcast: Broadcast, now: datetime, next_send_time: NextSendTime
) -> datetime | None:
    """When a worker should next look at the broadcast: its first pending row's time (after a
    retry's backoff, out of quiet hours) or the moment a claim still held becomes stale. None
    when nothing is outstanding."""
    of_broadcast = Delivery.broadcast_id == broadcast.id
    first_due = session.scalar(
        select(func.min(func.coalesce(Delivery.next_attempt_at, now))).where(
            of_broadcast, Delivery.status == PENDING
        )
    )
    first_claim = session.scalar(
        select(func.min(Delivery.claimed_at)).where(of_broadcast, Delivery.status == CLAIMED)
    )
    times = []
    if first_due is not None:
        times.append(next_send_time(max(first_due, now), broadcast.urgent))
    if first_claim is not None:
        times.append(first_claim + CLAIM_TIMEOUT)
    return min(times) if times else None


# --- claiming --------------------------------------------------------------------------------


# --- sending one batch -----------------------------------------------------------------------


class Outcome(Enum):
    SENT = "sent"  # Twilio has it
    SETTLED = "settled"  # nothing sent and nothing to send (opted out, failed, cancelled)
    RETRY = "retry"  # back to pending for a later try
    UNKNOWN = "unknown"  # Twilio could not be asked; stays claimed for recovery
    LOST = "lost"  # the claim was no longer this worker's
    STOPPED = "stopped"  # the broadcast was paused or cancelled
    DEFERRED = "deferred"  # quiet hours began


@dataclass
class _Run:
    settings: Settings
    sessions: sessionmaker
    broadcast_id: int
    broadcast: Broadcast  # as read when the batch began (texts, kind, session); detached
    worker_id: str
    pace: Pace
    transport: Transport
    next_send_time: NextSendTime
    clock: Callable[[], datetime]


def send_batch(
    settings: Settings,
    sessions: sessionmaker,
    broadcast_id: int,
    worker_id: str,
    limit: int | None = None,
    *,
    pace: Pace | None = None,
    transport: Transport | None = None,
    next_send_time: NextSendTime | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Claims up to `limit` due rows of a broadcast that is sending and sends them; returns how
    many it claimed (0: nothing due now: paused, done, quiet hours, backoff, or all claimed by
    other workers). Marks the broadcast done when its last row is settled."""
    next_send_time = next_send_time or quiet_hours_for(settings)
    now = clock()
    with sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.state != Broadcast.STATE_SENDING:
            return 0
        if next_send_time(now, broadcast.urgent) > now:
            return 0
        ids = claim(session, broadcast_id, limit or batch_size(settings), now)
        session.commit()
        if not ids:
            return 0
        # What is known now and stops a text is settled before it spends a slot of the rate.
        to_send = _screen(session, broadcast, ids, now)
        session.commit()
    run = _Run(
        settings,
        sessions,
        broadcast_id,
        broadcast,
        worker_id,
        pace or Pace.for_settings(settings, engine_for(settings.database_url)),
        transport or transport_for(settings),
        next_send_time,
        clock,
    )
    for position, delivery_id in enumerate(to_send):
        outcome, not_before = _send_one(run, delivery_id, now)
        if outcome in (Outcome.STOPPED, Outcome.DEFERRED):
            with sessions() as session:
                release(session, broadcast_id, to_send[position:], now, not_before)
                session.commit()
            break
    with sessions() as session:
        finish_if_done(session, broadcast_id, clock())
        session.commit()
    return len(ids)


def still_wanted(session: Session, broadcast: Broadcast, delivery: Delivery) -> bool:
    """For a reminder: the family still holds a seat at the session (not cancelled since the
    reminder was queued). Other broadcasts are always still wanted."""
    if broadcast.kind != Broadcast.KIND_REMINDER or broadcast.session_id is None:
        return True
    return holds_seat(session, broadcast.session_id, delivery.contact_id)


def _refusal(
    session: Session, broadcast: Broadcast, delivery: Delivery, contact: Contact
) -> tuple[str, str | None] | None:
    """(status, why) when this row must not be sent now or ever; None when it may go."""
    if contact.opted_out:
        return Delivery.STATUS_OPTED_OUT, None
    if not contact.phone or not contact.phone_valid:
        return FAILED, "This contact has no valid phone number."
    if not still_wanted(session, broadcast, delivery):
        return Delivery.STATUS_CANCELLED, "No longer registered for the session."
    if not broadcast.text_for(delivery.language)[1]:
        return FAILED, "The broadcast has no text."
    return None


def _settle_unsent(session: Session, delivery_id: int, token: datetime, status, why) -> None:
    session.execute(
        update(Delivery)
        .where(*held(delivery_id, token))
        .values(status=status, error_message=why, claimed_at=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


def _delivery_and_contact(session: Session, delivery_ids: list[int]):
    # One SELECT for the rows and their families (an opt-out is read as of now).
    return session.execute(
        select(Delivery, Contact)
        .join(Contact, Contact.id == Delivery.contact_id)
        .where(Delivery.id.in_(delivery_ids))
        .order_by(Delivery.id)
        .execution_options(populate_existing=True)
    ).all()


def _screen(session: Session, broadcast: Broadcast, ids: list[int], token: datetime) -> list[int]:
    """Settles the claimed rows that must not be sent (opted out, no valid number, no longer
    registered, no text); returns the others' ids. The caller commits."""
    to_send = []
    for delivery, contact in _delivery_and_contact(session, ids):
        refusal = _refusal(session, broadcast, delivery, contact)
        if refusal is None:
            to_send.append(delivery.id)
        else:
            _settle_unsent(session, delivery.id, token, *refusal)
    return to_send


def _send_one(run: _Run, delivery_id: int, token: datetime) -> tuple[Outcome, datetime | None]:
    now = run.clock()
    later = run.next_send_time(now, run.broadcast.urgent)
    if later > now:
        return Outcome.DEFERRED, later
    run.pace.wait_turn()
    with run.sessions() as session:
        sending_at = run.clock()
        # The claim's time becomes the send's: a stale claim is then always a send that died.
        # Only while the broadcast is still sending: a pause during the wait stops it here.
        still_sending = (
            select(Broadcast.id)
            .where(Broadcast.id == run.broadcast_id, Broadcast.state == Broadcast.STATE_SENDING)
            .exists()
        )
        taken = session.execute(
            update(Delivery)
            .where(*held(delivery_id, token), still_sending)
            .values(claimed_at=sending_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            state = session.scalar(select(Broadcast.state).where(Broadcast.id == run.broadcast_id))
            if state != Broadcast.STATE_SENDING:
                return Outcome.STOPPED, None
            log.warning("worker %s lost its claim on delivery %s", run.worker_id, delivery_id)
            return Outcome.LOST, None
        [(delivery, contact)] = _delivery_and_contact(session, [delivery_id])
        # Asked again after the wait: a STOP that arrived meanwhile is honoured.
        refusal = _refusal(session, run.broadcast, delivery, contact)
        if refusal is not None:
            _settle_unsent(session, delivery_id, sending_at, *refusal)
            session.commit()
            return Outcome.SETTLED, None
        language, body = run.broadcast.text_for(delivery.language, run.settings.default_language)
        message = _logged_text(session, run.broadcast, delivery, contact, language, body)
        if run.transport.name != "console":
            # Logged before it goes: a text Twilio has is never missing from the conversation.
            session.commit()
        result = send_text(
            session, contact, body, run.settings, message_id=message.id, transport=run.transport
        )
        outcome = _record(run, session, delivery, message, result, sending_at)
        # On the console transport the "send" and its SID share this one transaction.
        session.commit()
    return outcome, None


def _logged_text(session, broadcast, delivery, contact, language, body) -> Message:
    """The text in the family's SMS conversation, logged once however many tries it takes."""
    if delivery.message_id is not None:
        return session.get(Message, delivery.message_id)
    conversation = current_conversation(session, contact, Conversation.CHANNEL_SMS)
    message = log_message(
        session,
        conversation,
        direction=Message.DIRECTION_OUT,
        sender=Message.SENDER_SYSTEM,
        body=body,
        language=language,
        broadcast_id=broadcast.id,
    )
    session.flush()  # the message's id, for the delivery row
    delivery.message_id = message.id
    return message


def _record(
    run: _Run,
    session: Session,
    delivery: Delivery,
    message: Message,
    result: SendResult,
    token: datetime,
) -> Outcome:
    now = run.clock()
    if result.ok:
        record_sent(session, delivery.id, message, result.sid, result.status, now)
        return Outcome.SENT
    code = result.error_code
    if code is None:
        # No answer at all (timeout, connection reset): Twilio may have taken the text before
        # the line went quiet. Ask before sending it again.
        try:
            found = run.transport.accepted(delivery.phone, message.body, token)
        except Exception as error:  # Twilio still unreachable: the claim waits for recovery
            # The failed lookup's URL holds the number (?To=%2B1...).
            log.warning(
                "delivery %s: send and lookup both failed: %s", delivery.id, mask_numbers(error)
            )
            return Outcome.UNKNOWN
        if found is not None:
            record_sent(session, delivery.id, message, *found, now)
            return Outcome.SENT
    attempts = delivery.attempts + 1
    values = {"attempts": attempts, "error_code": code, "error_message": result.error_message}
    if (code is None or code in RETRY_CODES) and attempts < MAX_ATTEMPTS:
        values.update(status=PENDING, claimed_at=None, next_attempt_at=now + backoff(attempts))
        outcome = Outcome.RETRY
    else:
        values.update(status=FAILED, claimed_at=None, next_attempt_at=None)
        message.delivery_status = FAILED
        message.error_code = code
        outcome = Outcome.SETTLED
    session.execute(
        update(Delivery)
        .where(*held(delivery.id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    log.info("delivery %s: Twilio refused (%s), %s", delivery.id, code, outcome.value)
    return outcome
