"""A Rasa action's {"handoff": reason} payload hands the conversation to staff: the bot goes quiet
until staff release it or HANDOFF_HOURS pass."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import Conversation, Message, utcnow
from bot.sms_try import replies_from_twiml, sign, twilio_sms_form
from bot.texts import text
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL, make_settings


def _conversation(sessions) -> Conversation:
    with sessions() as session:
        return session.execute(select(Conversation)).scalar_one()


def _aware(moment):
    # SQLite returns naive datetimes (stored in UTC); PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _replies(post, body):
    response, _ = post(body)
    assert response.status_code == 200
    return replies_from_twiml(response.text)


def test_the_handoff_payload_pauses_the_bot_for_a_day(post_sms, fake_rasa, sessions):
    fake_rasa.hand_off("talk_to_human")
    before = utcnow()
    # The bot's own confirmation still reaches the family.
    assert _replies(post_sms, "quiero hablar con una persona") == [
        "[es] you said: quiero hablar con una persona"
    ]
    conversation = _conversation(sessions)
    assert conversation.handled_by_staff and conversation.needs_staff
    until = _aware(conversation.handoff_until)
    assert before + timedelta(hours=24) <= until <= utcnow() + timedelta(hours=24)

    fake_rasa.custom = []
    assert _replies(post_sms, "hola? sigue ahi alguien") == []
    assert len(fake_rasa.received) == 1
    with sessions() as session:
        last = session.execute(select(Message).order_by(Message.id.desc()).limit(1)).scalar_one()
        assert (last.direction, last.body) == ("in", "hola? sigue ahi alguien")


def test_the_bot_answers_again_when_the_handoff_time_has_passed(post_sms, fake_rasa, sessions):
    fake_rasa.hand_off()
    post_sms("quiero hablar con una persona")
    fake_rasa.custom = []
    with sessions() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
        conversation.handoff_until = utcnow() - timedelta(minutes=1)
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
    assert _conversation(sessions).handled_by_staff


def test_a_handoff_without_any_text_is_an_apology_and_waits_for_staff(
    post_sms, fake_rasa, sessions
):
    fake_rasa.mode = "empty"
    fake_rasa.hand_off()
    assert _replies(post_sms, "quiero hablar con alguien") == [
        text("apology_bot_unavailable", "es")
    ]
    assert _conversation(sessions).needs_staff


@pytest.fixture
def post_with_handoff_hours(seeded_db, fake_rasa, tmp_path):
    from webhooks import create_app

    def make(hours: str):
        settings = make_settings(
            seeded_db, tmp_path, RASA_URL=fake_rasa.url, RASA_TIMEOUT="2", HANDOFF_HOURS=hours
        )
        client = create_app(settings).test_client()

        def post(body):
            form = twilio_sms_form(body, "+13235550100")
            headers = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)}
            return client.post(WEBHOOK_URL, data=form, headers=headers), form

        return post

    return make


def test_handoff_hours_zero_waits_for_staff_however_long(
    post_with_handoff_hours, fake_rasa, sessions
):
    post = post_with_handoff_hours("0")
    fake_rasa.hand_off()
    post("I want to talk to a person")
    conversation = _conversation(sessions)
    assert conversation.handled_by_staff and conversation.handoff_until is None
    fake_rasa.custom = []
    assert _replies(post, "hello?") == []


def test_handoff_hours_sets_the_time_limit(post_with_handoff_hours, fake_rasa, sessions):
    post = post_with_handoff_hours("2")
    fake_rasa.hand_off()
    post("I want to talk to a person")
    until = _aware(_conversation(sessions).handoff_until)
    assert timedelta(hours=1, minutes=59) < until - utcnow() <= timedelta(hours=2)
