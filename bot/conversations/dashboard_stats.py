"""The figures on the console's dashboard: what families texted about over the last 7, 30 or 90
days (Los Angeles days), how well the bot understood them, how often a person was needed, Parent
College seats, and opt-outs.

Everything is counted in the database (GROUP BY), never by loading messages, so the page stays
quick on a year of messages. Days are Los Angeles days: PostgreSQL converts each timestamp to LA
time itself; SQLite has no time zones, so it counts per UTC hour and the hours are folded into LA
days here (LA is a whole number of hours from UTC, so every hour falls in exactly one LA day,
across the daylight-saving changes too)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Date, and_, cast, distinct, exists, func, literal_column, select
from sqlalchemy.orm import Session

from bot.models import (
    ConsentEvent,
    Conversation,
    Message,
    ParentCollegeSession,
    Registration,
    utcnow,
)
from bot.text.dates import LOCAL_TZ, local
from bot.text.languages import LANGUAGES
from bot.texts import pick

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
FALLBACK_INTENT = "nlu_fallback"
TOP_INTENTS = 10
UPCOMING_SESSIONS = 8
# A family message without a known language (another script, a keyword from a new number).
OTHER_LANGUAGE = "other"
# A conversation staff took over themselves, without the bot recording why.
TAKEN_OVER = "taken_over_by_staff"


@dataclass(frozen=True)
class Period:
    """The last `days` Los Angeles days, today included."""

    days: int
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return _local_midnight(self.last_day + timedelta(days=1))

    @property
    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    @property
    def week_starts(self) -> list[date]:
        first = _monday_of(self.first_day)
        return [first + timedelta(weeks=n) for n in range((self.last_day - first).days // 7 + 1)]


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        share = self.share
        return "–" if share is None else f"{share:.1%}"


@dataclass(frozen=True)
class IntentCount:
    intent: str
    count: int
    share: float  # of the family messages the bot read


@dataclass(frozen=True)
class SessionSeats:
    session_id: int
    title: str
    starts_at: datetime
    capacity: int
    registered_adults: int
    registrations: int
    waitlisted_adults: int
    waitlisted: int


@dataclass(frozen=True)
class WeekConsent:
    week_start: date
    opt_outs: int
    opt_ins: int


@dataclass
class Dashboard:
    period: Period
    # day -> language ("en", "es", "other") -> family messages
    messages_by_day: dict[date, dict[str, int]]
    families: int
    intents: list[IntentCount]
    fallback: Rate
    handoff: Rate
    handoff_reasons: list[tuple[str, int]]
    sessions: list[SessionSeats]
    consent_by_week: list[WeekConsent]
    new_registrations: int
    language_totals: dict[str, int] = field(default_factory=dict)

    @property
    def family_messages(self) -> int:
        return sum(self.language_totals.values())

    @property
    def opt_outs(self) -> int:
        return sum(week.opt_outs for week in self.consent_by_week)

    @property
    def opt_ins(self) -> int:
        return sum(week.opt_ins for week in self.consent_by_week)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_ending(days: int, now: datetime | None = None) -> Period:
    if days not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {days!r}")
    today = local(now or utcnow()).date()
    return Period(days, today - timedelta(days=days - 1), today)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _count_by_local_day(session: Session, timestamp, extra, where) -> Counter:
    """{(LA day, extra value): rows} for the rows matching `where`."""
    if _is_postgres(session):
        # Literals, not parameters: the GROUP BY must repeat the selected expression exactly.
        day = cast(func.timezone(literal_column(f"'{LOCAL_TZ.key}'"), timestamp), Date)
        rows = session.execute(
            select(day, extra, func.count()).where(*where).group_by(day, extra)
        ).all()
        return Counter({(row[0], row[1]): row[2] for row in rows})
    hour = func.strftime(literal_column("'%Y-%m-%d %H'"), timestamp)
    rows = session.execute(
        select(hour, extra, func.count()).where(*where).group_by(hour, extra)
    ).all()
    counts: Counter = Counter()
    for utc_hour, value, count in rows:
        moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
        counts[(local(moment).date(), value)] += count
    return counts


def _family_messages(period: Period) -> list:
    return [
        Message.direction == Message.DIRECTION_IN,
        Message.sender == Message.SENDER_FAMILY,
        Message.created_at >= period.start,
        Message.created_at < period.end,
    ]


def messages_by_day(session: Session, period: Period) -> dict[date, dict[str, int]]:
    """Family messages per LA day and language, every day of the period present (zeros too)."""
    days = {day: dict.fromkeys((*LANGUAGES, OTHER_LANGUAGE), 0) for day in period.dates}
    counts = _count_by_local_day(
        session, Message.created_at, Message.language, _family_messages(period)
    )
    for (day, language), count in counts.items():
        if day in days:
            key = language if language in LANGUAGES else OTHER_LANGUAGE
            days[day][key] += count
    return days


def families_who_texted(session: Session, period: Period) -> int:
    return session.execute(
        select(func.count(distinct(Conversation.contact_id)))
        .select_from(Message)
        .join(Conversation, Message.conversation_id == Conversation.id)
        .where(*_family_messages(period))
    ).scalar_one()


def intent_figures(session: Session, period: Period) -> tuple[list[IntentCount], Rate]:
    """The top intents of family messages and the fallback rate, both over the messages the bot
    read (keywords, messages to paused conversations and unanswered ones have no intent)."""
    rows = session.execute(
        select(Message.intent, func.count())
        .where(*_family_messages(period), Message.intent.is_not(None))
        .group_by(Message.intent)
    ).all()
    read = sum(count for _intent, count in rows)
    top = sorted(rows, key=lambda row: (-row[1], row[0]))[:TOP_INTENTS]
    intents = [IntentCount(intent, count, count / read) for intent, count in top]
    fallbacks = sum(count for intent, count in rows if intent == FALLBACK_INTENT)
    return intents, Rate(fallbacks, read)


def handoff_figures(session: Session, period: Period) -> tuple[Rate, list[tuple[str, int]]]:
    """Conversations with a family message in the period, and how many of them went to staff
    in the period (the bot handed them over, or staff took them over), by reason. A
    conversation keeps its latest hand-off only, so one handed over twice counts once."""
    texted = exists().where(Message.conversation_id == Conversation.id, *_family_messages(period))
    handed = and_(
        Conversation.handed_off_at >= period.start, Conversation.handed_off_at < period.end
    )
    rows = session.execute(
        select(Conversation.handoff_reason, handed, func.count())
        .where(texted)
        .group_by(Conversation.handoff_reason, handed)
    ).all()
    active = sum(count for _reason, _handed, count in rows)
    reasons: Counter = Counter()
    for reason, was_handed, count in rows:
        if was_handed:
            reasons[reason or TAKEN_OVER] += count
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return Rate(sum(reasons.values()), active), ranked


def session_seats(
    session: Session, now: datetime | None = None, limit: int = UPCOMING_SESSIONS
) -> list[SessionSeats]:
    """The next Parent College sessions: adults registered against capacity, and the
    waitlist (capacity counts adults in the room, as bot.parent_college.registrations does)."""
    upcoming = (
        session.execute(
            select(ParentCollegeSession)
            .where(
                ParentCollegeSession.archived.is_(False),
                ParentCollegeSession.starts_at >= (now or utcnow()),
            )
            .order_by(ParentCollegeSession.starts_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not upcoming:
        return []
    totals = session.execute(
        select(
            Registration.session_id,
            Registration.status,
            func.coalesce(func.sum(Registration.adults), 0),
            func.count(),
        )
        .where(
            Registration.session_id.in_([pc.id for pc in upcoming]),
            Registration.status.in_(
                (Registration.STATUS_REGISTERED, Registration.STATUS_WAITLISTED)
            ),
        )
        .group_by(Registration.session_id, Registration.status)
    ).all()
    by_key = {(row[0], row[1]): (int(row[2]), int(row[3])) for row in totals}
    seats = []
    for pc in upcoming:
        registered = by_key.get((pc.id, Registration.STATUS_REGISTERED), (0, 0))
        waitlisted = by_key.get((pc.id, Registration.STATUS_WAITLISTED), (0, 0))
        seats.append(
            SessionSeats(
                session_id=pc.id,
                title=pick(pc.title, "en") or pc.slug,
                starts_at=pc.starts_at,
                capacity=pc.capacity,
                registered_adults=registered[0],
                registrations=registered[1],
                waitlisted_adults=waitlisted[0],
                waitlisted=waitlisted[1],
            )
        )
    return seats


def new_registrations(session: Session, period: Period) -> int:
    return session.execute(
        select(func.count()).where(
            Registration.created_at >= period.start, Registration.created_at < period.end
        )
    ).scalar_one()


def consent_by_week(session: Session, period: Period) -> list[WeekConsent]:
    """Opt-outs and opt-ins per LA week (weeks start on Monday; the first one may be cut by the
    period's start)."""
    counts = _count_by_local_day(
        session,
        ConsentEvent.created_at,
        ConsentEvent.kind,
        [
            ConsentEvent.created_at >= period.start,
            ConsentEvent.created_at < period.end,
            ConsentEvent.kind.in_((ConsentEvent.OPT_OUT, ConsentEvent.OPT_IN)),
        ],
    )
    weeks = {start: Counter() for start in period.week_starts}
    for (day, kind), count in counts.items():
        week = weeks.get(_monday_of(day))
        if week is not None:
            week[kind] += count
    return [
        WeekConsent(start, week[ConsentEvent.OPT_OUT], week[ConsentEvent.OPT_IN])
        for start, week in weeks.items()
    ]


def dashboard(
    session: Session, days: int = DEFAULT_PERIOD, now: datetime | None = None
) -> Dashboard:
    period = period_ending(days, now)
    by_day = messages_by_day(session, period)
    language_totals = Counter()
    for counts in by_day.values():
        language_totals.update(counts)
    intents, fallback = intent_figures(session, period)
    handoff, reasons = handoff_figures(session, period)
    return Dashboard(
        period=period,
        messages_by_day=by_day,
        families=families_who_texted(session, period),
        intents=intents,
        fallback=fallback,
        handoff=handoff,
        handoff_reasons=reasons,
        sessions=session_seats(session, now),
        consent_by_week=consent_by_week(session, period),
        new_registrations=new_registrations(session, period),
        language_totals={key: language_totals[key] for key in (*LANGUAGES, OTHER_LANGUAGE)},
    )
