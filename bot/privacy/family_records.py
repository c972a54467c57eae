"""Everything the line holds about one family: handed over as JSON (`bot family export`), or
forgotten (`bot family forget`, and the daily purge of bot/privacy/retention.py for families silent
for RETENTION_DAYS).

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

Rasa keeps its own copy of each conversation (the tracker, under the contact's public id, never
the phone): `clear_rasa_trackers` empties it, through Rasa's HTTP API for its in-memory store or
straight in the database of its SQL tracker store (bot/rasa/endpoints.py), where Rasa's API can
only add events, never remove them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from urllib.parse import quote

import requests
from sqlalchemy import column, create_engine, delete, exists, func, inspect, or_, select, table
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from bot.config import Settings
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
    StaffUser,
    utcnow,
)
from bot.models.families import new_public_id
from bot.parent_college.registrations import cancel
from bot.rasa.endpoints import tracker_store_url
from bot.rasa.token import token_params
from bot.staff import audit
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

# The audit log's record of Rasa trackers still to empty (Rasa was down during a forget).
TRACKER_PENDING = "rasa_tracker.clear_pending"
TRACKER_CLEARED = "rasa_tracker.cleared"
TRACKER = "rasa_tracker"

RASA_EVENTS = table("events", column("id"), column("sender_id"), column("timestamp"))
# PostgreSQL's "database does not exist": Rasa never started with that store, so it holds nothing.
NO_SUCH_DATABASE = "3D000"


class FamilyNotFound(LookupError):
    """No family for what the operator typed; the message says why, in their words."""


class TrackerNotCleared(RuntimeError):
    """Rasa's copy of a conversation could not be emptied; the message says why."""


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


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _contact_json(contact: Contact) -> dict:
    school = contact.school
    return {
        "public_id": contact.public_id,
        "phone": contact.phone,
        "phone_valid": contact.phone_valid,
        "web_chat_id": contact.web_chat_id,
        "name": contact.name,
        "language": contact.language,
        "language_source": contact.language_source,
        "school": {"slug": school.slug, "name": school.name} if school else None,
        "opted_out": contact.opted_out,
        "opted_out_at": _when(contact.opted_out_at),
        "opt_out_source": contact.opt_out_source,
        "opted_in_at": _when(contact.opted_in_at),
        "consent_source": contact.consent_source,
        "created_at": _when(contact.created_at),
        "last_seen_at": _when(contact.last_seen_at),
        "consent_history": [
            {
                "kind": event.kind,
                "source": event.source,
                "channel": event.channel,
                "created_at": _when(event.created_at),
            }
            for event in contact.consent_events
        ],
    }


def _message_json(message: Message) -> dict:
    return {
        "id": message.id,
        "direction": message.direction,
        "sender": message.sender,
        "body": message.body,
        "num_media": message.num_media,
        "language": message.language,
        "intent": message.intent,
        "confidence": message.confidence,
        "channel": message.channel,
        "created_at": _when(message.created_at),
        "delivery_status": message.delivery_status,
        "error_code": message.error_code,
        "note": message.note,
    }


def _staff_name(staff: StaffUser | None) -> str | None:
    return (staff.name or staff.email) if staff else None


def _conversations_json(session: Session, contact: Contact) -> list[dict]:
    conversations = session.execute(
        select(Conversation).filter_by(contact_id=contact.id).order_by(Conversation.id)
    ).scalars()
    found = []
    for conversation in conversations:
        notes = session.execute(
            select(ConversationNote)
            .filter_by(conversation_id=conversation.id)
            .order_by(ConversationNote.id)
        ).scalars()
        found.append(
            {
                "id": conversation.id,
                "channel": conversation.channel,
                "created_at": _when(conversation.created_at),
                "last_message_at": _when(conversation.last_message_at),
                "handled_by_staff": conversation.handled_by_staff,
                "handoff_reason": conversation.handoff_reason,
                "messages": [_message_json(message) for message in conversation.messages],
                "staff_notes": [
                    {
                        "body": note.body,
                        "by": _staff_name(note.staff_user),
                        "created_at": _when(note.created_at),
                    }
                    for note in notes
                ],
            }
        )
    return found


def _registrations_json(session: Session, contact: Contact) -> list[dict]:
    rows = session.execute(
        select(Registration, ParentCollegeSession)
        .join(ParentCollegeSession, ParentCollegeSession.id == Registration.session_id)
        .where(Registration.contact_id == contact.id)
        .order_by(Registration.id)
    )
    return [
        {
            "session": {
                "id": pc_session.id,
                "title": pc_session.title,
                "starts_at": _when(pc_session.starts_at),
                "place": pc_session.place,
            },
            "name": registration.name,
            "adults": registration.adults,
            "childcare": registration.childcare,
            "children": registration.children,
            "status": registration.status,
            "created_at": _when(registration.created_at),
            "cancelled_at": _when(registration.cancelled_at),
            "checked_in_at": _when(registration.checked_in_at),
            "reminded_at": _when(registration.reminded_at),
        }
        for registration, pc_session in rows
    ]


def _deliveries_json(session: Session, contact: Contact) -> list[dict]:
    to_family = Delivery.contact_id == contact.id
    if contact.phone:
        to_family = or_(to_family, Delivery.phone == contact.phone)
    rows = session.execute(
        select(Delivery, Broadcast)
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(to_family)
        .order_by(Delivery.id)
    )
    return [
        {
            "broadcast_id": broadcast.id,
            "broadcast_kind": broadcast.kind,
            "text": (broadcast.texts or {}).get(delivery.language),
            "phone": delivery.phone,
            "language": delivery.language,
            "status": delivery.status,
            "error_code": delivery.error_code,
            "created_at": _when(delivery.created_at),
            "sent_at": _when(delivery.sent_at),
        }
        for delivery, broadcast in rows
    ]


def _corrections_json(session: Session, contact: Contact) -> list[dict]:
    rows = session.execute(
        select(NluCorrection)
        .join(Message, Message.id == NluCorrection.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.contact_id == contact.id)
        .order_by(NluCorrection.id)
    ).scalars()
    return [
        {
            "message_id": correction.message_id,
            "intent": correction.intent,
            "language": correction.language,
            "created_at": _when(correction.created_at),
            "written_to_training_data_at": _when(correction.exported_at),
        }
        for correction in rows
    ]


def export_family(session: Session, contact: Contact) -> dict:
    """Everything the line holds about the family, as JSON-ready data."""
    return {
        "exported_at": _when(utcnow()),
        "contact": _contact_json(contact),
        "conversations": _conversations_json(session, contact),
        "registrations": _registrations_json(session, contact),
        "broadcast_deliveries": _deliveries_json(session, contact),
        "nlu_corrections": _corrections_json(session, contact),
    }


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


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _no_such_database(error: DBAPIError) -> bool:
    return getattr(error.orig, "pgcode", None) == NO_SUCH_DATABASE


@contextmanager
def _tracker_store(url: str) -> Iterator[Engine]:
    """An engine on Rasa's SQL tracker store; its failures become TrackerNotCleared."""
    options = {}
    if make_url(url).get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": 5}
    engine = create_engine(url, future=True, **options)
    try:
        yield engine
    except DBAPIError as error:
        if not _no_such_database(error):  # else Rasa never stored anything there
            raise TrackerNotCleared(
                f"Rasa's tracker store database is not reachable ({_first_line(error)})"
            ) from error
    except SQLAlchemyError as error:
        raise TrackerNotCleared(f"Rasa's tracker store failed ({_first_line(error)})") from error
    finally:
        engine.dispose()


def delete_tracker_events(url: str, condition, batch: int = BATCH) -> int:
    """Deletes the events of Rasa's SQL tracker store that match `condition` (on RASA_EVENTS),
    a batch per transaction; raises TrackerNotCleared when the store cannot be reached."""
    deleted = 0
    with _tracker_store(url) as engine:
        while True:
            with engine.begin() as connection:
                if not inspect(connection).has_table("events"):
                    break  # Rasa has not stored a conversation there yet
                ids = list(
                    connection.execute(
                        select(RASA_EVENTS.c.id)
                        .where(condition)
                        .order_by(RASA_EVENTS.c.id)
                        .limit(batch)
                    ).scalars()
                )
                if not ids:
                    break
                deleted += connection.execute(
                    delete(RASA_EVENTS).where(RASA_EVENTS.c.id.in_(ids))
                ).rowcount
    return deleted


def count_tracker_events(url: str, condition) -> int:
    """How many events of Rasa's SQL tracker store match `condition`; TrackerNotCleared when
    the store cannot be reached."""
    with _tracker_store(url) as engine, engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return 0
        query = select(func.count()).select_from(RASA_EVENTS).where(condition)
        return connection.execute(query).scalar()
    return 0


def _empty_tracker(settings: Settings, http: requests.Session, public_id: str) -> None:
    # Rasa replaces the conversation's events with the list sent: an empty one forgets it.
    url = f"{settings.rasa_url}/conversations/{quote(public_id, safe='')}/tracker/events"
    try:
        answer = http.put(
            url,
            params=token_params(settings.rasa_api_token),
            json=[],
            timeout=(3.0, max(settings.rasa_timeout, 3.0)),
        )
    except requests.RequestException as error:
        raise TrackerNotCleared(
            f"Rasa is not reachable at {settings.rasa_url} ({type(error).__name__})"
        ) from error
    if answer.status_code >= 400:
        raise TrackerNotCleared(f"Rasa at {settings.rasa_url} answered HTTP {answer.status_code}")


def clear_rasa_trackers(settings: Settings, public_ids: Iterable[str]) -> None:
    """Empties Rasa's copy of these conversations; raises TrackerNotCleared (nothing is lost:
    emptying twice is harmless, so the caller retries later)."""
    ids = list(public_ids)
    if not ids:
        return
    store = tracker_store_url(settings)
    if store:
        for part in chunks(ids):
            delete_tracker_events(store, RASA_EVENTS.c.sender_id.in_(part))
        return
    with requests.Session() as http:
        for public_id in ids:
            _empty_tracker(settings, http, public_id)


def mark_trackers_pending(session: Session, public_ids: Iterable[str], **detail) -> None:
    """Notes, in the forget's own transaction, that Rasa's copy must go too: if Rasa is down or
    the process dies before it is emptied, a later forget or the daily purge finishes it."""
    for public_id in public_ids:
        audit.record(session, None, TRACKER_PENDING, TRACKER, public_id, **detail)


def pending_trackers(session: Session) -> list[str]:
    done = aliased(AuditLog)
    cleared = select(done.target_id).where(
        done.action == TRACKER_CLEARED, done.target_id.isnot(None)
    )
    return list(
        session.execute(
            select(AuditLog.target_id)
            .where(AuditLog.action == TRACKER_PENDING, AuditLog.target_id.notin_(cleared))
            .distinct()
        ).scalars()
    )


@dataclass
class TrackerOutcome:
    cleared: int = 0
    error: str | None = None  # why some are still pending


def clear_pending_trackers(session: Session, settings: Settings, **detail) -> TrackerOutcome:
    """Empties every Rasa tracker still marked pending and records each one done. Commits."""
    outcome = TrackerOutcome()
    for part in chunks(pending_trackers(session)):
        try:
            clear_rasa_trackers(settings, part)
        except TrackerNotCleared as error:
            outcome.error = str(error)
            break
        for public_id in part:
            audit.record(session, None, TRACKER_CLEARED, TRACKER, public_id, **detail)
        session.commit()
        outcome.cleared += len(part)
    return outcome
