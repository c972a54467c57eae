"""A worker that died mid-send leaves its rows "claimed". Once a claim is older than
sending.CLAIM_TIMEOUT (far longer than a send can take) each row is looked up on the transport
(TwilioTransport.accepted) before it is sent again: found, it is recorded as sent; not found, it
goes back to pending. The worker's minute clock runs this (bot/broadcasting/tasks.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasting import sending
from bot.broadcasting.claims import CLAIMED, record_sent, release
from bot.config import Settings
from bot.models import (
    Delivery,
    Message,
    utcnow,
)
from bot.sms.outbound import transport_for
from bot.text.phone import mask_numbers

# --- a worker that died mid-send ----------------------------------------------------------

log = logging.getLogger(__name__)


@dataclass
class Recovered:
    sent: int = 0  # found on Twilio, recorded as sent
    pending: int = 0  # not on Twilio: back to pending
    unknown: int = 0  # Twilio could not be asked: still claimed, asked again next time


def recover_stale_claims(
    settings: Settings, session: Session, broadcast_id: int, now: datetime | None = None
) -> Recovered:
    """Settles the claims of workers that died mid-send (claimed longer than sending.CLAIM_TIMEOUT):
    each row is looked up on Twilio first. Commits after each row, and asks Twilio outside any
    transaction (a slow answer must not hold SQLite's write lock)."""
    now = now or utcnow()
    stale = session.execute(
        select(Delivery.id, Delivery.phone, Delivery.claimed_at, Delivery.message_id).where(
            Delivery.broadcast_id == broadcast_id,
            Delivery.status == CLAIMED,
            Delivery.claimed_at < now - sending.CLAIM_TIMEOUT,
        )
    ).all()
    session.commit()
    recovered = Recovered()
    transport = None
    for delivery_id, phone, claimed_at, message_id in stale:
        message = session.get(Message, message_id) if message_id else None
        session.commit()
        # No logged text: the worker died before the send began (the log commits first).
        found = None
        if message is not None:
            try:
                transport = transport or transport_for(settings)
                found = transport.accepted(phone, message.body, claimed_at)
            except Exception as error:
                log.warning(
                    "delivery %s: cannot ask Twilio about it yet: %s",
                    delivery_id,
                    mask_numbers(error),
                )
                recovered.unknown += 1
                continue
        # Another worker may be recovering the same row: only one of the writes matches.
        if found is not None:
            recovered.sent += record_sent(
                session, delivery_id, message, *found, now, claimed_at=claimed_at
            )
        else:
            recovered.pending += release(session, broadcast_id, [delivery_id], claimed_at)
        session.commit()
    if stale:
        log.info("broadcast %s: stale claims recovered: %s", broadcast_id, recovered)
    return recovered
