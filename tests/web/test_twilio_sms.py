"""POST /twilio/sms: signatures, de-duplication, logging, language, and the bot being down.

Rasa here is tests/support/fake_rasa.py over real HTTP; tests/e2e uses the real Rasa server."""

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from bot.models import Contact, Conversation, Message
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form
from bot.texts import text
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL, make_settings


def _messages(sessions):
    with sessions() as session:
        return session.execute(select(Message).order_by(Message.id)).scalars().all()


def test_a_signed_sms_gets_the_bots_reply_as_twiml(post_sms, fake_rasa, sessions):
    response, form = post_sms("hola, donde queda markham?", "(323) 555-0100")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    assert replies_from_twiml(response.text) == ["[es] you said: hola, donde queda markham?"]
    sent = fake_rasa.received[-1]
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        # E.164 stored; Rasa sees the random id, never the number.
        assert contact.phone == "+13235550100"
        # A random hex id can hold "323" by chance; it never holds the whole number.
        assert sent["sender"] == contact.public_id
        assert "3235550100" not in sent["sender"] and "+1" not in sent["sender"]
    assert sent["metadata"] == {"language": "es", "channel": "sms"}


def test_both_directions_are_logged_with_language_and_intent(post_sms, sessions):
    response, form = post_sms("what is the address of markham")
    inbound, outbound = _messages(sessions)
    assert (inbound.direction, inbound.sender, inbound.body) == ("in", "family", form["Body"])
    assert inbound.twilio_sid == form["MessageSid"]
    assert (inbound.language, inbound.intent, inbound.confidence) == ("en", "greet", 0.93)
    assert (outbound.direction, outbound.sender, outbound.language) == ("out", "bot", "en")
    assert outbound.body == "[en] you said: what is the address of markham"
    assert inbound.conversation_id == outbound.conversation_id


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "forged"},
        {"X-Twilio-Signature": sign(WEBHOOK_URL, {"Body": "other"}, TEST_TWILIO_TOKEN)},
    ],
    ids=["missing", "garbage", "signed-other-content"],
)
def test_unsigned_or_forged_requests_get_403_and_log_nothing(client, sessions, fake_rasa, headers):
    response = client.post(
        WEBHOOK_URL, data=twilio_sms_form("hola", "+13235550100"), headers=headers
    )
    assert response.status_code == 403
    assert _messages(sessions) == [] and fake_rasa.received == []


def test_signed_with_another_token_gets_403(post_sms, sessions):
    response, _ = post_sms("hola", token="someone-elses-token")
    assert response.status_code == 403
    assert _messages(sessions) == []


def test_the_same_message_sid_twice_gets_one_answer_and_one_log(client, sessions, fake_rasa):
    form = twilio_sms_form("hola", "+13235550100")
    headers = {"X-Twilio-Signature": sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)}
    first = client.post(WEBHOOK_URL, data=form, headers=headers)
    second = client.post(WEBHOOK_URL, data=form, headers=headers)
    assert len(replies_from_twiml(first.text)) == 1
    assert second.status_code == 200 and replies_from_twiml(second.text) == []
    assert len(fake_rasa.received) == 1
    inbound = [m for m in _messages(sessions) if m.direction == "in"]
    assert len(inbound) == 1


@pytest.mark.parametrize("mode", ["error", "empty", "down"])
def test_when_the_bot_cannot_answer_the_family_gets_an_apology_and_staff_get_the_message(
    post_sms, fake_rasa, sessions, mode
):
    if mode == "down":
        fake_rasa.close()
    else:
        fake_rasa.mode = mode
    response, form = post_sms("necesito ayuda con mi hijo por favor")
    assert response.status_code == 200
    assert replies_from_twiml(response.text) == [text("apology_bot_unavailable", "es")]
    inbound, apology = _messages(sessions)
    assert inbound.body == form["Body"] and apology.sender == "system"
    with sessions() as session:
        assert session.execute(select(Conversation)).scalar_one().needs_staff


def test_a_slow_bot_is_not_waited_for_past_the_timeout(post_sms, fake_rasa, sessions):
    fake_rasa.mode, fake_rasa.delay = "slow", 5  # the app's RASA_TIMEOUT is 2 s
    response, _ = post_sms("hello, where is jordan high")
    assert replies_from_twiml(response.text) == [text("apology_bot_unavailable", "en")]


def test_language_is_remembered_for_ambiguous_texts(post_sms, fake_rasa):
    post_sms("hello, where is jordan high")
    post_sms("ok")
    assert fake_rasa.received[-1]["metadata"]["language"] == "en"
    post_sms("gracias, y donde queda roosevelt")
    post_sms("👍")
    assert fake_rasa.received[-1]["metadata"]["language"] == "es"


@pytest.mark.parametrize(
    "fields",
    [
        {"Body": "", "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x.jpg"},
        {"Body": "   "},
    ],
    ids=["picture-only", "blank"],
)
def test_messages_without_text_get_asked_for_words(post_sms, fake_rasa, sessions, fields):
    post_sms("hola")  # the family's language is Spanish
    response, _ = post_sms("", **fields)
    assert replies_from_twiml(response.text) == [text("no_text", "es")]
    assert len(fake_rasa.received) == 1
    assert len([m for m in _messages(sessions) if m.direction == "in"]) == 2


@pytest.mark.parametrize(
    "fields",
    [{"From": "not-a-number"}, {"From": ""}, {"NumMedia": "many"}, {"MessageSid": ""}],
    ids=["malformed-from", "empty-from", "bad-num-media", "no-sid"],
)
def test_odd_fields_are_answered_and_logged_never_a_500(post_sms, sessions, fields):
    response, form = post_sms("hello there", **fields)
    assert response.status_code == 200
    assert replies_from_twiml(response.text)
    inbound = [m for m in _messages(sessions) if m.direction == "in"]
    assert [m.body for m in inbound] == ["hello there"]


def test_malformed_number_is_kept_as_sent_and_flagged(post_sms, sessions):
    post_sms("hello there", From="not-a-number")
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert (contact.phone, contact.phone_valid) == ("not-a-number", False)


def test_a_long_message_is_logged_whole_and_the_bot_reads_its_start(post_sms, sessions, fake_rasa):
    body = "necesito informacion sobre las clases " * 50  # 1,900 characters
    response, _ = post_sms(body)
    assert replies_from_twiml(response.text)
    assert _messages(sessions)[0].body == body
    sent = fake_rasa.received[-1]["message"]
    assert len(sent) <= 1000 and body.startswith(sent) and body[len(sent)] == " "  # a whole word
    with sessions() as session:  # the rest is for a person to read
        assert session.execute(select(Conversation)).scalar_one().needs_staff


def test_staff_taken_over_conversation_gets_no_bot_reply(post_sms, sessions, fake_rasa):
    post_sms("hola")
    with sessions() as session:
        session.execute(select(Conversation)).scalar_one().handled_by_staff = True
        session.commit()
    response, _ = post_sms("sigo esperando")
    assert replies_from_twiml(response.text) == []
    assert len(fake_rasa.received) == 1
    assert _messages(sessions)[-1].body == "sigo esperando"


def test_public_base_url_is_the_url_that_is_signed(seeded_db, fake_rasa, tmp_path):
    from webhooks import create_app

    settings = make_settings(
        seeded_db, tmp_path, RASA_URL=fake_rasa.url, PUBLIC_BASE_URL="https://text.example.org"
    )
    client = create_app(settings).test_client()
    form = twilio_sms_form("hola", "+13235550100")
    public = "https://text.example.org/twilio/sms"
    ok = client.post(
        WEBHOOK_URL, data=form,
        headers={"X-Twilio-Signature": sign(public, form, TEST_TWILIO_TOKEN)},
    )  # fmt: skip
    assert ok.status_code == 200
    form = twilio_sms_form("hola", "+13235550100")
    internal = client.post(
        WEBHOOK_URL, data=form,
        headers={"X-Twilio-Signature": sign(WEBHOOK_URL, form, TEST_TWILIO_TOKEN)},
    )  # fmt: skip
    assert internal.status_code == 403


def test_without_an_auth_token_the_webhook_is_disabled_loudly(seeded_db, tmp_path, caplog):
    from webhooks import create_app

    settings = make_settings(seeded_db, tmp_path, TWILIO_AUTH_TOKEN="")
    client = create_app(settings).test_client()
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    form = twilio_sms_form("hola", "+13235550100")
    response = client.post(WEBHOOK_URL, data=form, headers={"X-Twilio-Signature": "anything"})
    assert response.status_code == 503


def test_one_contact_one_conversation_for_many_messages(post_sms, sessions):
    for body in ("hola", "donde queda markham", "gracias"):
        post_sms(body, "+13235550100")
    post_sms("hi", "+13235550101")
    with sessions() as session:
        count = session.execute(select(func.count()).select_from(Conversation)).scalar_one()
        assert count == 2


def test_asking_for_english_switches_and_the_choice_stays(post_sms, fake_rasa, sessions):
    post_sms("hola buenas tardes")
    fake_rasa.plays("change_language", language="en")
    response, _ = post_sms("quiero los mensajes en ingles")
    # Rasa switched its own slot and answered (actions/language_slot.py); the line keeps the
    # reply and remembers the choice for the contact.
    assert replies_from_twiml(response.text) == ["[es] you said: quiero los mensajes en ingles"]
    inbound, outbound = _messages(sessions)[-2:]
    assert (inbound.intent, outbound.language) == ("change_language", "en")
    fake_rasa.plays("ask_school_info")
    response, _ = post_sms("donde queda la escuela de mi hijo")  # Spanish, but English was chosen
    assert fake_rasa.received[-1]["metadata"]["language"] == "en"
    assert replies_from_twiml(response.text) == ["[en] you said: donde queda la escuela de mi hijo"]
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert (contact.language, contact.language_source) == ("en", "explicit")


def test_asking_to_switch_without_naming_a_language_toggles(post_sms, fake_rasa):
    post_sms("hello there, good morning")
    fake_rasa.plays("change_language")
    response, _ = post_sms("can we switch languages")
    assert replies_from_twiml(response.text) == ["[en] you said: can we switch languages"]
    fake_rasa.plays("greet")
    post_sms("ok")
    assert fake_rasa.received[-1]["metadata"]["language"] == "es"


def test_other_intents_leave_the_bots_replies_alone(post_sms, fake_rasa, sessions):
    fake_rasa.plays("ask_school_info", school="markham")
    response, _ = post_sms("donde queda markham")
    assert replies_from_twiml(response.text) == ["[es] you said: donde queda markham"]
    with sessions() as session:
        assert session.execute(select(Contact)).scalar_one().language_source == "detected"


def test_a_confident_detection_of_the_other_language_switches(post_sms, fake_rasa):
    post_sms("hello, where is jordan high")
    post_sms("necesito ayuda con el internet de mi casa por favor")
    assert fake_rasa.received[-1]["metadata"]["language"] == "es"


def test_while_rasa_thinks_the_message_is_committed_and_no_connection_is_held(seeded_db, sessions):
    # Rasa may take RASA_TIMEOUT seconds: holding a pooled connection (on PostgreSQL an idle
    # transaction) that long per message would starve the web threads under load.
    from sqlalchemy import event

    from bot.conversations.inbound import InboundMessage, handle_inbound
    from bot.db import engine_for
    from bot.rasa.client import BotReply, RasaClient

    engine, checked_out, seen = engine_for(seeded_db), [0], []

    def checkout(*_):
        checked_out[0] += 1

    def checkin(*_):
        checked_out[0] -= 1

    class Watching(RasaClient):
        def ask(self, sender_id, text, metadata):
            seen.append(checked_out[0])
            with sessions() as other:  # what another process would see now
                seen.append(other.execute(select(func.count()).select_from(Message)).scalar())
            return BotReply(["Hola"])

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        inbound = InboundMessage(
            channel="sms", body="hola, donde queda markham", phone="+13235550100"
        )
        handle_inbound(sessions, Watching("http://rasa.invalid"), inbound, "es")
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    assert seen == [0, 1]
