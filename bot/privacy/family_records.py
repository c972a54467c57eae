"""Everything the line holds about one family: found from what an operator typed, handed over
as JSON (`bot family export`, bot/privacy/family_export.py), or forgotten (`bot family forget`,
and the daily purge of bot/privacy/retention.py for families silent for RETENTION_DAYS).

What points at a family, and what forgetting does with it (every foreign key to contact,
conversation and message: REFERENCES, which a test checks against the models, so a new table
cannot be left dangling unnoticed):

- a message's NLU correction is deleted; an opt-out event or a broadcast delivery that points at
  the message only loses the link;
- a conversation's messages and staff notes are deleted with it;
- registrations are cancelled (a freed seat goes to the first family waiting) and deleted;
- broadcast deliveries stay, for each broadcast's counts, without the family, its number, Twilio's
  id of the text or Twilio's error text (which may quote the number);
- the contact row is deleted, unless the number ever opted out: then the number and the opt-out
  facts stay (opted_out, when, how, the consent history), so an opted-out number is never texted
  again, even when it turns up in a list staff upload; its name, language, school and Rasa id go.

Rasa keeps its own copy of each conversation: bot/privacy/rasa_copy.py empties it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.models import (
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
from bot.models.families import new_public_id
from bot.parent_college.registrations import cancel
from bot.text.phone import to_e164

# Rows per statement and per transaction: bounded work, short locks, IN lists SQLite takes.
BATCH = 1000

# (table, column) of every foreign key to a family's rows, and how forgetting treats it.
REFERENCES = {
    ("conversation", "contact_id"): "deleted with the family",
    ("registration", "contact_id"): "cancelled, then deleted",
    ("delivery", "contact_id"): "kept for the counts, without the family or its number",
    ("consent_event", "contact_id"): "kept when the number ever opted out, else deleted",
    ("message", "conversation_id"): "deleted with the conversation",
    ("conversation_note", "conversation_id"): "deleted with the conversation",
    ("nlu_correction", "message_id"): "deleted with the message",
    ("consent_event", "message_id"): "unlinked: the opt-out stays",
    ("delivery", "message_id"): "unlinked",
}


class FamilyNotFound(LookupError):
    """No family for what the operator typed; the message says why, in their words."""


@dataclass
class Removed:
    """What a forget or a purge took away, counted for the operator and the audit log."""

    families: int = 0
    opt_out_records: int = 0  # of those families, kept as opt-out records only
    conversations: int = 0
    messages: int = 0
    corrections: int = 0
    staff_notes: int = 0
    registrations: int = 0
    delivery_numbers: int = 0  # broadcast deliveries that lost the family's number

    def __iadd__(self, other: Removed) -> Removed:
        for name in self.counts():
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def counts(self) -> dict[str, int]:
        return asdict(self)

    def phrases(self) -> list[str]:
        """The non-zero counts in words: ["14 messages", "1 staff note"]."""
        names = {
            "families": ("family forgotten", "families forgotten"),
            "opt_out_records": (
                "of them kept as an opt-out record only",
                "of them kept as opt-out records only",
            ),
            "conversations": ("conversation", "conversations"),
            "messages": ("message", "messages"),
            "corrections": ("NLU correction", "NLU corrections"),
            "staff_notes": ("staff note", "staff notes"),
            "registrations": ("Parent College registration", "Parent College registrations"),
            "delivery_numbers": (
                "broadcast delivery's phone number",
                "broadcast deliveries' phone numbers",
            ),
        }
        return [
            f"{count:,} {names[field.name][count != 1]}"
            for field in fields(self)
            if (count := getattr(self, field.name))
        ]


def chunks(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- finding a family ------------------------------------------------------------------------


def find_family(session: Session, typed: str) -> Contact:
    """The family with the number an operator typed, in any form a person writes it."""
    e164 = to_e164(typed)
    if e164:
        found = session.execute(select(Contact).filter_by(phone=e164)).scalar_one_or_none()
        if found is None:
            raise FamilyNotFound(f"There is no family with the number {e164} on the line.")
        return found
    # A malformed number is stored as Twilio sent it (bot/conversations/inbound.py): found only as
    # typed.
    raw = (typed or "").strip()
    malformed = select(Contact).filter_by(phone=raw, phone_valid=False)
    found = session.execute(malformed).scalar_one_or_none() if raw else None
    if found is None:
        raise FamilyNotFound(
            f"{typed!r} is not a phone number: type it like (323) 555-0100 or +13235550100."
        )
    return found


def ever_opted_out():
    """SQL: the contact opted out at some time, whether or not it opted back in since."""
    return or_(
        Contact.opted_out.is_(True),
        Contact.opted_out_at.isnot(None),
        exists().where(
            ConsentEvent.contact_id == Contact.id, ConsentEvent.kind == ConsentEvent.OPT_OUT
        ),
    )


# --- export ----------------------------------------------------------------------------------


# --- forgetting ------------------------------------------------------------------------------


def _run(session: Session, statement) -> int:
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount


def delete_messages(session: Session, message_ids: Sequence[int]) -> Removed:
    """Deletes these messages and their corrections; an opt-out or a delivery that points at
    one of them keeps its row without the link."""
    removed = Removed()
    for part in chunks(list(message_ids)):
        removed.corrections += _run(
            session, delete(NluCorrection).where(NluCorrection.message_id.in_(part))
        )
        _run(
            session,
            sql_update(ConsentEvent)
            .where(ConsentEvent.message_id.in_(part))
            .values(message_id=None),
        )
        _run(
            session,
            sql_update(Delivery).where(Delivery.message_id.in_(part)).values(message_id=None),
        )
        removed.messages += _run(session, delete(Message).where(Message.id.in_(part)))
    return removed


def delete_conversations(session: Session, conversation_ids: Sequence[int]) -> Removed:
    """Deletes these conversations with their messages and staff notes."""
    removed = Removed()
    for part in chunks(list(conversation_ids)):
        message_ids = session.execute(
            select(Message.id).where(Message.conversation_id.in_(part))
        ).scalars()
        removed += delete_messages(session, list(message_ids))
        removed.staff_notes += _run(
            session, delete(ConversationNote).where(ConversationNote.conversation_id.in_(part))
        )
        removed.conversations += _run(
            session, delete(Conversation).where(Conversation.id.in_(part))
        )
    return removed


def _drop_registrations(session: Session, contact_ids: Sequence[int], now: datetime) -> int:
    registrations = session.execute(
        select(Registration)
        .join(ParentCollegeSession, ParentCollegeSession.id == Registration.session_id)
        .where(
            Registration.contact_id.in_(contact_ids),
            Registration.status == Registration.STATUS_REGISTERED,
            ParentCollegeSession.starts_at > now,
        )
    ).scalars()
    for registration in registrations:
        # Cancelled first, as the family would: the seats go to the first family waiting.
        cancel(session, registration)
    return _run(session, delete(Registration).where(Registration.contact_id.in_(contact_ids)))


def _detach_deliveries(session: Session, contact_ids: Sequence[int]) -> int:
    """Deliveries keep their status and language for the counts; nothing else of the family.
    Returns how many lost a phone number."""
    unsent = (Delivery.STATUS_PENDING, Delivery.STATUS_CLAIMED)
    # Not sent yet: never sent now (a worker holding the claim loses it: bot.broadcasting).
    _run(
        session,
        sql_update(Delivery)
        .where(Delivery.contact_id.in_(contact_ids), Delivery.status.in_(unsent))
        .values(status=Delivery.STATUS_CANCELLED, claimed_at=None, next_attempt_at=None),
    )
    numbers = _run(
        session,
        sql_update(Delivery)
        .where(Delivery.contact_id.in_(contact_ids), Delivery.phone.isnot(None))
        .values(phone=None),
    )
    _run(
        session,
        sql_update(Delivery)
        .where(Delivery.contact_id.in_(contact_ids))
        .values(contact_id=None, twilio_sid=None, error_message=None, message_id=None),
    )
    return numbers


def _keep_opt_out_records(session: Session, contact_ids: Sequence[int]) -> None:
    """The number and the opt-out facts stay; a fresh public id cuts the link to Rasa's copy."""
    for contact_id in contact_ids:
        _run(
            session,
            sql_update(Contact)
            .where(Contact.id == contact_id)
            .values(
                public_id=new_public_id(),
                name=None,
                language=None,
                language_source=None,
                school_id=None,
                last_seen_at=None,
            ),
        )


def forget_contacts(
    session: Session, contact_ids: Sequence[int], now: datetime | None = None
) -> tuple[Removed, list[str]]:
    """Forgets these families (at most BATCH per call for a bounded transaction); returns what
    went and their old public ids, whose Rasa trackers the caller empties. Does not commit."""
    now = now or utcnow()
    ids = list(contact_ids)
    removed = Removed()
    if not ids:
        return removed, []
    public_ids = list(
        session.execute(select(Contact.public_id).where(Contact.id.in_(ids))).scalars()
    )
    conversation_ids = session.execute(
        select(Conversation.id).where(Conversation.contact_id.in_(ids))
    ).scalars()
    removed += delete_conversations(session, list(conversation_ids))
    removed.registrations = _drop_registrations(session, ids, now)
    removed.delivery_numbers = _detach_deliveries(session, ids)
    kept = set(
        session.execute(select(Contact.id).where(Contact.id.in_(ids), ever_opted_out())).scalars()
    )
    _keep_opt_out_records(session, sorted(kept))
    gone = [contact_id for contact_id in ids if contact_id not in kept]
    if gone:
        _run(session, delete(ConsentEvent).where(ConsentEvent.contact_id.in_(gone)))
        _run(session, delete(Contact).where(Contact.id.in_(gone)))
    removed.families = len(public_ids)
    removed.opt_out_records = len(kept)
    session.expire_all()  # the ORM's copies of what was just deleted or changed
    return removed, public_ids


def what_forgetting_removes(session: Session, contact: Contact) -> Removed:
    """The counts `forget_contacts` would report for this family, changing nothing."""
    conversation_ids = select(Conversation.id).where(Conversation.contact_id == contact.id)
    message_ids = select(Message.id).where(Message.conversation_id.in_(conversation_ids))

    def count(model, *conditions) -> int:
        return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar()

    kept = session.execute(select(Contact.id).where(Contact.id == contact.id, ever_opted_out()))
    return Removed(
        families=1,
        opt_out_records=1 if kept.first() else 0,
        conversations=count(Conversation, Conversation.contact_id == contact.id),
        messages=count(Message, Message.id.in_(message_ids)),
        corrections=count(NluCorrection, NluCorrection.message_id.in_(message_ids)),
        staff_notes=count(ConversationNote, ConversationNote.conversation_id.in_(conversation_ids)),
        registrations=count(Registration, Registration.contact_id == contact.id),
        delivery_numbers=count(
            Delivery, Delivery.contact_id == contact.id, Delivery.phone.isnot(None)
        ),
    )


# --- Rasa's copy -----------------------------------------------------------------------------
