"""A Rasa action's {"handoff": reason} payload puts the conversation in the staff queue: the bot
keeps answering while the family waits, every message stays in the conversation for staff, and a
message the bot cannot answer meanwhile is acknowledged at most every few hours."""

from datetime import timedelta

from sqlalchemy import select

from bot.conversations.staff_replies import take_over
from bot.families.handoff import TOLD_AGAIN_AFTER
from bot.models import Conversation, Message, StaffUser, utcnow
from bot.sms.inbound_request import replies_from_twiml
from bot.texts import text


def _conversation(sessions) -> Conversation:
    with sessions() as session:
        return session.execute(select(Conversation)).scalar_one()


def _replies(post, body):
    response, _ = post(body)
    assert response.status_code == 200
    return replies_from_twiml(response.text)


def test_the_handoff_queues_for_staff_and_the_bot_keeps_answering(post_sms, fake_rasa, sessions):
    fake_rasa.hand_off("talk_to_human")
    # The bot's own confirmation (who answers, and when) reaches the family.
    assert _replies(post_sms, "quiero hablar con una persona") == [
        "[es] you said: quiero hablar con una persona"
    ]
    conversation = _conversation(sessions)
    assert conversation.needs_staff and conversation.handoff_reason == "talk_to_human"
    assert not conversation.handled_by_staff and conversation.family_told_at is not None

    fake_rasa.custom = []
    assert _replies(post_sms, "a que hora abre la escuela?") == [
        "[es] you said: a que hora abre la escuela?"
    ]
    assert len(fake_rasa.received) == 2
    assert _conversation(sessions).needs_staff  # still waiting for a person


def test_while_waiting_a_message_the_bot_cannot_answer_is_acknowledged_every_few_hours(
    post_sms, fake_rasa, sessions
):
    fake_rasa.hand_off("talk_to_human")
    post_sms("quiero hablar con una persona")
    fake_rasa.hand_off("not_understood")
    # Told a minute ago: nothing more to say, but the message is there for staff.
    assert _replies(post_sms, "hola? sigue ahi alguien") == []
    with sessions() as session:
        last = session.execute(select(Message).order_by(Message.id.desc()).limit(1)).scalar_one()
        assert (last.direction, last.body) == ("in", "hola? sigue ahi alguien")
        conversation = session.execute(select(Conversation)).scalar_one()
        conversation.family_told_at = utcnow() - TOLD_AGAIN_AFTER - timedelta(minutes=1)
        session.commit()
    (told,) = _replies(post_sms, "???")
    assert told.startswith("Recibido, ya lo tiene nuestro equipo. Pregúnteme lo que quiera")
    assert _replies(post_sms, "hola") == []


def test_a_staff_members_hold_quiets_the_bot_until_it_ends(post_sms, fake_rasa, sessions):
    post_sms("hola")
    with sessions() as session:
        staff = StaffUser(email="rosa@example.org", name="Rosa", password_hash="x", role="staff")
        session.add(staff)
        session.flush()
        take_over(session, session.execute(select(Conversation)).scalar_one(), staff, hours=2)
        session.commit()
    assert _replies(post_sms, "hola? sigue ahi alguien") == []
    until = _conversation(sessions).handoff_until
    assert timedelta(hours=1, minutes=59) < until - utcnow() <= timedelta(hours=2)
    with sessions() as session:
        session.execute(select(Conversation)).scalar_one().handoff_until = utcnow() - timedelta(
            minutes=1
        )
        session.commit()
    assert _replies(post_sms, "hola otra vez") == ["[es] you said: hola otra vez"]


def test_the_intent_alone_no_longer_hands_off(post_sms, fake_rasa, sessions):
    # Only the action's payload does: Rasa decides, e.g. after two misunderstandings too.
    fake_rasa.plays("talk_to_human")
    post_sms("quiero hablar con una persona")
    conversation = _conversation(sessions)
    assert not conversation.handled_by_staff and not conversation.needs_staff


def test_a_handoff_for_another_reason_is_applied_the_same(post_sms, fake_rasa, sessions):
    fake_rasa.hand_off("not_understood")
    post_sms("asdf qwer")
    conversation = _conversation(sessions)
    assert conversation.needs_staff and conversation.handoff_reason == "not_understood"


def test_a_handoff_without_any_text_is_an_apology_and_waits_for_staff(
    post_sms, fake_rasa, sessions
):
    fake_rasa.mode = "empty"
    fake_rasa.hand_off()
    assert _replies(post_sms, "quiero hablar con alguien") == [
        text("apology_bot_unavailable", "es")
    ]
    assert _conversation(sessions).needs_staff
