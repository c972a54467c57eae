"""STOP, START, HELP and their Spanish equivalents: answered by the SMS layer, never by the bot,
recorded in the consent history, and an opted-out number gets nothing else."""

import pytest
from sqlalchemy import select

from bot.conversations.inbound import InboundMessage, handle_inbound
from bot.models import ConsentEvent, Contact, Conversation, Message
from bot.rasa.client import RasaClient
from bot.sms.inbound_request import replies_from_twiml
from bot.texts import text

OPT_OUT = [
    ("STOP", "STOP", "en"),
    ("stop", "STOP", "en"),
    ("Stop.", "STOP", "en"),
    ("  STOP  ", "STOP", "en"),
    ("STOPALL", "STOPALL", "en"),
    ("unsubscribe", "UNSUBSCRIBE", "en"),
    ("Cancel", "CANCEL", "en"),
    ("END", "END", "en"),
    ("quit!", "QUIT", "en"),
    ("Revoke", "REVOKE", "en"),
    ("OPTOUT", "OPTOUT", "en"),
    ("PARAR", "PARAR", "es"),
    ("¡Alto!", "ALTO", "es"),
    ("Baja", "BAJA", "es"),
    ("baja.", "BAJA", "es"),
    ("CANCELAR", "CANCELAR", "es"),
    ("detener", "DETENER", "es"),
]
OPT_IN = [
    ("START", "en"),
    ("start.", "en"),
    ("YES", "en"),
    ("Unstop", "en"),
    ("INICIO", "es"),
    ("Inicio", "es"),
    ("SI", "es"),
    ("sí", "es"),
    ("Sí.", "es"),
]
HELP = [("HELP", "en"), ("help?", "en"), ("AYUDA", "es"), ("¿Ayuda?", "es"), ("INFO", "es")]


def _contact(sessions) -> Contact:
    with sessions() as session:
        return session.execute(select(Contact)).scalar_one()


def _events(sessions) -> list[ConsentEvent]:
    with sessions() as session:
        return session.execute(select(ConsentEvent).order_by(ConsentEvent.id)).scalars().all()


def _inbound(sessions) -> list[Message]:
    with sessions() as session:
        query = select(Message).filter_by(direction="in").order_by(Message.id)
        return session.execute(query).scalars().all()


def _replies(post_sms, body, **fields):
    response, _ = post_sms(body, **fields)
    assert response.status_code == 200
    return replies_from_twiml(response.text)


@pytest.mark.parametrize("body, word, language", OPT_OUT, ids=[b for b, _, _ in OPT_OUT])
def test_each_opt_out_keyword_unsubscribes_with_one_confirmation(
    post_sms, fake_rasa, sessions, body, word, language
):
    assert _replies(post_sms, body) == [text("opted_out", language)]
    contact = _contact(sessions)
    assert contact.opted_out and contact.opted_out_at is not None
    assert contact.opt_out_source == word
    (event,) = _events(sessions)
    (message,) = _inbound(sessions)
    assert (event.kind, event.source, event.channel) == ("opt_out", word, "sms")
    assert event.message_id == message.id and message.body == body
    assert fake_rasa.received == []


def test_the_confirmation_says_how_to_cancel_a_registration_and_come_back():
    assert "START" in text("opted_out", "en") and "cancel my registration" in text(
        "opted_out", "en"
    )
    assert "INICIO" in text("opted_out", "es") and "cancelar mi registro" in text("opted_out", "es")


def test_a_spanish_speaking_family_that_sends_stop_is_answered_in_spanish(post_sms, sessions):
    post_sms("hola, donde queda markham?")
    assert _replies(post_sms, "STOP") == [text("opted_out", "es")]
    assert _contact(sessions).language == "es"  # STOP does not make the family English


def test_after_stop_nothing_is_answered_and_rasa_is_not_called(post_sms, fake_rasa, sessions):
    post_sms("hola")
    post_sms("BAJA")
    calls = len(fake_rasa.received)
    for body in ("hola?", "quiero inscribirme", "ok", "👍", "", "你好", "STOP", "cancelar"):
        assert _replies(post_sms, body) == []
    assert len(fake_rasa.received) == calls
    assert len(_inbound(sessions)) == 10  # every one logged
    assert [e.kind for e in _events(sessions)] == ["opt_out"]  # one opt-out, one confirmation
    with sessions() as session:
        unanswered = session.execute(
            select(Message).filter_by(direction="in").order_by(Message.id).offset(2)
        ).scalars()
        assert all(m.intent is None for m in unanswered)


@pytest.mark.parametrize("body, language", OPT_IN, ids=[b for b, _ in OPT_IN])
def test_each_opt_in_keyword_brings_an_opted_out_number_back(
    post_sms, fake_rasa, sessions, body, language
):
    post_sms("STOP")
    assert _replies(post_sms, body) == [text("opted_in", language)]
    contact = _contact(sessions)
    assert not contact.opted_out and contact.opted_in_at is not None
    assert [(e.kind, e.channel) for e in _events(sessions)] == [
        ("opt_out", "sms"),
        ("opt_in", "sms"),
    ]
    assert _events(sessions)[-1].message_id == _inbound(sessions)[-1].id
    assert fake_rasa.received == []
    assert _replies(post_sms, "hola, donde queda markham") == [
        "[es] you said: hola, donde queda markham"
    ]


@pytest.mark.parametrize("body", ["yes", "Sí", "START", "si"])
def test_yes_from_a_subscribed_family_is_an_answer_for_the_bot(post_sms, fake_rasa, sessions, body):
    assert _replies(post_sms, body)[0].endswith(f"you said: {body}")
    assert len(fake_rasa.received) == 1 and _events(sessions) == []


@pytest.mark.parametrize("body, language", HELP, ids=[b for b, _ in HELP])
def test_help_says_who_we_are_how_to_stop_and_rates(post_sms, fake_rasa, sessions, body, language):
    # INFO shows no language: a new contact gets the line's default (Spanish).
    assert _replies(post_sms, body) == [text("help", language)]
    assert not _contact(sessions).opted_out and _events(sessions) == []
    assert fake_rasa.received == []


def test_help_texts_name_the_line_the_stop_word_and_rates():
    assert "Partnership for LA Schools" in text("help", "en")
    assert "STOP" in text("help", "en") and "rates may apply" in text("help", "en")
    assert "BAJA" in text("help", "es") and "tarifas" in text("help", "es")


def test_help_while_opted_out_says_how_to_come_back_and_does_not_opt_in(post_sms, sessions):
    post_sms("hola")
    post_sms("BAJA")
    assert _replies(post_sms, "ayuda") == [text("help_opted_out", "es")]
    assert _contact(sessions).opted_out
    assert [e.kind for e in _events(sessions)] == ["opt_out"]


def _hand_to_staff(sessions):
    with sessions() as session:
        session.execute(select(Conversation)).scalar_one().handled_by_staff = True
        session.commit()


def test_keywords_work_while_staff_have_the_conversation(post_sms, sessions, fake_rasa):
    post_sms("hello, where is jordan high")
    _hand_to_staff(sessions)
    assert _replies(post_sms, "still waiting") == []
    assert _replies(post_sms, "HELP") == [text("help", "en")]
    assert _replies(post_sms, "STOP") == [text("opted_out", "en")]
    assert _replies(post_sms, "START") == [text("opted_in", "en")]
    assert len(fake_rasa.received) == 1


def test_the_consent_history_keeps_every_change_in_order(post_sms, sessions):
    for body in ("hola", "STOP", "INICIO", "baja", "sí"):
        post_sms(body)
    events = _events(sessions)
    assert [(e.kind, e.source) for e in events] == [
        ("opt_out", "STOP"),
        ("opt_in", "INICIO"),
        ("opt_out", "BAJA"),
        ("opt_in", "SI"),
    ]
    assert not _contact(sessions).opted_out


@pytest.mark.parametrize(
    "body", ["please stop", "stop texting me about saturday", "baja california", "si claro", "no"]
)
def test_a_keyword_inside_a_sentence_is_for_the_bot(post_sms, fake_rasa, sessions, body):
    assert _replies(post_sms, body)[0].endswith(f"you said: {body}")
    assert not _contact(sessions).opted_out and _events(sessions) == []


def test_one_number_opting_out_does_not_silence_another(post_sms, fake_rasa):
    post_sms("STOP", "+13235550100")
    assert _replies(post_sms, "hola", from_number="+13235550101") == ["[es] you said: hola"]


def test_web_chat_visitors_can_opt_out_and_back_in_too(sessions, fake_rasa):
    rasa = RasaClient(fake_rasa.url, timeout=2, token=fake_rasa.token)

    def chat(body):
        message = InboundMessage(channel="webchat", body=body, web_chat_id="visitor-123")
        return handle_inbound(sessions, rasa, message, default_language="es").replies

    assert chat("hello, where is markham") == ["[en] you said: hello, where is markham"]
    assert chat("stop") == [text("opted_out", "en")]
    assert chat("hello?") == []
    assert chat("start") == [text("opted_in", "en")]
    events = _events(sessions)
    assert [(e.kind, e.channel) for e in events] == [("opt_out", "webchat"), ("opt_in", "webchat")]
    assert len(fake_rasa.received) == 1
