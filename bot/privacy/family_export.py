"""A family's whole history with the line as JSON (`bot family export`): the contact, its
conversations and staff notes, registrations, broadcast deliveries and staff corrections, with
times in UTC. What it finds a family by is bot/privacy/family_records.py's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.models import (
    Broadcast,
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
