"""A family's answer to a broadcast is logged in its conversation, linked to that broadcast."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.conversations.log import current_conversation
from bot.families.contacts import find_or_create_by_phone
from bot.models import Broadcast, Message, utcnow

NUMBER = "+13235550160"


def _broadcast_reaches(sessions, sent_ago: timedelta = timedelta(hours=2)) -> int:
    with sessions() as session:
        broadcast = Broadcast(texts={"es": "Markham cierra el viernes."}, state="done")
        session.add(broadcast)
        contact = find_or_create_by_phone(session, NUMBER, valid=True)
        conversation = current_conversation(session, contact, "sms")
        session.flush()
        text = Message(
            conversation=conversation,
            channel="sms",
            direction="out",
            sender="system",
            body="Markham cierra el viernes.",
            language="es",
            broadcast_id=broadcast.id,
            created_at=utcnow() - sent_ago,
        )
        session.add(text)
        session.commit()
        return broadcast.id


def _family_messages(sessions):
    with sessions() as session:
        found = select(Message.body, Message.broadcast_id).filter_by(direction="in")
        return session.execute(found.order_by(Message.id)).all()


def test_an_answer_to_a_broadcast_is_linked_to_it_and_the_next_message_is_not(post_sms, sessions):
    broadcast_id = _broadcast_reaches(sessions)
    post_sms("y el sábado hay clases?", NUMBER)
    post_sms("gracias", NUMBER)  # after the bot's answer: a new exchange
    assert _family_messages(sessions) == [
        ("y el sábado hay clases?", broadcast_id),
        ("gracias", None),
    ]


def test_an_answer_days_later_is_not_linked(post_sms, sessions):
    _broadcast_reaches(sessions, sent_ago=timedelta(days=4))
    post_sms("hola", NUMBER)
    assert _family_messages(sessions) == [("hola", None)]
