"""One conversation: every message with what the bot understood, replying as staff, taking the
conversation over from the bot and giving it back, notes, and correcting the bot's reading of a
family's message (the corrections become training examples: docs/review-loop.md)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from bot.conversations.delivery_reports import CARRIER_OPT_OUT
from bot.conversations.log import bot_is_paused
from bot.conversations.staff_replies import (
    MAX_REPLY_CHARS,
    StaffActionError,
    add_note,
    correct,
    release,
    reply,
    take_over,
    thread_view,
)
from bot.families.handoff import reason_label
from bot.models import Conversation, Message, TwilioStatus
from bot.rasa.project import intent_names, unsure_below
from bot.staff import audit
from bot.text.languages import NAMES, name_of
from bot.text.phone import for_display
from bot.text.segments import count_segments
from bot.text.staff_time import staff_time
from webhooks.services import services

from .auth import require_staff
from .query_args import number_arg

bp = Blueprint("thread", __name__, url_prefix="/console/conversations")
require_staff(bp)

# Under this the model was not sure, even where it answered (its fallback threshold, config.yml, is
# 0.4): worth a person's look.


def _conversation(db, conversation_id: int) -> Conversation:
    conversation = db.get(Conversation, conversation_id)
    if conversation is None:
        abort(404, description="There is no conversation with that number.")
    return conversation


def _back(conversation_id: int, anchor: str = ""):
    return redirect(url_for("thread.show", conversation_id=conversation_id) + anchor)


def _before_arg() -> int | None:
    return number_arg("before")


def _render(conversation_id: int, draft: str = "", error: str | None = None, status: int = 200):
    before = _before_arg()
    with services().sessions() as db:
        view = thread_view(db, conversation_id, before=before)
        if view is None:
            abort(404, description="There is no conversation with that number.")
        audit.record(
            db, g.staff, "conversation.view", "conversation", conversation_id, before=before
        )
        db.commit()
        page = render_template(
            "console/thread.html",
            view=view,
            conversation=view.conversation,
            contact=view.conversation.contact,
            paused=bot_is_paused(view.conversation),
            before=before,
            intents=intent_names(),
            draft=draft,
            reply_error=error,
            max_reply_chars=MAX_REPLY_CHARS,
            low_confidence=unsure_below(),
            reason_label=reason_label,
            language_names=NAMES,
            when=staff_time,
            phone_display=for_display,
            count_segments=count_segments,
            SENDER_FAMILY=Message.SENDER_FAMILY,
            SENDER_STAFF=Message.SENDER_STAFF,
            DIRECTION_IN=Message.DIRECTION_IN,
            CHANNEL_SMS=Conversation.CHANNEL_SMS,
        )
    return page, status


@bp.route("/<int:conversation_id>")
def show(conversation_id: int):
    return _render(conversation_id)


def _flash_send_outcome(message) -> None:
    if message.channel != Conversation.CHANNEL_SMS:
        flash("Reply posted. The family sees it in their web chat.")
    elif message.delivery_status != TwilioStatus.FAILED:
        flash("Reply sent.")
    elif message.error_code == CARRIER_OPT_OUT:
        flash(
            "Not sent: the carrier says this number has opted out (Twilio error 21610). "
            "The family is now marked as opted out.",
            "error",
        )
    else:
        code = f" (Twilio error {message.error_code})" if message.error_code else ""
        flash(f"Not sent{code}: {message.note or 'unknown error'}", "error")


@bp.post("/<int:conversation_id>/reply")
def send_reply(conversation_id: int):
    body = request.form.get("body", "")
    with services().sessions() as db:
        conversation = _conversation(db, conversation_id)
        try:
            message = reply(db, conversation, g.staff, body, services().settings)
        except StaffActionError as error:
            db.rollback()
            problem = str(error)
        else:
            _flash_send_outcome(message)
            return _back(conversation_id, "#newest")
    # The draft comes back in the box: staff should not have to type it again.
    return _render(conversation_id, draft=body, error=problem, status=422)


@bp.post("/<int:conversation_id>/take-over")
def take_over_conversation(conversation_id: int):
    with services().sessions() as db:
        conversation = _conversation(db, conversation_id)
        take_over(db, conversation, g.staff)
        audit.record(db, g.staff, "conversation.take_over", "conversation", conversation_id)
        db.commit()
    flash("You have this conversation: the bot stays quiet until you release it.")
    return _back(conversation_id)


@bp.post("/<int:conversation_id>/release")
def release_conversation(conversation_id: int):
    with services().sessions() as db:
        conversation = _conversation(db, conversation_id)
        release(db, conversation)
        audit.record(db, g.staff, "conversation.release", "conversation", conversation_id)
        db.commit()
    flash("Released: the bot answers this family again.")
    return _back(conversation_id)


@bp.post("/<int:conversation_id>/notes")
def note(conversation_id: int):
    with services().sessions() as db:
        conversation = _conversation(db, conversation_id)
        try:
            saved = add_note(db, conversation, g.staff, request.form.get("body", ""))
        except StaffActionError as error:
            flash(str(error), "error")
            return _back(conversation_id, "#notes")
        audit.record(
            db, g.staff, "conversation.note", "conversation", conversation_id, note_id=saved.id
        )
        db.commit()
    flash("Note saved.")
    return _back(conversation_id, "#notes")


@bp.post("/<int:conversation_id>/messages/<int:message_id>/correction")
def correction(conversation_id: int, message_id: int):
    with services().sessions() as db:
        message = db.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id:
            abort(404, description="That message is not in this conversation.")
        intent = request.form.get("intent", "")
        language = request.form.get("language", "")
        try:
            correct(db, message, g.staff, intent, language)
        except StaffActionError as error:
            flash(str(error), "error")
            return _back(conversation_id, f"#m{message_id}")
        audit.record(
            db,
            g.staff,
            "conversation.correct",
            "conversation",
            conversation_id,
            message_id=message_id,
            intent=intent,
            language=language,
            bot_intent=message.intent,
        )
        db.commit()
    flash(f"Saved: this message is {intent} ({name_of(language)}).")
    return _back(conversation_id, f"#m{message_id}")
