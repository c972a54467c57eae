"""RasaClient.ask reads the family_line channel's one answer: texts, an action's hand-off signal,
and what the model read."""

import pytest
import requests

from bot.rasa.client import CHANNEL_PATH, BotReply, RasaClient, RasaUnavailable, Understanding

GREET = {"intent": "greet", "confidence": 0.97, "entities": []}


class _Answer:
    def __init__(self, payload):
        self.payload = payload

    def raise_for_status(self):
        pass

    def json(self):
        return self.payload


class _Http:
    """Stands in for requests.Session: answers every request with one payload, and remembers."""

    def __init__(self, payload):
        self.payload = payload
        self.requests = []

    def request(self, method, url, **kwargs):
        self.requests.append((method, url, kwargs))
        return _Answer(self.payload)


def _ask(payload) -> BotReply:
    return RasaClient("http://rasa.invalid", http=_Http(payload)).ask("abc", "hola", {})


def _answer(*messages, understanding=GREET):
    return {"messages": list(messages), "understanding": understanding}


def test_one_call_to_the_channel_with_sender_text_and_metadata():
    http = _Http(_answer({"recipient_id": "abc", "text": "Hola"}))
    client = RasaClient("http://rasa.invalid/", timeout=4, http=http)
    client.ask("abc", "hola", {"language": "es", "channel": "sms"})
    [(method, url, kwargs)] = http.requests
    assert (method, url) == ("POST", "http://rasa.invalid" + CHANNEL_PATH)
    assert kwargs["json"] == {
        "sender": "abc",
        "message": "hola",
        "metadata": {"language": "es", "channel": "sms"},
    }
    connect, read = kwargs["timeout"]
    assert connect <= 3 and 3.5 < read <= 4  # one deadline: the whole RASA_TIMEOUT


def test_texts_in_order_no_handoff_and_the_understanding():
    reply = _ask(
        _answer(
            {"recipient_id": "abc", "text": "Hola"},
            {"recipient_id": "abc", "text": "¿Algo más?"},
            understanding={
                "intent": "change_language",
                "confidence": 0.91,
                "entities": [{"entity": "language", "value": "en"}],
            },
        )
    )
    assert (reply.texts, reply.handoff) == (["Hola", "¿Algo más?"], None)
    assert (reply.understanding.intent, reply.understanding.confidence) == ("change_language", 0.91)
    assert reply.understanding.entity("language") == "en"


def test_a_custom_handoff_item_is_read():
    reply = _ask(
        _answer(
            {"recipient_id": "abc", "text": "Le paso con una persona."},
            {"recipient_id": "abc", "custom": {"handoff": "talk_to_human"}},
        )
    )
    assert (reply.texts, reply.handoff) == (["Le paso con una persona."], "talk_to_human")


@pytest.mark.parametrize(
    "custom", [{"something": "else"}, {"handoff": ""}, {"handoff": None}, "handoff", None]
)
def test_other_custom_payloads_are_not_a_handoff(custom):
    reply = _ask(
        _answer({"recipient_id": "abc", "text": "Hola"}, {"recipient_id": "abc", "custom": custom})
    )
    assert reply.handoff is None


@pytest.mark.parametrize(
    "understanding",
    [None, "greet", {}, {"intent": 3, "confidence": "high", "entities": "none"}, {"intent": None}],
)
def test_an_odd_understanding_is_not_understood_but_the_replies_stand(understanding):
    reply = _ask(_answer({"recipient_id": "abc", "text": "Hola"}, understanding=understanding))
    assert reply.texts == ["Hola"] and reply.understanding == Understanding()


@pytest.mark.parametrize(
    "answer",
    [
        _answer(),
        _answer({"recipient_id": "abc", "custom": {"handoff": "talk_to_human"}}),
        {"messages": {"text": "x"}},
        [{"recipient_id": "abc", "text": "the plain REST channel's answer"}],
        None,
    ],
    ids=["nothing", "handoff-only", "messages-not-a-list", "not-an-object", "null"],
)
def test_no_text_at_all_is_rasa_unavailable(answer):
    with pytest.raises(RasaUnavailable):
        _ask(answer)


def test_connection_errors_are_rasa_unavailable():
    class Down:
        def request(self, *args, **kwargs):
            raise requests.ConnectionError("refused")

    with pytest.raises(RasaUnavailable):
        RasaClient("http://rasa.invalid", http=Down()).ask("abc", "hola", {})


def test_every_call_carries_the_rasa_api_token():
    http = _Http({"messages": [{"text": "hola"}]})
    client = RasaClient("http://rasa.invalid", http=http, token="s3cret")
    client.ask("abc", "hola", {})
    client.status()
    assert [kwargs["params"] for _, _, kwargs in http.requests] == [{"token": "s3cret"}] * 2


def test_an_error_never_carries_the_token():
    # requests names the whole URL, ?token= included, in its errors; they reach the log,
    # /healthz's details and the console.
    client = RasaClient("http://127.0.0.1:9", timeout=1, token="s3cret-token")
    with pytest.raises(RasaUnavailable) as raised:
        client.status()
    assert "s3cret-token" not in str(raised.value)
    assert "token=***" in str(raised.value)
