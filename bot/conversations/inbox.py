"""The staff inbox: conversations newest first, narrowed by what families wrote.

A message filter (language, intent, confidence, fallback, date, text) means "the conversation has
a family message matching all of them", written as EXISTS so PostgreSQL can walk the conversations
in inbox order and probe each one through an index (migration 0004), or start from the few
matching messages when they are rare. Pages are keyset pages on (last_message_at, id): no OFFSET,
no count, so the tenth page costs what the first does."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.conversations.inbox_filters import InboxFilters
from bot.conversations.log import bot_is_paused
from bot.models import Contact, Conversation, Message, School, utcnow
from bot.rasa.project import intent_names
from bot.text.dates import LOCAL_TZ, utc
from bot.text.phone import for_display

FALLBACK = "nlu_fallback"
PREVIEW_CHARS = 120


@dataclass(frozen=True)
class InboxRow:
    conversation_id: int
    channel: str
    contact_name: str | None
    contact_phone: str | None  # as staff read it: (323) 555-0100 for a valid US number
    contact_language: str | None
    school: str | None
    last_message_at: datetime
    last_message: str
    last_sender: str | None
    needs_staff: bool
    handled_by_staff: bool  # the bot is paused right now because staff have it
    handoff_reason: str | None
    fallbacks: int
    snippet: tuple[str, str, str] | None = None  # (before, match, after) of a found message

    @property
    def is_web_chat(self) -> bool:
        return self.channel == Conversation.CHANNEL_WEBCHAT

    @property
    def contact_display(self) -> str:
        if self.contact_name:
            return self.contact_name
        if self.contact_phone:
            return self.contact_phone
        return "Web chat visitor" if self.is_web_chat else "Unknown number"


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow] = field(default_factory=list)
    # Opaque cursor for the next (older) page; None on the last page.
    older: str | None = None


class BadCursor(ValueError):
    pass


def encode_cursor(last_message_at: datetime, conversation_id: int) -> str:
    when = last_message_at.isoformat()
    raw = f"{when}|{conversation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, conversation_id = base64.urlsafe_b64decode(padded).decode().split("|")
        return utc(datetime.fromisoformat(when)), int(conversation_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor("This page link is not valid any more.") from error


def local_day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, ...]:
    """UTC instants for Los Angeles days, both inclusive: [first 00:00, day after last 00:00)."""
    start = datetime.combine(first, time(), LOCAL_TZ).astimezone(timezone.utc) if first else None
    end = None
    if last:
        end = datetime.combine(last + timedelta(days=1), time(), LOCAL_TZ).astimezone(timezone.utc)
    return start, end


def like_pattern(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _folded_body(session: Session):
    """lower(body) on PostgreSQL (the trigram index of 0004 is on it). SQLite's lower() and
    LIKE fold ASCII only, so "INSCRIPCIÓN" would miss "inscripción": there Python folds."""
    if session.get_bind().dialect.name != "sqlite":
        return func.lower(Message.body)
    return func.unicode_lower(Message.body)  # registered on every connection by bot.db


def family_message_criteria(session: Session, filters: InboxFilters) -> list:
    """What one family message must match, correlated to Conversation."""
    criteria = [
        Message.conversation_id == Conversation.id,
        Message.direction == Message.DIRECTION_IN,
    ]
    if filters.language:
        criteria.append(Message.language == filters.language)
    if filters.intent:
        criteria.append(Message.intent == filters.intent)
    if filters.fallbacks:
        criteria.append(Message.intent == FALLBACK)
    if filters.max_confidence is not None:
        criteria.append(Message.confidence < filters.max_confidence)
    start, end = local_day_bounds(filters.date_from, filters.date_to)
    if start:
        criteria.append(Message.created_at >= start)
    if end:
        criteria.append(Message.created_at < end)
    if filters.q:
        criteria.append(_folded_body(session).like(like_pattern(filters.q), escape="\\"))
    return criteria


def staff_has_it(now: datetime):
    """SQL twin of bot_is_paused: a hand-off whose time ran out no longer counts."""
    return and_(
        Conversation.handled_by_staff.is_(True),
        or_(Conversation.handoff_until.is_(None), Conversation.handoff_until > now),
    )


def _page_query(session: Session, filters: InboxFilters, limit: int, before):
    query = (
        select(Conversation.id, Conversation.last_message_at)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.last_message_at.is_not(None))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        when, conversation_id = before
        # Written so the last_message_at index bounds the scan; ties are settled by id.
        query = query.where(
            Conversation.last_message_at <= when,
            or_(Conversation.last_message_at < when, Conversation.id < conversation_id),
        )
    if filters.waiting:
        query = query.where(or_(Conversation.needs_staff.is_(True), staff_has_it(utcnow())))
    if filters.school_id is not None:
        query = query.where(Contact.school_id == filters.school_id)
    if filters.has_message_filter:
        query = query.where(exists().where(*family_message_criteria(session, filters)))
    return query


def inbox_page(
    session: Session, filters: InboxFilters, limit: int = 50, before: str | None = None
) -> InboxPage:
    """One page of conversations, newest first; `before` is the `older` cursor of the page
    before it (BadCursor when it was tampered with)."""
    position = decode_cursor(before) if before else None
    found = session.execute(_page_query(session, filters, limit, position)).all()
    page, more = found[:limit], len(found) > limit
    rows = _rows(session, filters, [conversation_id for conversation_id, _ in page])
    older = encode_cursor(page[-1].last_message_at, page[-1].id) if more else None
    return InboxPage(rows=rows, older=older)


def _rows(session: Session, filters: InboxFilters, ids: list[int]) -> list[InboxRow]:
    """Everything shown for the page's conversations, in the page's order."""
    if not ids:
        return []
    newest = (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    fallbacks = (
        select(func.count())
        .where(
            Message.conversation_id == Conversation.id,
            Message.direction == Message.DIRECTION_IN,
            Message.intent == FALLBACK,
        )
        .scalar_subquery()
    )
    columns = [
        Conversation,
        Contact,
        School.short_name,
        newest.label("newest"),
        fallbacks.label("fallbacks"),
    ]
    if filters.q:
        found = (
            select(Message.id)
            .where(*family_message_criteria(session, filters))
            .order_by(Message.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        columns.append(found.label("found"))
    result = session.execute(
        select(*columns)
        .join(Contact, Contact.id == Conversation.contact_id)
        .outerjoin(School, School.id == Contact.school_id)
        .where(Conversation.id.in_(ids))
    ).all()
    message_ids = {row.newest for row in result} | {getattr(row, "found", None) for row in result}
    messages = {
        message.id: message
        for message in session.execute(
            select(Message).where(Message.id.in_([i for i in message_ids if i is not None]))
        ).scalars()
    }
    by_id = {row.Conversation.id: _row(row, messages, filters.q) for row in result}
    return [by_id[conversation_id] for conversation_id in ids if conversation_id in by_id]


def _row(result, messages: dict[int, Message], q: str | None) -> InboxRow:
    conversation, contact = result.Conversation, result.Contact
    last = messages.get(result.newest)
    found = messages.get(getattr(result, "found", None))
    return InboxRow(
        conversation_id=conversation.id,
        channel=conversation.channel,
        contact_name=contact.name,
        contact_phone=for_display(contact.phone, contact.phone_valid) or None,
        contact_language=contact.language,
        school=result.short_name,
        last_message_at=conversation.last_message_at,
        last_message=preview(last.body if last else ""),
        last_sender=last.sender if last else None,
        needs_staff=conversation.needs_staff,
        handled_by_staff=bot_is_paused(conversation),
        handoff_reason=conversation.handoff_reason,
        fallbacks=result.fallbacks or 0,
        snippet=snippet(found.body, q) if found is not None and q else None,
    )


def preview(body: str, chars: int = PREVIEW_CHARS) -> str:
    flat = " ".join((body or "").split())
    return flat if len(flat) <= chars else flat[: chars - 1].rstrip() + "…"


def snippet(body: str, q: str, chars: int = PREVIEW_CHARS) -> tuple[str, str, str]:
    """(before, match, after) around the first match of q, about `chars` long in all, so the
    page can mark the match without trusting any HTML."""
    flat = " ".join((body or "").split())
    found = re.search(re.escape(q), flat, re.IGNORECASE)
    if found is None:
        return (preview(flat, chars), "", "")
    room = max(chars - len(found.group()), 0)
    start = max(found.start() - room // 3, 0)
    end = min(found.end() + room - (found.start() - start), len(flat))
    before = ("…" if start > 0 else "") + flat[start : found.start()]
    after = flat[found.end() : end] + ("…" if end < len(flat) else "")
    return (before, found.group(), after)


def intents_seen(session: Session | None = None) -> list[str]:
    """Every intent the bot can name (domain/*.yml), plus nlu_fallback, sorted. The session is
    accepted for callers that may want intents found in the log; a DISTINCT over a year of
    messages is too slow for a dropdown."""
    return sorted({FALLBACK, *intent_names()})


def schools_for_filter(session: Session) -> list[tuple[int, str]]:
    return [
        (school_id, short_name)
        for school_id, short_name in session.execute(
            select(School.id, School.short_name)
            .where(School.archived.is_(False))
            .order_by(School.short_name)
        )
    ]
