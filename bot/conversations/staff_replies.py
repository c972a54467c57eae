"""What staff do in a conversation: reply, take it over from the bot, give it back, leave notes
for each other, and correct what the bot understood of a family's message.

A reply is written to the message log (and committed) before it is sent, so a text that reached
a family is never missing from the log, even if the process stops mid-send; the send's outcome
(Twilio SID, status, error code) is recorded on the same row afterwards. Replying also takes the
conversation over, so the bot does not talk over a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.config import Settings
from bot.conversations.log import bot_is_paused, log_message
from bot.models import (
    Contact,
    Conversation,
    ConversationNote,
    Message,
    NluCorrection,
    StaffUser,
    utcnow,
)
from bot.rasa.project import intent_names
from bot.sms.outbound import Transport, send_text
from bot.staff import audit
from bot.text.languages import LANGUAGES
from bot.text.segments import count_segments

# Twilio's limit for one message body (webhooks/chat.py and the simulator keep the same bound).
MAX_REPLY_CHARS = 1600
MAX_NOTE_CHARS = 4000
OPTED_OUT = "This family texted STOP; they can only be texted again after they text START."


class StaffActionError(ValueError):
    """Why the console refused what staff asked for, in words to show them."""


def _check_reply(conversation: Conversation, body: str) -> None:
    if not body.strip():
        raise StaffActionError("Write a message before sending.")
    if len(body) > MAX_REPLY_CHARS:
        raise StaffActionError(
            f"The message is {len(body):,} characters; at most {MAX_REPLY_CHARS:,} can be sent."
        )
    contact = conversation.contact
    if conversation.channel == Conversation.CHANNEL_SMS:
        if contact.opted_out:
            raise StaffActionError(OPTED_OUT)
        if not contact.phone or not contact.phone_valid:
            raise StaffActionError("This contact's number is not a valid phone number.")


def take_over(
    session: Session, conversation: Conversation, staff_user: StaffUser, hours: int = 0
) -> None:
    """The bot stays quiet on this conversation until staff release it, or for `hours` (0: no
    time limit). "Take over" in the console has no limit; a reply holds the conversation for
    HANDOFF_HOURS, so a family is not left unanswered when nobody releases it. A hold without a
    limit keeps it."""
    now = utcnow()
    if not bot_is_paused(conversation):
        conversation.handed_off_at = now
    unlimited = conversation.handled_by_staff and conversation.handoff_until is None
    conversation.handled_by_staff = True
    conversation.staff_user_id = staff_user.id
    conversation.handoff_until = None if unlimited or not hours else now + timedelta(hours=hours)


def release(session: Session, conversation: Conversation) -> None:
    """The bot answers again; nothing is left waiting for staff."""
    conversation.handled_by_staff = False
    conversation.needs_staff = False
    conversation.handoff_until = None
    conversation.handoff_reason = None
    conversation.staff_user_id = None


def reply(
    session: Session,
    conversation: Conversation,
    staff_user: StaffUser,
    body: str,
    settings: Settings,
    *,
    transport: Transport | None = None,
) -> Message:
    """Logs and sends a staff reply (an SMS through bot.sms.outbound; web chat reads the log).
    Commits twice: the logged reply with its audit entry, then the send's outcome. Raises
    StaffActionError, before anything is written, when the reply may not be sent."""
    _check_reply(conversation, body)
    contact = conversation.contact
    message = log_message(
        session,
        conversation,
        direction=Message.DIRECTION_OUT,
        sender=Message.SENDER_STAFF,
        staff_user_id=staff_user.id,
        body=body,
        language=contact.language,
    )
    take_over(session, conversation, staff_user, settings.handoff_hours)
    session.flush()
    cost = count_segments(body)
    audit.record(
        session,
        staff_user,
        "conversation.reply",
        "conversation",
        conversation.id,
        message_id=message.id,
        channel=conversation.channel,
        segments=cost.segments,
    )
    session.commit()
    if conversation.channel == Conversation.CHANNEL_SMS:
        result = send_text(
            session, contact, body, settings, message_id=message.id, transport=transport
        )
        message.twilio_sid = result.sid
        message.delivery_status = result.status
        message.error_code = result.error_code
        if not result.ok:
            message.note = (result.error_message or "not sent")[:500]
        session.commit()
    return message


def add_note(
    session: Session, conversation: Conversation, staff_user: StaffUser, body: str
) -> ConversationNote:
    body = body.strip()
    if not body:
        raise StaffActionError("Write the note before saving it.")
    if len(body) > MAX_NOTE_CHARS:
        raise StaffActionError(f"A note can be at most {MAX_NOTE_CHARS:,} characters.")
    note = ConversationNote(conversation_id=conversation.id, staff_user_id=staff_user.id, body=body)
    session.add(note)
    session.flush()
    return note


def correct(
    session: Session, message: Message, staff_user: StaffUser, intent: str, language: str
) -> NluCorrection:
    """Records what a family's message really meant; a second correction replaces the first and
    is exported again by `bot nlu corrections`."""
    if message.direction != Message.DIRECTION_IN:
        raise StaffActionError("Only a family's messages can be corrected.")
    if intent not in intent_names():
        raise StaffActionError(f"{intent!r} is not one of the bot's intents.")
    if language not in LANGUAGES:
        raise StaffActionError("The language must be English (en) or Spanish (es).")
    correction = session.execute(
        select(NluCorrection).filter_by(message_id=message.id)
    ).scalar_one_or_none()
    if correction is None:
        correction = NluCorrection(message_id=message.id)
        session.add(correction)
    correction.intent = intent
    correction.language = language
    correction.staff_user_id = staff_user.id
    correction.exported_at = None
    session.flush()
    return correction


# --- reading a thread ----------------------------------------------------------------------

THREAD_PAGE = 200


@dataclass
class ThreadView:
    conversation: Conversation
    messages: list[Message]  # oldest first
    has_older: bool
    corrections: dict[int, NluCorrection]  # by message id
    notes: list[ConversationNote]  # newest first
    staff_names: dict[int, str]


def thread_view(
    session: Session,
    conversation_id: int,
    before: int | None = None,
    limit: int = THREAD_PAGE,
) -> ThreadView | None:
    """One conversation as the console shows it: the newest `limit` messages (older than the
    message id `before` when given), with corrections, notes and the staff names they need."""
    conversation = session.get(
        Conversation,
        conversation_id,
        options=[joinedload(Conversation.contact).joinedload(Contact.school)],
    )
    if conversation is None:
        return None
    query = select(Message).where(Message.conversation_id == conversation.id)
    if before is not None:
        query = query.where(Message.id < before)
    newest_first = (
        session.execute(query.order_by(Message.id.desc()).limit(limit + 1)).scalars().all()
    )
    messages = newest_first[:limit][::-1]
    ids = [m.id for m in messages]
    corrections = {
        c.message_id: c
        for c in session.execute(
            select(NluCorrection).where(NluCorrection.message_id.in_(ids))
        ).scalars()
    }
    notes = (
        session.execute(
            select(ConversationNote)
            .filter_by(conversation_id=conversation.id)
            .order_by(ConversationNote.id.desc())
        )
        .scalars()
        .all()
    )
    return ThreadView(
        conversation=conversation,
        messages=messages,
        has_older=len(newest_first) > limit,
        corrections=corrections,
        notes=notes,
        staff_names=_staff_names(session, conversation, messages, corrections, notes),
    )


def _staff_names(session, conversation, messages, corrections, notes) -> dict[int, str]:
    ids = {conversation.staff_user_id}
    ids |= {m.staff_user_id for m in messages}
    ids |= {c.staff_user_id for c in corrections.values()}
    ids |= {n.staff_user_id for n in notes}
    ids.discard(None)
    if not ids:
        return {}
    users = session.execute(select(StaffUser).where(StaffUser.id.in_(ids))).scalars()
    return {user.id: user.name or user.email for user in users}
