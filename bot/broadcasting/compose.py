"""Making a broadcast from what staff wrote (texts, audience, when) and reading how it went: the
one path the console, the API and `bot broadcast` share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.broadcasting import states
from bot.broadcasting.audience import Audience
from bot.broadcasting.fanout import create_deliveries
from bot.broadcasting.preview import NoTextError, Preview, preview, texts_present
from bot.config import Settings
from bot.models import Broadcast, Delivery, StaffUser, TwilioStatus, utcnow
from bot.text.dates import LOCAL_TZ, utc
from bot.text.languages import LANGUAGES, name_of
from bot.text.staff_time import staff_time

# A time chosen on the form is to the minute: one a few minutes gone is "now", not a mistake.
PAST_SLACK = timedelta(minutes=5)
# Twilio's limit for one message body.
MAX_TEXT_CHARS = 1600

# Delivery statuses as staff read progress: ours before Twilio has the text, Twilio's after.
BUCKETS = {
    Delivery.STATUS_PENDING: "queued",
    Delivery.STATUS_CLAIMED: "queued",
    TwilioStatus.ACCEPTED: "sent",
    TwilioStatus.QUEUED: "sent",
    TwilioStatus.SENDING: "sent",
    TwilioStatus.SENT: "sent",
    TwilioStatus.DELIVERED: "delivered",
    TwilioStatus.READ: "delivered",
    TwilioStatus.UNDELIVERED: "failed",
    TwilioStatus.FAILED: "failed",
    Delivery.STATUS_OPTED_OUT: "opted_out",
    Delivery.STATUS_CANCELLED: "cancelled",
}
BUCKET_ORDER = ("queued", "sent", "delivered", "failed", "opted_out", "cancelled")


class ComposeError(ValueError):
    """What is wrong with a broadcast as written, in words for staff."""


def clean_texts(texts: dict[str, str | None]) -> dict[str, str]:
    cleaned = {lang: (texts.get(lang) or "").strip() for lang in LANGUAGES}
    cleaned = {lang: value for lang, value in cleaned.items() if value}
    if not cleaned:
        raise ComposeError("Write the message in English, Spanish or both.")
    for lang, value in cleaned.items():
        if len(value) > MAX_TEXT_CHARS:
            raise ComposeError(
                f"The {name_of(lang)} text is {len(value):,} characters; a text can have at most "
                f"{MAX_TEXT_CHARS:,}."
            )
    return cleaned


def preview_for(
    session: Session, texts: dict[str, str], audience: Audience, settings: Settings
) -> Preview:
    try:
        return preview(session, audience, texts, settings.segment_price, settings.default_language)
    except NoTextError as error:
        raise ComposeError(str(error)) from None


@dataclass
class Created:
    broadcast: Broadcast
    # True when it must be sent now: the caller enqueues the workers (tasks.enqueue_lanes).
    send_now: bool


def create(
    session: Session,
    texts: dict[str, str | None],
    audience: Audience,
    settings: Settings,
    *,
    title: str | None = None,
    scheduled_at: datetime | None = None,
    urgent: bool = False,
    created_by: StaffUser | None = None,
    now: datetime | None = None,
) -> Created:
    """A broadcast to send now (its delivery rows made, state sending) or at `scheduled_at`
    (state scheduled; the rows are made when it starts, from the audience as it is then)."""
    now = now or utcnow()
    cleaned = clean_texts(texts)
    estimate = preview_for(session, cleaned, audience, settings)
    scheduled_at = utc(scheduled_at)
    later = scheduled_at is not None and scheduled_at > now
    broadcast = Broadcast(
        kind=Broadcast.KIND_ANNOUNCEMENT,
        title=(title or "").strip()[:200] or None,
        texts=cleaned,
        audience=audience.to_json(),
        urgent=urgent,
        scheduled_at=scheduled_at if later else now,
        state=Broadcast.STATE_SCHEDULED if later else Broadcast.STATE_DRAFT,
        estimated_cost=round(estimate.total_cost, 4),
        created_by_id=created_by.id if created_by is not None else None,
    )
    session.add(broadcast)
    session.flush()
    if later:
        return Created(broadcast, send_now=False)
    create_deliveries(session, broadcast, settings.default_language)
    states.start(session, broadcast, now)
    return Created(broadcast, send_now=True)


@dataclass
class Report:
    broadcast: Broadcast
    total: int
    buckets: dict[str, int]
    # (error code, how many), most first; and failures per language.
    failures_by_code: list[tuple[str, int]] = field(default_factory=list)
    failures_by_language: dict[str, int] = field(default_factory=dict)

    def percent(self, bucket: str) -> float:
        return 100.0 * self.buckets.get(bucket, 0) / self.total if self.total else 0.0


def report(session: Session, broadcast: Broadcast) -> Report:
    buckets: Counter = Counter({name: 0 for name in BUCKET_ORDER})
    for status, count in states.progress(session, broadcast.id).items():
        buckets[BUCKETS.get(status, "sent")] += count
    failed = [s for s, b in BUCKETS.items() if b == "failed"]
    by_code = session.execute(
        select(Delivery.error_code, func.count())
        .where(Delivery.broadcast_id == broadcast.id, Delivery.status.in_(failed))
        .group_by(Delivery.error_code)
        .order_by(func.count().desc())
    ).all()
    by_language = session.execute(
        select(Delivery.language, func.count())
        .where(Delivery.broadcast_id == broadcast.id, Delivery.status.in_(failed))
        .group_by(Delivery.language)
    ).all()
    return Report(
        broadcast=broadcast,
        total=sum(buckets.values()),
        buckets=dict(buckets),
        failures_by_code=[(code or "unknown", count) for code, count in by_code],
        failures_by_language=dict(by_language),
    )


def languages_of(broadcast: Broadcast) -> list[str]:
    return texts_present(broadcast.texts)


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A send time: ISO 8601 with an offset ("2026-12-01T09:00:00-08:00", "...Z"), or a Los
    Angeles wall-clock time ("2026-12-01 09:00", or the form's "2026-12-01T09:00"). In UTC."""
    raw = (text or "").strip()
    example = "2026-12-01 09:00 (Los Angeles time)"
    if raw[-1:] in ("Z", "z"):
        raw = raw[:-1] + "+00:00"
    try:
        if len(raw) < 16:  # a date alone is no time to send
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ComposeError(f"Give the time to send it like {example}, not {text!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    moment = moment.astimezone(timezone.utc)
    if moment < (now or utcnow()) - PAST_SLACK:
        raise ComposeError(
            f"{staff_time(moment)} (Los Angeles time) has passed: choose a later time, "
            "or send it now."
        )
    return moment
