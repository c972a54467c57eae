"""A bot hand-off puts the conversation in the staff queue without quieting the bot; while the
family waits, a message the bot cannot answer is acknowledged at most every few hours."""

from datetime import datetime, timedelta, timezone

from bot.conversations.log import bot_is_paused
from bot.families.handoff import TOLD_AGAIN_AFTER, hand_to_staff
from bot.models import Conversation

NOW = datetime(2026, 3, 9, 17, 0, tzinfo=timezone.utc)  # a Monday, 10 a.m. in Los Angeles
BOT = [
    "Listo, le pasé su mensaje a nuestro equipo. Una persona le responderá hoy antes de las 5 p. m."
]


def test_the_first_handoff_queues_for_staff_sends_the_bots_reply_and_does_not_pause():
    conversation = Conversation(handled_by_staff=False, needs_staff=False)
    assert hand_to_staff(conversation, "talk_to_human", BOT, "es", now=NOW) == BOT
    assert conversation.needs_staff and conversation.handoff_reason == "talk_to_human"
    assert conversation.handed_off_at == conversation.family_told_at == NOW
    assert not conversation.handled_by_staff and not bot_is_paused(conversation)


def test_while_waiting_another_handoff_is_acknowledged_at_most_every_few_hours():
    conversation = Conversation(handled_by_staff=False, needs_staff=False)
    hand_to_staff(conversation, "talk_to_human", BOT, "es", now=NOW)
    soon = NOW + timedelta(minutes=20)
    assert hand_to_staff(conversation, "not_understood", BOT, "es", now=soon) == []
    later = NOW + TOLD_AGAIN_AFTER + timedelta(minutes=1)
    (told,) = hand_to_staff(conversation, "not_understood", BOT, "es", now=later)
    assert told == (
        "Recibido, ya lo tiene nuestro equipo. Pregúnteme lo que quiera mientras; una persona le "
        "responderá hoy antes de las 5 p. m."
    )
    assert conversation.family_told_at == later
    # The first reason stays: it is what staff read in the queue.
    assert conversation.handoff_reason == "talk_to_human"
    (english,) = hand_to_staff(
        conversation, "talk_to_human", BOT, "en", now=later + TOLD_AGAIN_AFTER
    )
    assert english.startswith("Got it, our team has your message. Ask me anything meanwhile;")


def test_a_family_waiting_for_another_reason_is_told_once_then_not_again():
    # Queued without being told (Rasa was down, a long message): told at the first hand-off.
    conversation = Conversation(needs_staff=True, handoff_reason="bot_unavailable")
    (told,) = hand_to_staff(conversation, "not_understood", BOT, "es", now=NOW)
    assert told.startswith("Recibido, ya lo tiene nuestro equipo.")
    assert hand_to_staff(conversation, "not_understood", BOT, "es", now=NOW) == []


def test_asking_for_a_person_again_is_always_answered():
    conversation = Conversation(handled_by_staff=False, needs_staff=False)
    hand_to_staff(conversation, "talk_to_human", BOT, "es", now=NOW)
    (told,) = hand_to_staff(
        conversation, "talk_to_human", BOT, "es", now=NOW + timedelta(minutes=2)
    )
    assert told.startswith("Recibido, ya lo tiene nuestro equipo.")


def test_a_staff_reply_holds_for_its_hours_and_take_over_until_released():
    from bot.conversations.staff_replies import take_over
    from bot.models import StaffUser

    staff = StaffUser(id=7)
    replied = Conversation(handled_by_staff=False, needs_staff=True)
    take_over(None, replied, staff, hours=24)
    assert replied.handled_by_staff and bot_is_paused(replied)
    assert timedelta(hours=23) < replied.handoff_until - datetime.now(timezone.utc)
    taken = Conversation(handled_by_staff=False)
    take_over(None, taken, staff)  # the console's "Take over": no limit
    assert taken.handoff_until is None and bot_is_paused(taken)
    take_over(None, taken, staff, hours=24)  # a reply later does not put a limit on it
    assert taken.handoff_until is None
