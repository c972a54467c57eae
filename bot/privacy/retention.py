"""The retention purge: nothing about a family is kept longer than RETENTION_DAYS (730, two
school years, by default; 0 keeps everything). The worker runs it every day at 03:30 Los Angeles
time (bot/worker.py); `bot retention purge [--dry-run]` runs it now.

In this order, every step a batch of BATCH rows per transaction, so a purge of a large database
never holds a lock for long nor loads much in memory:

1. families silent that long (no message, registration, broadcast delivery, nor a newer contact
   row) are forgotten as by `bot family forget` (bot/privacy/family_records.py): a number that ever
   opted out keeps its opt-out record, and nothing else;
2. older messages are deleted, with their NLU corrections;
3. conversations left without messages are deleted, with their staff notes;
4. older broadcast deliveries lose the family's number (the rows stay for each broadcast's counts);
5. Rasa's copy: in its SQL tracker store, older events are deleted; in its in-memory store (gone
   at each restart anyway), forgotten families' trackers are emptied; and trackers a
   `bot family forget` could not empty (Rasa was down) are emptied now."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.conversations import replay_ledger
from bot.db import session_scope
from bot.models import (
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
from bot.privacy.family_records import (
    BATCH,
    Removed,
    delete_conversations,
    delete_messages,
    ever_opted_out,
    forget_contacts,
)
from bot.privacy.rasa_copy import (
    RASA_EVENTS,
    TrackerNotCleared,
    clear_pending_trackers,
    clear_rasa_trackers,
    count_tracker_events,
    delete_tracker_events,
    pending_trackers,
)
from bot.rasa.endpoints import tracker_store_url
from bot.staff import login_throttle
from bot.text.staff_time import staff_time

log = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    days: int
    cutoff: datetime
    dry_run: bool
    removed: Removed = field(default_factory=Removed)
    rasa_events: int = 0  # events deleted from Rasa's SQL tracker store
    trackers_emptied: int = 0  # Rasa trackers emptied (forgotten families, earlier forgets)
    trackers_pending: int = 0  # dry run: trackers earlier forgets could not empty
    warnings: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            any(self.removed.counts().values()) or self.rasa_events or self.trackers_emptied
        )

    def lines(self) -> list[str]:
        """What was removed (or would be), in an operator's words."""
        day = staff_time(self.cutoff)
        rasa = [
            f"{count:,} {words[count != 1]}"
            for count, words in (
                (self.rasa_events, ("Rasa conversation event", "Rasa conversation events")),
                (
                    self.trackers_emptied,
                    ("Rasa conversation tracker", "Rasa conversation trackers"),
                ),
                (
                    self.trackers_pending,
                    (
                        "Rasa tracker left by an earlier forget",
                        "Rasa trackers left by earlier forgets",
                    ),
                ),
            )
            if count
        ]
        found = self.removed.phrases() + rasa
        if self.dry_run:
            head = f"Would remove what is older than {self.days} days (before {day}, Los Angeles)"
            if not found:
                return [head + ": nothing."]
            return [head + "; nothing was changed:"] + [f"  {phrase}" for phrase in found]
        head = f"Removed what is older than {self.days} days (before {day}, Los Angeles)"
        if not found:
            return [head + ": nothing to remove."]
        return [head + ":"] + [f"  {phrase}" for phrase in found]


# --- what is old -----------------------------------------------------------------------------


def silent_families(cutoff: datetime):
    """SQL: a contact with nothing since `cutoff` (no message, registration, delivery, nor a
    newer contact row) that still holds something to forget."""
    recent_message = (
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.contact_id == Contact.id, Message.created_at >= cutoff)
        .exists()
    )
    # A sign-up counts until its session has passed too: a family waits for it without texting.
    recent_registration = (
        select(Registration.id)
        .join(ParentCollegeSession, ParentCollegeSession.id == Registration.session_id)
        .where(
            Registration.contact_id == Contact.id,
            or_(Registration.updated_at >= cutoff, ParentCollegeSession.starts_at >= cutoff),
        )
        .exists()
    )
    recent_delivery = exists().where(
        Delivery.contact_id == Contact.id, Delivery.created_at >= cutoff
    )
    return and_(
        Contact.created_at < cutoff,
        or_(Contact.last_seen_at.is_(None), Contact.last_seen_at < cutoff),
        not_(recent_message),
        not_(recent_registration),
        not_(recent_delivery),
        # An opt-out record left by an earlier forget holds nothing more: it stays as it is.
        or_(not_(ever_opted_out()), _holds_more_than_an_opt_out()),
    )


def _holds_more_than_an_opt_out():
    return or_(
        Contact.name.isnot(None),
        Contact.language.isnot(None),
        Contact.language_source.isnot(None),
        Contact.school_id.isnot(None),
        Contact.last_seen_at.isnot(None),
        exists().where(Conversation.contact_id == Contact.id),
        exists().where(Registration.contact_id == Contact.id),
        exists().where(Delivery.contact_id == Contact.id),
    )


def _old_messages(cutoff: datetime):
    return Message.created_at < cutoff


def _conversations_to_drop(cutoff: datetime):
    # Created before the cutoff: a conversation being opened right now has no message yet.
    recent = exists().where(
        Message.conversation_id == Conversation.id, Message.created_at >= cutoff
    )
    return and_(Conversation.created_at < cutoff, not_(recent))


def _old_numbers(cutoff: datetime):
    return and_(Delivery.created_at < cutoff, Delivery.phone.isnot(None))


# --- the purge -------------------------------------------------------------------------------


def _batches(sessions: sessionmaker, model, condition, batch: int):
    """Yields (session, ids) a batch at a time, in id order, and commits after each."""
    after = 0
    while True:
        with sessions() as session:
            ids = list(
                session.execute(
                    select(model.id)
                    .where(model.id > after, condition)
                    .order_by(model.id)
                    .limit(batch)
                ).scalars()
            )
            if not ids:
                return
            yield session, ids
            session.commit()
        after = ids[-1]


def _forget_silent_families(
    sessions: sessionmaker, cutoff: datetime, now: datetime, batch: int
) -> tuple[Removed, list[str]]:
    removed, public_ids = Removed(), []
    for session, ids in _batches(sessions, Contact, silent_families(cutoff), batch):
        part, forgotten = forget_contacts(session, ids, now)
        removed += part
        public_ids += forgotten
    return removed, public_ids


def _delete_old_messages(sessions: sessionmaker, cutoff: datetime, batch: int) -> Removed:
    removed = Removed()
    for session, ids in _batches(sessions, Message, _old_messages(cutoff), batch):
        removed += delete_messages(session, ids)
    return removed


def _delete_empty_conversations(sessions: sessionmaker, cutoff: datetime, batch: int) -> Removed:
    removed = Removed()
    for session, ids in _batches(sessions, Conversation, _conversations_to_drop(cutoff), batch):
        removed += delete_conversations(session, ids)
    return removed


def _remove_old_numbers(sessions: sessionmaker, cutoff: datetime, batch: int) -> int:
    removed = 0
    for session, ids in _batches(sessions, Delivery, _old_numbers(cutoff), batch):
        # Twilio's error text may quote the number: it goes too; the error code stays.
        removed += session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(phone=None, error_message=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    return removed


def _purge_rasa(
    sessions: sessionmaker, settings: Settings, report: PurgeReport, forgotten: list[str]
) -> None:
    store = tracker_store_url(settings)
    try:
        if store:
            # Forgotten families have nothing newer than the cutoff: this takes theirs too.
            report.rasa_events = delete_tracker_events(
                store, RASA_EVENTS.c.timestamp < report.cutoff.timestamp()
            )
        else:
            clear_rasa_trackers(settings, forgotten)
            report.trackers_emptied = len(forgotten)
    except TrackerNotCleared as error:
        report.warnings.append(
            f"{error}: Rasa's copy of old conversations may still be there; the next purge "
            "tries again."
        )
    with sessions() as session:
        outcome = clear_pending_trackers(session, settings, via="retention")
    report.trackers_pending = outcome.cleared
    if outcome.error:
        report.warnings.append(
            f"{outcome.error}: Rasa may still hold conversations of families forgotten "
            "earlier; the next purge tries again."
        )


def purge(
    sessions: sessionmaker,
    settings: Settings,
    now: datetime | None = None,
    batch: int = BATCH,
) -> PurgeReport:
    """Removes everything older than settings.retention_days (which must not be 0)."""
    now = now or utcnow()
    report = PurgeReport(
        settings.retention_days, now - timedelta(days=settings.retention_days), dry_run=False
    )
    cutoff = report.cutoff
    report.removed, forgotten = _forget_silent_families(sessions, cutoff, now, batch)
    report.removed += _delete_old_messages(sessions, cutoff, batch)
    report.removed += _delete_empty_conversations(sessions, cutoff, batch)
    report.removed.delivery_numbers += _remove_old_numbers(sessions, cutoff, batch)
    with session_scope(sessions) as session:
        # Hashes of answered MessageSids outlive their messages by a year
        # (bot/conversations/replay_ledger.py).
        replay_ledger.forget_older_than(session, cutoff)
    _purge_rasa(sessions, settings, report, forgotten)
    return report


# --- the dry run -----------------------------------------------------------------------------


def _count(session: Session, model, *conditions) -> int:
    return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar()


def _count_rasa_events(settings: Settings, report: PurgeReport) -> None:
    store = tracker_store_url(settings)
    if not store:
        return
    try:
        report.rasa_events = count_tracker_events(
            store, RASA_EVENTS.c.timestamp < report.cutoff.timestamp()
        )
    except TrackerNotCleared as error:
        report.warnings.append(f"{error}: its old events could not be counted.")


def dry_run(sessions: sessionmaker, settings: Settings, now: datetime | None = None) -> PurgeReport:
    """What `purge` would remove now, counted; changes nothing."""
    now = now or utcnow()
    report = PurgeReport(
        settings.retention_days, now - timedelta(days=settings.retention_days), dry_run=True
    )
    cutoff = report.cutoff
    silent = select(Contact.id).where(silent_families(cutoff))
    dropped = select(Conversation.id).where(_conversations_to_drop(cutoff))
    old_messages = select(Message.id).where(_old_messages(cutoff))
    with sessions() as session:
        report.removed = Removed(
            families=_count(session, Contact, Contact.id.in_(silent)),
            opt_out_records=_count(session, Contact, Contact.id.in_(silent), ever_opted_out()),
            conversations=_count(session, Conversation, Conversation.id.in_(dropped)),
            messages=_count(session, Message, _old_messages(cutoff)),
            corrections=_count(session, NluCorrection, NluCorrection.message_id.in_(old_messages)),
            staff_notes=_count(
                session, ConversationNote, ConversationNote.conversation_id.in_(dropped)
            ),
            registrations=_count(session, Registration, Registration.contact_id.in_(silent)),
            delivery_numbers=_count(session, Delivery, _old_numbers(cutoff)),
        )
        report.trackers_pending = len(pending_trackers(session))
    _count_rasa_events(settings, report)
    return report


# --- from the worker -------------------------------------------------------------------------


def audit_detail(report: PurgeReport) -> dict:
    """What the audit log keeps of a purge: counts only, never a number or a name."""
    return {
        "days": report.days,
        "cutoff": report.cutoff.isoformat(),
        **report.removed.counts(),
        "rasa_events": report.rasa_events,
        "rasa_trackers": report.trackers_emptied + report.trackers_pending,
        **({"warnings": report.warnings} if report.warnings else {}),
    }


def scheduled_purge(settings: Settings, now: datetime | None = None) -> PurgeReport | None:
    """The worker's daily run: purges, logs what went and records it in the audit log when
    anything did. None when RETENTION_DAYS is 0 (keep everything)."""
    from bot.db import engine_for, session_factory
    from bot.staff import audit

    sessions = session_factory(engine_for(settings.database_url))
    with session_scope(sessions) as session:
        # Failed logins of days ago: whatever RETENTION_DAYS says, they are no longer needed.
        login_throttle.forget_stale(session, now)
    if not settings.retention_days:
        return None
    report = purge(sessions, settings, now=now)
    if report.anything or report.warnings:
        with sessions() as session:
            audit.record(session, None, "retention.purge", via="worker", **audit_detail(report))
            session.commit()
    log.info("retention purge: %s", " ".join(line.strip() for line in report.lines()))
    for warning in report.warnings:
        log.warning("retention purge: %s", warning)
    return report
