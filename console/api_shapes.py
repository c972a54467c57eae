"""What the staff API answers, row by row: a school, a program, an event, a Parent College
session, a registration, a message, a conversation and an inbox row as JSON, with times in UTC
(ISO 8601). One shape per row, so every endpoint that returns one returns it the same way."""

from __future__ import annotations

from sqlalchemy import select

from bot.conversations.inbox import InboxRow
from bot.conversations.log import bot_is_paused
from bot.models import (
    Contact,
    Conversation,
    Event,
    Message,
    NluCorrection,
    ParentCollegeSession,
    Program,
    Registration,
    School,
)
from bot.parent_college.registrations import seats_taken
from webhooks.threads import utc_iso


def school_json(school: School) -> dict:
    return {
        "id": school.id,
        "slug": school.slug,
        "name": school.name,
        "short_name": school.short_name,
        "level": school.level,
        "neighborhood": school.neighborhood.slug if school.neighborhood else None,
        "address": school.address,
        "phone": school.phone,
        "principal": school.principal,
        "website": school.website,
        "hours": school.hours,
        "attendance_phone": school.attendance_phone,
        "bell_times": school.bell_times,
        "enrollment_contact": school.enrollment_contact,
        "days_off": school.days_off,
        "archived": school.archived,
    }


def program_json(program: Program) -> dict:
    return {
        "id": program.id,
        "slug": program.slug,
        "name": program.name,
        "summary": program.summary,
        "website": program.website,
        "archived": program.archived,
    }


def event_json(event: Event) -> dict:
    return {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "description": event.description,
        "starts_at": utc_iso(event.starts_at),
        "ends_at": utc_iso(event.ends_at),
        "place": event.place,
        "school": event.school.slug if event.school else None,
        "neighborhood": event.neighborhood.slug if event.neighborhood else None,
        "archived": event.archived,
    }


def pc_session_json(db, pc_session: ParentCollegeSession) -> dict:
    taken = seats_taken(db, pc_session)
    waitlisted = db.execute(
        select(Registration.id).filter_by(
            session_id=pc_session.id, status=Registration.STATUS_WAITLISTED
        )
    ).all()
    return {
        "id": pc_session.id,
        "slug": pc_session.slug,
        "title": pc_session.title,
        "starts_at": utc_iso(pc_session.starts_at),
        "ends_at": utc_iso(pc_session.ends_at),
        "place": pc_session.place,
        "school": pc_session.school.slug if pc_session.school else None,
        "neighborhood": pc_session.neighborhood.slug if pc_session.neighborhood else None,
        "language": pc_session.language,
        "capacity": pc_session.capacity,
        "adults_registered": taken,
        "seats_left": max(pc_session.capacity - taken, 0),
        "families_waitlisted": len(waitlisted),
        "archived": pc_session.archived,
    }


def registration_json(registration: Registration) -> dict:
    contact: Contact = registration.contact
    return {
        "id": registration.id,
        "session": registration.session.slug,
        "name": registration.name,
        "phone": contact.phone if contact.phone_valid else None,
        "language": contact.language,
        "adults": registration.adults,
        "childcare": registration.childcare,
        "children": registration.children,
        "status": registration.status,
        "created_at": utc_iso(registration.created_at),
        "cancelled_at": utc_iso(registration.cancelled_at),
        "checked_in_at": utc_iso(registration.checked_in_at),
    }


def message_json(message: Message, correction: NluCorrection | None) -> dict:
    return {
        "id": message.id,
        "direction": message.direction,
        "sender": message.sender,
        "body": message.body,
        "language": message.language,
        "intent": message.intent,
        "confidence": message.confidence,
        "created_at": utc_iso(message.created_at),
        "delivery_status": message.delivery_status,
        "error_code": message.error_code,
        "correction": (
            {"intent": correction.intent, "language": correction.language}
            if correction is not None
            else None
        ),
    }


def conversation_summary_json(conversation: Conversation) -> dict:
    contact: Contact = conversation.contact
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "contact": {
            "id": contact.id,
            "phone": contact.phone if contact.phone_valid else None,
            "name": contact.name,
            "language": contact.language,
            "school": contact.school.slug if contact.school else None,
            "opted_out": contact.opted_out,
        },
        "needs_staff": conversation.needs_staff,
        "handled_by_staff": bot_is_paused(conversation),
        "handoff_reason": conversation.handoff_reason,
        "last_message_at": utc_iso(conversation.last_message_at),
    }


def inbox_row_json(row: InboxRow) -> dict:
    return {
        "id": row.conversation_id,
        "channel": row.channel,
        "contact": {
            "name": row.contact_name,
            "phone": row.contact_phone,
            "language": row.contact_language,
            "school": row.school,
        },
        "last_message_at": utc_iso(row.last_message_at),
        "last_message": row.last_message,
        "last_sender": row.last_sender,
        "needs_staff": row.needs_staff,
        "handled_by_staff": row.handled_by_staff,
        "handoff_reason": row.handoff_reason,
        "fallbacks": row.fallbacks,
        "match": "".join(row.snippet) if row.snippet else None,
    }
