"""Web chat under /chat: the page, the JSON endpoint on the same inbound path as SMS, and each
visitor seeing only their own thread.

Rasa here is tests/support/fake_rasa.py over real HTTP."""

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from bot.models import Contact, Conversation, Message
from bot.texts import text
from tests.conftest import make_settings

CHAT = "/chat/messages"


def _messages(sessions):
    with sessions() as session:
        return session.execute(select(Message).order_by(Message.id)).scalars().all()


def _say(client, body, **extra):
    return client.post(CHAT, json={"text": body, **extra})


def test_a_message_gets_the_bots_reply_and_both_are_logged_on_the_webchat_channel(
    client, sessions, fake_rasa
):
    response = _say(client, "hello, where is jordan high")
    assert response.status_code == 200
    assert response.json == {
        "replies": ["[en] you said: hello, where is jordan high"],
        "language": "en",
    }
    inbound, outbound = _messages(sessions)
    assert (inbound.direction, inbound.sender, inbound.channel) == ("in", "family", "webchat")
    assert (outbound.direction, outbound.sender, outbound.channel) == ("out", "bot", "webchat")
    assert inbound.conversation_id == outbound.conversation_id
    with sessions() as session:
        contact = session.execute(select(Contact)).scalar_one()
        conversation = session.execute(select(Conversation)).scalar_one()
    assert contact.web_chat_id and contact.phone is None
    assert conversation.channel == "webchat"
    # Rasa sees the contact's random id, never the browser's.
    sent = fake_rasa.received[-1]
    assert sent["sender"] == contact.public_id != contact.web_chat_id
    assert sent["metadata"] == {"language": "en", "channel": "webchat"}


def test_history_keeps_the_thread_across_a_reload(client):
    _say(client, "hola, donde queda markham?")
    _say(client, "gracias")
    response = client.get(CHAT)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    thread = response.json["messages"]
    assert [(m["direction"], m["body"]) for m in thread] == [
        ("in", "hola, donde queda markham?"),
        ("out", "[es] you said: hola, donde queda markham?"),
        ("in", "gracias"),
        ("out", "[es] you said: gracias"),
    ]
    assert thread[1]["sender"] == "bot" and thread[1]["language"] == "es"
    assert thread[0]["sent_at"].endswith("Z")
    assert "intent" not in thread[0]  # what the model read stays staff-side


def test_two_visitors_never_see_each_others_thread(app, sessions):
    ana, beto = app.test_client(), app.test_client()
    _say(ana, "hola, soy Ana")
    assert beto.get(CHAT).json == {"messages": []}
    _say(beto, "hello, this is Beto")
    assert [m["body"] for m in ana.get(CHAT).json["messages"] if m["direction"] == "in"] == [
        "hola, soy Ana"
    ]
    assert [m["body"] for m in beto.get(CHAT).json["messages"] if m["direction"] == "in"] == [
        "hello, this is Beto"
    ]
    with sessions() as session:
        contacts = session.execute(select(Contact)).scalars().all()
    assert len({c.web_chat_id for c in contacts}) == 2


def test_a_visitor_id_signed_with_another_key_is_not_believed(app, client, sessions):
    _say(client, "hola, soy Ana")
    with sessions() as session:
        anas_id = session.execute(select(Contact.web_chat_id)).scalar_one()
    # An attacker who learned Ana's id signs a cookie with a key of their own.
    forger = app.test_client()
    other_app = type(app)("forger")
    other_app.secret_key = "not-the-servers-key"
    serializer = SecureCookieSessionInterface().get_signing_serializer(other_app)
    forger.set_cookie("session", serializer.dumps({"web_chat_id": anas_id}))
    assert forger.get(CHAT).json == {"messages": []}


def test_looking_sets_no_cookie_only_writing_does(client):
    assert "Set-Cookie" not in client.get("/chat").headers
    assert "Set-Cookie" not in client.get(CHAT).headers
    cookie = _say(client, "hola").headers["Set-Cookie"]
    assert "HttpOnly" in cookie  # no script on the page can read the visitor id


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"text": "hola"}},  # a form post, what another site could make a browser send
        {"data": '{"text": "hola"}', "content_type": "text/plain"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["hola"]},
        {"json": {"message": "hola"}},
        {"json": {"text": 42}},
        {"json": {"text": None}},
    ],
    ids=["form", "text-plain", "broken-json", "not-an-object", "no-text", "number", "null"],
)
def test_unreadable_requests_get_400_in_both_languages_and_log_nothing(
    client, sessions, fake_rasa, request_kwargs
):
    response = client.post(CHAT, **request_kwargs)
    assert response.status_code == 400
    error = response.json["error"]
    assert error["en"].startswith("We couldn't read")
    assert error["es"].startswith("No pudimos leer")
    assert _messages(sessions) == [] and fake_rasa.received == []


def test_a_text_over_1600_characters_is_refused_in_both_languages(client, sessions):
    response = _say(client, "a" * 1601)
    assert response.status_code == 400
    assert "1,600" in response.json["error"]["en"] and "1,600" in response.json["error"]["es"]
    assert "demasiado largo" in response.json["error"]["es"]
    assert _messages(sessions) == []
    assert _say(client, "á" * 1600).status_code == 200


def test_an_oversized_body_is_refused_before_it_is_read(client, sessions):
    response = client.post(CHAT, json={"text": "hola", "padding": "x" * 40_000})
    assert response.status_code == 400
    assert _messages(sessions) == []


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_text_gets_the_pipelines_no_text_answer(client, fake_rasa, body):
    response = _say(client, body)
    assert response.status_code == 200
    assert response.json["replies"] == [text("no_text", "es")]
    assert fake_rasa.received == []


def test_the_pages_language_answers_a_first_message_that_shows_none(client, fake_rasa):
    assert _say(client, "ok", language="en").json["language"] == "en"
    other = client.application.test_client()
    assert _say(other, "ok").json["language"] == "es"  # the line's default
    assert _say(other.application.test_client(), "ok", language="fr").json["language"] == "es"


def test_when_the_bot_is_down_the_visitor_gets_the_apology(client, fake_rasa, sessions):
    fake_rasa.close()
    response = _say(client, "necesito ayuda con mi hijo por favor")
    assert response.status_code == 200
    assert response.json["replies"] == [text("apology_bot_unavailable", "es")]
    with sessions() as session:
        assert session.execute(select(Conversation)).scalar_one().needs_staff


def test_without_a_secret_key_the_chat_refuses_in_both_languages(seeded_db, tmp_path, fake_rasa):
    from webhooks import create_app

    settings = make_settings(seeded_db, tmp_path, RASA_URL=fake_rasa.url, SECRET_KEY="")
    response = create_app(settings).test_client().post(CHAT, json={"text": "hola"})
    assert response.status_code == 503
    assert set(response.json["error"]) == {"en", "es"}
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "accept, query, expected",
    [
        ("es-MX,es;q=0.9,en;q=0.8", "", "es"),
        ("en-US,en;q=0.9", "", "en"),
        ("en-US,en;q=0.5,es;q=0.9", "", "es"),
        ("fr-FR,fr;q=0.9", "", "es"),
        (None, "", "es"),
        ("es-MX", "?lang=en", "en"),
        ("en-US", "?lang=es", "es"),
        ("en-US", "?lang=xx", "en"),
    ],
)
def test_the_page_speaks_the_browsers_language_spanish_when_unsure(client, accept, query, expected):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/chat" + query, headers=headers)
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{expected}">' in page
    words = {"en": ("Your message", "Send"), "es": ("Su mensaje", "Enviar")}[expected]
    assert all(word in page for word in words)
    # The toggle offers the other language.
    other = "en" if expected == "es" else "es"
    assert f'href="/chat?lang={other}"' in page


def test_the_page_loads_only_its_own_assets(client):
    response = client.get("/chat")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http" not in response.text  # no CDN, no outside fonts: the machine may be offline
    for asset in ("/static/chat.js", "/static/chat.css"):
        assert asset in response.text
        assert client.get(asset).status_code == 200
