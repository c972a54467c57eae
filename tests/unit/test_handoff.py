from datetime import datetime, timedelta, timezone

from bot.conversations import bot_is_paused
from bot.handoff import hand_off
from bot.models import Conversation

NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)


def test_a_handoff_pauses_the_bot_and_asks_for_staff_until_the_time_passes():
    conversation = Conversation(handled_by_staff=False, needs_staff=False)
    hand_off(conversation, "talk_to_human", hours=24, now=NOW)
    assert conversation.handled_by_staff and conversation.needs_staff
    assert conversation.handoff_until == NOW + timedelta(hours=24)
    conversation.handoff_until = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert bot_is_paused(conversation)
    conversation.handoff_until = datetime.now(timezone.utc) - timedelta(minutes=5)
    assert not bot_is_paused(conversation)


def test_zero_hours_means_until_staff_release_it():
    conversation = Conversation()
    hand_off(conversation, "talk_to_human", hours=0, now=NOW)
    assert conversation.handoff_until is None and bot_is_paused(conversation)
