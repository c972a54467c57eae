"""POST /twilio/sms with what families (and carriers) really send: no text, pictures, emoji,
other scripts, missing fields. Each gets a clear answer and a log entry, never a 500."""

import logging

import pytest
from sqlalchemy import select

from bot.models import Contact, Conversation, Message
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form
from bot.texts import text
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL


def _inbound(sessions):
    with sessions() as session:
        return (
            session.execute(select(Message).filter_by(direction="in").order_by(Message.id))
            .scalars()
            .all()
        )


def _post_form(client, form):
    """Posts exactly `form`, signed: for requests missing fields Twilio normally sends."""
    headers = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)}
    return client.post(WEBHOOK_URL, data=form, headers=headers)


def test_a_picture_alone_is_asked_for_words_and_logged_with_its_media(post_sms, sessions, caplog):
    caplog.set_level(logging.INFO, logger="bot.conversations.inbound")
    response, _ = post_sms("", NumMedia="2", MediaUrl0="https://api.twilio.com/x.jpg")
    assert replies_from_twiml(response.text) == [text("no_text", "es")]
    assert _inbound(sessions)[0].num_media == 2
    assert "no text (picture only)" in caplog.text


def test_a_picture_with_words_goes_to_the_bot(post_sms, fake_rasa):
    response, _ = post_sms("esta es la carta de la escuela", NumMedia="1")
    assert replies_from_twiml(response.text) == ["[es] you said: esta es la carta de la escuela"]


@pytest.mark.parametrize("body", ["👍", "🙏🙏", "❤️", "😂😂😂"])
def test_emoji_alone_are_answered_by_the_bot_in_the_default_language(post_sms, fake_rasa, body):
    response, _ = post_sms(body)
    assert response.status_code == 200
    assert replies_from_twiml(response.text) == [f"[es] you said: {body}"]


@pytest.mark.parametrize(
    "body",
    [
        "你好，我想知道学校的地址",
        "مرحبا، أين تقع المدرسة؟",
        "Здравствуйте, где находится школа?",
        "안녕하세요",
    ],
    ids=["chinese", "arabic", "cyrillic", "korean"],
)
def test_another_script_from_a_new_contact_is_answered_in_both_languages(
    post_sms, fake_rasa, sessions, body
):
    response, _ = post_sms(body)
    assert replies_from_twiml(response.text) == [text("other_script_bilingual", "es")]
    assert fake_rasa.received == []
    assert _inbound(sessions)[0].body == body
    with sessions() as session:  # nothing learnt about the family's language
        assert session.execute(select(Contact)).scalar_one().language is None


@pytest.mark.parametrize("first, language", [("hello, where is jordan high", "en"), ("hola", "es")])
def test_another_script_from_a_known_contact_is_answered_in_its_language(
    post_sms, fake_rasa, sessions, first, language
):
    post_sms(first)
    response, _ = post_sms("Здравствуйте, где находится школа?")
    assert replies_from_twiml(response.text) == [text("other_script", language)]
    assert len(fake_rasa.received) == 1
    with sessions() as session:
        assert session.execute(select(Contact)).scalar_one().language == language


def test_a_foreign_name_inside_spanish_goes_to_the_bot(post_sms, fake_rasa):
    response, _ = post_sms("mi hijo 李明 va a la escuela markham")
    assert replies_from_twiml(response.text) == [
        "[es] you said: mi hijo 李明 va a la escuela markham"
    ]


@pytest.mark.parametrize(
    "missing",
    [("Body",), ("From",), ("MessageSid", "SmsSid", "SmsMessageSid"), ("NumMedia",)],
    ids=["no-body", "no-from", "no-sid", "no-num-media"],
)
def test_missing_fields_are_answered_and_logged(client, sessions, caplog, missing):
    form = twilio_sms_form("hello there", "+13235550100")
    for name in missing:
        del form[name]
    response = _post_form(client, form)
    assert response.status_code == 200
    assert replies_from_twiml(response.text)
    assert len(_inbound(sessions)) == 1
    if missing[0] != "NumMedia":
        assert f"without {'a ' if missing[0] == 'Body' else ''}" in caplog.text


def test_a_request_with_nothing_but_a_signature_is_still_logged(client, sessions):
    response = _post_form(client, {})
    assert response.status_code == 200
    assert replies_from_twiml(response.text) == [text("no_text", "es")]
    (message,) = _inbound(sessions)
    assert (message.body, message.twilio_sid) == ("", None)
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert (contact.phone, contact.phone_valid) == ("unknown", False)


@pytest.mark.parametrize(
    "from_number", ["abc", "", "   ", "+1", "12345678901234567890123456789012345678901234"]
)
def test_malformed_numbers_are_kept_flagged_and_answered(post_sms, sessions, from_number):
    response, _ = post_sms("hello there", from_number)
    assert response.status_code == 200 and replies_from_twiml(response.text)
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert contact.phone_valid is False and len(contact.phone) <= 40


def test_a_nul_character_does_not_stop_the_message_being_logged(post_sms, sessions):
    response, _ = post_sms("hola\x00 buenas")
    assert response.status_code == 200
    assert _inbound(sessions)[0].body == "hola buenas"


def test_an_overlong_message_sid_is_not_kept(post_sms, sessions):
    response, _ = post_sms("hola", MessageSid="SM" + "a" * 100)
    assert response.status_code == 200
    assert _inbound(sessions)[0].twilio_sid is None


def test_a_message_of_only_spaces_and_newlines_is_asked_for_words(post_sms, fake_rasa):
    response, _ = post_sms(" \n\t ")
    assert replies_from_twiml(response.text) == [text("no_text", "es")]
    assert fake_rasa.received == []


def test_no_text_while_staff_have_the_conversation_gets_no_answer(post_sms, sessions):
    post_sms("hola")
    with sessions() as session:
        session.execute(select(Conversation)).scalar_one().handled_by_staff = True
        session.commit()
    response, _ = post_sms("", NumMedia="1")
    assert replies_from_twiml(response.text) == []


@pytest.mark.parametrize("junk", ["\x00", "\x07\x1b", "\x0b\x0c", "\ufffe"])
def test_characters_xml_cannot_hold_never_break_the_twiml(post_sms, fake_rasa, sessions, junk):
    # A reply that carries one (the test's fake Rasa repeats the text) must still be TwiML that
    # Twilio can read, or the family gets nothing; the message itself is logged as it came (but
    # for NUL, which PostgreSQL cannot store).
    import xml.etree.ElementTree as ElementTree

    body = f"hola{junk} donde esta jordan"
    response, _ = post_sms(body)
    assert response.status_code == 200
    ElementTree.fromstring(response.text)  # raises on XML that is not well-formed
    assert replies_from_twiml(response.text) == ["[es] you said: hola donde esta jordan"]
    assert _inbound(sessions)[-1].body == body.replace("\x00", "")


def test_no_reply_costs_more_than_three_segments_and_the_log_holds_what_was_sent(
    post_sms, fake_rasa, sessions
):
    from bot.text.segments import count_segments

    # The fake bot repeats the message: a reply far over three segments, as a long value staff
    # typed could make one.
    long = "Mi hija va en la escuela Markham y tengo una pregunta sobre su clase. " * 6
    response, _ = post_sms(long.strip())
    (reply,) = replies_from_twiml(response.text)
    assert count_segments(reply).segments <= 3 and reply.startswith("[es] you said: Mi hija")
    with sessions() as session:
        sent = (
            session.execute(
                select(Message)
                .filter_by(direction=Message.DIRECTION_OUT)
                .order_by(Message.id.desc())
            )
            .scalars()
            .first()
        )
        assert sent.body == reply
