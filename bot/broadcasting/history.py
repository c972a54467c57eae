"""The broadcasts sent so far, as staff read them in the console's history, the JSON API and
`bot broadcast list`: newest first, each with its audience in words, its author and how far it
got."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.broadcasting.audience import Audience, AudienceError
from bot.broadcasting.compose import BUCKET_ORDER, BUCKETS, Report
from bot.models import Broadcast, Delivery, StaffUser

# What a carrier's or Twilio's error code means, for the failures table.
ERROR_MEANINGS = {
    "21610": "Opted out at the carrier: the family had replied STOP; they are now opted out.",
    "21211": "Not a valid phone number.",
    "21614": "Not a mobile number: it cannot receive texts.",
    "30003": "Unreachable: the phone is off or out of coverage.",
    "30004": "Blocked: the family's phone or plan blocks this number.",
    "30005": "Unknown number: it does not exist or is no longer in service.",
    "30006": "Landline: the number cannot receive texts.",
    "30007": "Filtered by the carrier (it took the text for spam).",
    "30008": "Unknown error at the carrier; tried again several times.",
    "429": "Twilio was too busy; tried again several times.",
    "20429": "Twilio was too busy; tried again several times.",
    "unknown": "No error code was given.",
}


def audience_label(db: Session, broadcast: Broadcast) -> str:
    """The audience in staff's words; a school or session deleted since is named by its id."""
    try:
        return Audience.parse(broadcast.audience, session=db).describe()
    except AudienceError:
        try:
            return Audience.parse(broadcast.audience).describe()
        except AudienceError:
            return "Unknown audience"


def progress_figures(found: Report) -> dict:
    """A broadcast's progress as the console's page refresh and the API give it."""
    return {
        "state": found.broadcast.state,
        "total": found.total,
        "buckets": {
            bucket: {
                "count": found.buckets.get(bucket, 0),
                "percent": round(found.percent(bucket), 1),
            }
            for bucket in BUCKET_ORDER
        },
        "failures_by_code": [
            {"code": code, "count": count, "meaning": ERROR_MEANINGS.get(code)}
            for code, count in found.failures_by_code
        ],
        "failures_by_language": found.failures_by_language,
    }


def history(db: Session, limit: int, before: int | None = None) -> tuple[list[Broadcast], bool]:
    """The newest broadcasts (older than id `before`), and whether there are older ones."""
    query = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(Broadcast.id < before)
    rows = list(db.execute(query).scalars())
    return rows[:limit], len(rows) > limit


def done_share(db: Session, broadcast_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(sent or delivered, all rows) per broadcast, in one grouped query."""
    reached = {"sent", "delivered"}
    shares = {broadcast_id: (0, 0) for broadcast_id in broadcast_ids}
    if not broadcast_ids:
        return shares
    rows = db.execute(
        select(Delivery.broadcast_id, Delivery.status, func.count())
        .where(Delivery.broadcast_id.in_(broadcast_ids))
        .group_by(Delivery.broadcast_id, Delivery.status)
    )
    for broadcast_id, status, count in rows:
        done, total = shares[broadcast_id]
        done += count if BUCKETS.get(status, "sent") in reached else 0
        shares[broadcast_id] = (done, total + count)
    return shares


def authors(db: Session, broadcasts: list[Broadcast]) -> dict[int, str]:
    ids = {b.created_by_id for b in broadcasts if b.created_by_id is not None}
    if not ids:
        return {}
    rows = db.execute(
        select(StaffUser.id, StaffUser.name, StaffUser.email).where(StaffUser.id.in_(ids))
    )
    return {user_id: name or email for user_id, name, email in rows}
