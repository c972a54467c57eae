"""The conversation page: reading a thread, replying as staff (through the console transport on
the embedded default), taking over and releasing, notes, and corrections of the bot's reading."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.conversations.log import bot_is_paused
from bot.models import (
    AuditLog,
    Contact,
    Conversation,
    ConversationNote,
    Message,
    NluCorrection,
)
from bot.sms.inbound_request import replies_from_twiml
from tests.conftest import make_settings
from tests.console.conftest import login, post_form
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

URL = "/console/conversations/{}"


def _conversation_id(sessions, phone="+13235550100") -> int:
    with sessions() as session:
        return session.execute(
            select(Conversation.id).join(Conversation.contact).where(Contact.phone == phone)
        ).scalar_one()


def _messages(sessions, conversation_id) -> list[Message]:
    with sessions() as session:
        return (
            session.execute(
                select(Message).filter_by(conversation_id=conversation_id).order_by(Message.id)
            )
            .scalars()
            .all()
        )


def _actions(sessions) -> list[tuple[str, str | None]]:
    with sessions() as session:
        rows = session.execute(
            select(AuditLog.action, AuditLog.target_id).order_by(AuditLog.id)
        ).all()
    return [tuple(row) for row in rows]


def _family_message(sessions, conversation_id) -> Message:
    return next(m for m in _messages(sessions, conversation_id) if m.direction == "in")


def test_the_page_shows_each_message_with_what_the_bot_read_and_is_audited(
    staff_client, post_sms, fake_rasa, sessions
):
    fake_rasa.plays("ask_events", confidence=0.42)
    post_sms("hay juntas para padres este sabado?")
    conversation_id = _conversation_id(sessions)

    page = staff_client.get(URL.format(conversation_id))

    assert page.status_code == 200
    html = page.text
    assert "hay juntas para padres este sabado?" in html
    assert "[es] you said: hay juntas para padres este sabado?" in html
    assert "(323) 555-0100" in html
    # Low confidence is flagged for a person's look.
    assert re.search(r'<span class="badge warn"[^>]*>ask_events</span>', html)
    assert re.search(r'<span class="badge warn"[^>]*>0.42</span>', html)
    assert ("conversation.view", str(conversation_id)) in _actions(sessions)


def test_a_confident_reading_is_not_flagged_and_fallback_is(
    staff_client, post_sms, fake_rasa, sessions
):
    fake_rasa.plays("greet", confidence=0.97)
    post_sms("hola buenas")
    fake_rasa.plays("nlu_fallback", confidence=0.3)
    post_sms("asdf qwer")
    html = staff_client.get(URL.format(_conversation_id(sessions))).text
    assert re.search(r'<span class="badge"[^>]*>greet</span>', html)
    assert re.search(r'<span class="badge bad"[^>]*>nlu_fallback</span>', html)


def test_an_unknown_conversation_is_404(staff_client):
    assert staff_client.get(URL.format(999999)).status_code == 404


def test_a_family_message_with_markup_shows_as_text(staff_client, post_sms, sessions):
    post_sms('<script>alert("x")</script><b>hi</b>')
    html = staff_client.get(URL.format(_conversation_id(sessions))).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;hi&lt;/b&gt;" in html
    assert '<script>alert("x")' not in html
    assert "<b>hi</b>" not in html


def test_a_staff_reply_is_logged_sent_and_shown_in_the_simulator(
    staff_client, client, post_sms, sessions
):
    post_sms("necesito ayuda con la inscripcion")
    conversation_id = _conversation_id(sessions)

    response = post_form(
        staff_client,
        URL.format(conversation_id) + "/reply",
        {"body": "Hola, soy Rosa. ¿En qué escuela?"},
    )

    assert response.status_code == 302
    staff_message = _messages(sessions, conversation_id)[-1]
    assert (staff_message.sender, staff_message.direction) == ("staff", "out")
    assert staff_message.body == "Hola, soy Rosa. ¿En qué escuela?"
    assert staff_message.language == "es"
    assert staff_message.twilio_sid.startswith("SMconsole")
    assert len(staff_message.twilio_sid) == 34
    assert staff_message.delivery_status == "sent"
    with sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        # A reply holds the conversation for HANDOFF_HOURS (24 by default): the bot stays quiet.
        assert conversation.handled_by_staff and conversation.handoff_until is not None
        assert bot_is_paused(conversation)
        assert conversation.staff_user_id == staff_message.staff_user_id is not None
    assert ("conversation.reply", str(conversation_id)) in _actions(sessions)

    thread = client.get("/simulator/messages", query_string={"phone": "+13235550100"}).json
    assert thread["messages"][-1]["sender"] == "staff"
    assert thread["messages"][-1]["body"] == "Hola, soy Rosa. ¿En qué escuela?"

    page = staff_client.get(URL.format(conversation_id)).text
    assert "Rosa Staff (staff)" in page
    assert "1 segment · GSM-7" in page  # é and ¿ are in GSM-7


def test_after_a_staff_reply_the_bot_stays_quiet_until_released(
    staff_client, post_sms, fake_rasa, sessions
):
    post_sms("hola")
    conversation_id = _conversation_id(sessions)
    post_form(staff_client, URL.format(conversation_id) + "/reply", {"body": "Hi, this is Rosa"})
    asked = len(fake_rasa.received)

    response, _ = post_sms("gracias, una pregunta mas")

    assert replies_from_twiml(response.text) == []
    assert len(fake_rasa.received) == asked
    assert _messages(sessions, conversation_id)[-1].body == "gracias, una pregunta mas"

    assert post_form(staff_client, URL.format(conversation_id) + "/release").status_code == 302
    with sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        assert not conversation.handled_by_staff and not conversation.needs_staff
        assert conversation.staff_user_id is None
    response, _ = post_sms("y a que hora?")
    assert replies_from_twiml(response.text) == ["[es] you said: y a que hora?"]
    actions = [action for action, _ in _actions(sessions)]
    assert "conversation.release" in actions


def test_take_over_quiets_the_bot_without_a_reply(staff_client, post_sms, fake_rasa, sessions):
    post_sms("hello")
    conversation_id = _conversation_id(sessions)
    assert post_form(staff_client, URL.format(conversation_id) + "/take-over").status_code == 302
    response, _ = post_sms("anyone there?")
    assert replies_from_twiml(response.text) == []
    page = staff_client.get(URL.format(conversation_id)).text
    assert "staff have it" in page and "Rosa Staff" in page
    assert "The family's last message has no answer yet." in page
    assert ("conversation.take_over", str(conversation_id)) in _actions(sessions)


def test_a_reply_to_a_family_that_texted_stop_is_refused(staff_client, post_sms, sessions):
    post_sms("hola")
    post_sms("STOP")
    conversation_id = _conversation_id(sessions)
    count = len(_messages(sessions, conversation_id))

    response = post_form(staff_client, URL.format(conversation_id) + "/reply", {"body": "Hola?"})

    assert response.status_code == 422
    assert "This family texted STOP; they can only be texted again after they text START." in (
        response.text
    )
    assert len(_messages(sessions, conversation_id)) == count
    assert "opted out" in staff_client.get(URL.format(conversation_id)).text


def test_an_empty_or_too_long_reply_is_refused_and_the_draft_kept(staff_client, post_sms, sessions):
    post_sms("hola")
    conversation_id = _conversation_id(sessions)
    count = len(_messages(sessions, conversation_id))
    empty = post_form(staff_client, URL.format(conversation_id) + "/reply", {"body": "   "})
    assert empty.status_code == 422 and "Write a message before sending." in empty.text
    long_text = "a" * 1601
    too_long = post_form(staff_client, URL.format(conversation_id) + "/reply", {"body": long_text})
    assert too_long.status_code == 422
    assert "1,601 characters" in too_long.text
    assert long_text in too_long.text  # back in the box
    assert len(_messages(sessions, conversation_id)) == count


def test_a_web_chat_reply_appears_in_the_family_chat(app, staff_client, sessions):
    family = app.test_client()
    assert (
        family.post("/chat/messages", json={"text": "hola, tengo una pregunta"}).status_code == 200
    )
    with sessions() as session:
        conversation_id = session.execute(
            select(Conversation.id).filter_by(channel="webchat")
        ).scalar_one()

    response = post_form(
        staff_client, URL.format(conversation_id) + "/reply", {"body": "Hola, aquí Rosa"}
    )

    assert response.status_code == 302
    last = _messages(sessions, conversation_id)[-1]
    assert (last.sender, last.channel, last.twilio_sid) == ("staff", "webchat", None)
    history = family.get("/chat/messages").json["messages"]
    assert history[-1] == {
        **history[-1],
        "sender": "staff",
        "body": "Hola, aquí Rosa",
    }


def test_a_note_is_saved_shown_and_audited(staff_client, post_sms, sessions):
    post_sms("hola")
    conversation_id = _conversation_id(sessions)
    response = post_form(
        staff_client, URL.format(conversation_id) + "/notes", {"body": "Called back <b>Tuesday</b>"}
    )
    assert response.status_code == 302
    with sessions() as session:
        note = session.execute(select(ConversationNote)).scalar_one()
        assert note.body == "Called back <b>Tuesday</b>"
    page = staff_client.get(URL.format(conversation_id)).text
    assert "Called back &lt;b&gt;Tuesday&lt;/b&gt;" in page
    assert ("conversation.note", str(conversation_id)) in _actions(sessions)


def test_a_correction_is_stored_and_a_second_one_replaces_it(
    staff_client, post_sms, fake_rasa, sessions
):
    fake_rasa.plays("greet", confidence=0.51)
    post_sms("a q hora es el parent college?")
    conversation_id = _conversation_id(sessions)
    message = _family_message(sessions, conversation_id)
    url = URL.format(conversation_id) + f"/messages/{message.id}/correction"

    assert (
        post_form(staff_client, url, {"intent": "ask_events", "language": "es"}).status_code == 302
    )
    post_form(staff_client, url, {"intent": "ask_parent_college", "language": "es"})

    with sessions() as session:
        corrections = session.execute(select(NluCorrection)).scalars().all()
    assert [(c.message_id, c.intent, c.language) for c in corrections] == [
        (message.id, "ask_parent_college", "es")
    ]
    assert corrections[0].exported_at is None
    page = staff_client.get(URL.format(conversation_id)).text
    assert "Corrected to <strong>ask_parent_college</strong> (Spanish) by Rosa Staff" in page
    assert [a for a, _ in _actions(sessions)].count("conversation.correct") == 2


def test_a_correction_to_an_unknown_intent_or_of_a_bot_message_is_refused(
    staff_client, post_sms, sessions
):
    post_sms("hola")
    conversation_id = _conversation_id(sessions)
    messages = _messages(sessions, conversation_id)
    family, bot = messages[0], messages[1]
    base = URL.format(conversation_id) + "/messages/{}/correction"

    bad_intent = post_form(
        staff_client,
        base.format(family.id),
        {"intent": "order_pizza", "language": "es"},
        follow_redirects=True,
    )
    bot_message = post_form(
        staff_client,
        base.format(bot.id),
        {"intent": "greet", "language": "es"},
        follow_redirects=True,
    )
    bad_language = post_form(
        staff_client,
        base.format(family.id),
        {"intent": "greet", "language": "fr"},
        follow_redirects=True,
    )

    assert "&#39;order_pizza&#39; is not one of the bot&#39;s intents." in bad_intent.text
    assert "Only a family&#39;s messages can be corrected." in bot_message.text
    assert "English (en) or Spanish (es)" in bad_language.text
    with sessions() as session:
        assert session.execute(select(NluCorrection)).first() is None
    other = post_form(
        staff_client,
        URL.format(999999) + f"/messages/{family.id}/correction",
        {"intent": "greet", "language": "es"},
    )
    assert other.status_code == 404


def test_a_post_without_the_csrf_token_is_refused(staff_client, post_sms, sessions):
    post_sms("hola")
    conversation_id = _conversation_id(sessions)
    response = staff_client.post(URL.format(conversation_id) + "/reply", data={"body": "hi"})
    assert response.status_code == 400
    assert all(m.sender != "staff" for m in _messages(sessions, conversation_id))


def test_a_long_thread_shows_the_newest_200_and_links_to_older_ones(staff_client, sessions):
    with sessions() as session:
        contact = Contact(phone="+13235550177", language="en")
        conversation = Conversation(contact=contact, channel="sms")
        session.add_all(
            [
                Message(
                    conversation=conversation,
                    channel="sms",
                    direction="in",
                    sender="family",
                    body=f"message number {n:03d}",
                )
                for n in range(205)
            ]
        )
        session.commit()
        conversation_id = conversation.id
    ids = [m.id for m in _messages(sessions, conversation_id)]

    newest = staff_client.get(URL.format(conversation_id)).text

    assert "message number 204" in newest and "message number 005" in newest
    assert "message number 004" not in newest
    assert f"?before={ids[5]}" in newest
    older = staff_client.get(URL.format(conversation_id) + f"?before={ids[5]}").text
    assert "message number 000" in older and "message number 004" in older
    assert "message number 005" not in older
    assert "Show older messages" not in older


def test_with_a_twilio_account_a_reply_goes_through_the_rest_api_and_21610_opts_out(
    seeded_db, fake_rasa, make_staff, sessions, tmp_path
):
    from webhooks import create_app

    fake_twilio = FakeTwilio()
    try:
        settings = make_settings(
            seeded_db,
            tmp_path,
            RASA_URL=fake_rasa.url,
            TWILIO_ACCOUNT_SID=ACCOUNT,
            TWILIO_FROM_NUMBER="+13235550199",
            TWILIO_API_BASE_URL=fake_twilio.url,
        )
        app = create_app(settings)
        make_staff("staff", "rosa@partnership.test", "Rosa Staff")
        staff = app.test_client()
        login(staff, "rosa@partnership.test")
        with sessions() as session:
            contact = Contact(phone="+13235550123", language="en")
            conversation = Conversation(contact=contact, channel="sms")
            session.add(conversation)
            session.commit()
            conversation_id = conversation.id
        reply_url = URL.format(conversation_id) + "/reply"

        sent = post_form(staff, reply_url, {"body": "Hi, this is Rosa"}, follow_redirects=True)

        assert "Reply sent." in sent.text
        assert fake_twilio.requests[0]["form"]["Body"] == "Hi, this is Rosa"
        first = _messages(sessions, conversation_id)[-1]
        assert (first.twilio_sid, first.delivery_status) == ("SM" + "a" * 32, "queued")

        fake_twilio.refuse(21610, "Attempt to send to unsubscribed recipient")
        refused = post_form(staff, reply_url, {"body": "Are you there?"}, follow_redirects=True)

        assert "the carrier says this number has opted out" in refused.text
        last = _messages(sessions, conversation_id)[-1]
        assert (last.body, last.delivery_status, last.error_code) == (
            "Are you there?",
            "failed",
            "21610",
        )
        with sessions() as session:
            contact = session.get(Conversation, conversation_id).contact
            assert contact.opted_out and contact.opt_out_source == "carrier error 21610"
        third = post_form(staff, reply_url, {"body": "Hello?"})
        assert third.status_code == 422
        assert len(fake_twilio.requests) == 2
    finally:
        fake_twilio.close()
