"""Twilio's delivery reports (status callbacks) for the texts the line sent: the message log and
broadcast deliveries learn whether each text arrived, and a carrier's "this number said STOP"
(error 21610) opts the contact out."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.families.compliance import record_opt_out
from bot.models import Contact, Conversation, Delivery, Message, TwilioStatus

log = logging.getLogger(__name__)

PROGRESS = TwilioStatus.PROGRESS
FINAL = TwilioStatus.FINAL
# The recipient has opted out at the carrier or with Twilio (replied STOP there).
CARRIER_OPT_OUT = "21610"


@dataclass(frozen=True)
class DeliveryReport:
    sid: str
    status: str | None
    error_code: str | None = None


def replaceable_by(status: str) -> set[str]:
    """The known statuses a report of `status` may overwrite."""
    rank = PROGRESS.get(status)
    if rank is None:
        # A status Twilio added after this code was written: kept unless the text is done.
        return set(PROGRESS) - FINAL
    return {s for s, r in PROGRESS.items() if r < rank or (r == rank and s not in FINAL)}


def _advance(session: Session, model, report: DeliveryReport) -> None:
    # One conditional UPDATE, not read-then-write: two reports for one text may be handled at
    # the same moment by two web workers, and the database decides which one wins.
    column = model.delivery_status if model is Message else model.status
    values = {column.key: report.status}
    if report.error_code:
        values["error_code"] = report.error_code
    session.execute(
        update(model)
        .where(model.twilio_sid == report.sid)
        .where(
            or_(
                column.is_(None),
                column.in_(sorted(replaceable_by(report.status))),
                column.notin_(sorted(PROGRESS)),
            )
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _contact_of(session: Session, report: DeliveryReport) -> tuple[Contact | None, int | None]:
    message = session.execute(select(Message).filter_by(twilio_sid=report.sid)).scalar_one_or_none()
    if message is not None:
        return session.get(Conversation, message.conversation_id).contact, message.id
    delivery = session.execute(
        select(Delivery).filter_by(twilio_sid=report.sid)
    ).scalar_one_or_none()
    return (session.get(Contact, delivery.contact_id) if delivery else None), None


def record_report(session: Session, report: DeliveryReport) -> bool:
    """Applies one report to the message and the broadcast delivery with its SID; False when
    neither is known (a text sent by hand from Twilio's console, or from another app)."""
    found = False
    for model in (Message, Delivery):
        if session.execute(select(model.id).filter_by(twilio_sid=report.sid)).first() is None:
            continue
        found = True
        if report.status:
            _advance(session, model, report)
    if found and report.error_code == CARRIER_OPT_OUT:
        contact, message_id = _contact_of(session, report)
        if contact is not None and record_opt_out(
            session, contact, f"carrier error {CARRIER_OPT_OUT}", "sms", message_id
        ):
            log.info("contact %s opted out at the carrier (error 21610)", contact.id)
    return found
