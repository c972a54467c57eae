"""The day-before reminder of Parent College: each family still signed up gets one text in its
language, sent as a broadcast of kind "reminder" to the session's registrants (so it has the same
rate, retries, quiet hours, progress and history as any broadcast).

A reminder is queued once per session (Broadcast.session_id is unique), at REMINDER_TIME Los
Angeles time on the day before. A family that cancels or opts out after it was queued gets
nothing: the sending worker asks `sending.still_wanted` just before each text goes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.broadcasting import states
from bot.broadcasting.fanout import create_deliveries
from bot.models import Broadcast, ParentCollegeSession, Registration, utcnow
from bot.text.dates import LOCAL_TZ, local, time_of_day
from bot.text.languages import LANGUAGES
from bot.texts import text

DEFAULT_REMINDER_TIME = time(10, 0)


def session_time(pc_session: ParentCollegeSession, language: str) -> str:
    """ "9 AM" / "a las 9 a. m." ("a la 1 p. m." for one o'clock, as Spanish says it)."""
    clock = time_of_day(pc_session.starts_at, language)
    if language != "es":
        return clock
    return f"{'a la' if clock.split()[0].split(':')[0] == '1' else 'a las'} {clock}"


def session_place(pc_session: ParentCollegeSession) -> str:
    # The school's short name families know, else the place up to its first comma.
    if pc_session.school is not None:
        return pc_session.school.short_name
    return pc_session.place.split(",")[0].strip()


def reminder_texts(pc_session: ParentCollegeSession) -> dict[str, str]:
    return {
        language: text(
            "session_reminder",
            language,
            session_time=session_time(pc_session, language),
            place=session_place(pc_session),
        )
        for language in LANGUAGES
    }


def sessions_due(
    session: Session, now: datetime | None = None, at: time = DEFAULT_REMINDER_TIME
) -> list[ParentCollegeSession]:
    """Sessions held tomorrow (Los Angeles days) once it is `at` today, with no reminder yet."""
    now = now or utcnow()
    today = local(now)
    if today.time() < at:
        return []
    tomorrow = today.date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(), LOCAL_TZ)
    end = start + timedelta(days=1)
    reminded = select(Broadcast.session_id).where(Broadcast.session_id.is_not(None))
    return list(
        session.execute(
            select(ParentCollegeSession)
            .where(
                ParentCollegeSession.archived.is_(False),
                ParentCollegeSession.starts_at >= start,
                ParentCollegeSession.starts_at < end,
                ParentCollegeSession.id.not_in(reminded),
            )
            .order_by(ParentCollegeSession.starts_at)
        ).scalars()
    )


def new_reminder(session: Session, pc_session: ParentCollegeSession) -> Broadcast:
    """The reminder broadcast of one session, ready for its delivery rows."""
    title = (pc_session.title or {}).get("en") or pc_session.slug
    broadcast = Broadcast(
        kind=Broadcast.KIND_REMINDER,
        title=f"Reminder: {title}"[:200],
        texts=reminder_texts(pc_session),
        audience={"kind": "session", "session_id": pc_session.id},
        session_id=pc_session.id,
        state=Broadcast.STATE_DRAFT,
    )
    session.add(broadcast)
    session.flush()
    return broadcast


def mark_reminded(session: Session, pc_session: ParentCollegeSession, now: datetime) -> int:
    registrations = session.execute(
        select(Registration).where(
            Registration.session_id == pc_session.id,
            Registration.status.in_(Registration.HOLDING_A_SEAT),
            Registration.reminded_at.is_(None),
        )
    ).scalars()
    count = 0
    for registration in registrations:
        registration.reminded_at = now
        count += 1
    return count


def queue_due_reminders(
    session: Session, default_language: str, at: time, now: datetime | None = None
) -> list[int]:
    """Makes and starts the reminder of every session held tomorrow whose reminder is due;
    returns their broadcast ids (the caller enqueues the workers). Commits each one."""
    now = now or utcnow()
    started = []
    for pc_session in sessions_due(session, now, at):
        try:
            broadcast = new_reminder(session, pc_session)
            create_deliveries(session, broadcast, default_language)
            mark_reminded(session, pc_session, now)
            states.start(session, broadcast, now)
            session.commit()
        except IntegrityError:
            # Every worker's clock ticks at the same minute; the session's reminder is unique,
            # so one made it and this one stands back.
            session.rollback()
            continue
        started.append(broadcast.id)
    return started
