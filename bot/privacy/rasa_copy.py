"""Rasa's own copy of a family's conversations (the tracker, under the contact's public id, never
the phone): `clear_rasa_trackers` empties it, through Rasa's HTTP API (bot/rasa/client.py) for
its in-memory store, or straight in the database of its SQL tracker store (bot/rasa/endpoints.py),
where Rasa's API can only add events, never remove them. A copy Rasa could not empty is noted in
the audit log and emptied by the next forget or the daily purge."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from sqlalchemy import column, create_engine, delete, func, inspect, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from bot.config import Settings
from bot.models import (
    AuditLog,
)
from bot.privacy.family_records import BATCH, chunks
from bot.rasa.client import RasaClient, RasaUnavailable
from bot.rasa.endpoints import tracker_store_url
from bot.staff import audit

# The audit log's record of Rasa trackers still to empty (Rasa was down during a forget).
TRACKER_PENDING = "rasa_tracker.clear_pending"
TRACKER_CLEARED = "rasa_tracker.cleared"
TRACKER = "rasa_tracker"

RASA_EVENTS = table("events", column("id"), column("sender_id"), column("timestamp"))
# PostgreSQL's "database does not exist": Rasa never started with that store, so it holds nothing.
NO_SUCH_DATABASE = "3D000"


class TrackerNotCleared(RuntimeError):
    """Rasa's copy of a conversation could not be emptied; the message says why."""


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


def _empty_tracker(rasa: RasaClient, public_id: str) -> None:
    try:
        rasa.clear_tracker(public_id)
    except RasaUnavailable as error:
        cause = error.__cause__
        if isinstance(cause, requests.HTTPError) and cause.response is not None:
            status = cause.response.status_code
            raise TrackerNotCleared(f"Rasa at {rasa.base_url} answered HTTP {status}") from error
        reason = type(cause or error).__name__
        raise TrackerNotCleared(f"Rasa is not reachable at {rasa.base_url} ({reason})") from error


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
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout, token=settings.rasa_api_token)
    with rasa.http:
        for public_id in ids:
            _empty_tracker(rasa, public_id)


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
