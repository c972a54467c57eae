"""Web chat's rate limits (issue 15, point 2): a visitor, an address and the whole line's new
visitors each have a ceiling; past it the family gets a friendly 429 in both languages, and nothing
is logged or sent to Rasa."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Contact, Message
from webhooks import rate_limits

CHAT = "/chat/messages"


def _per_minute(limit: str) -> int:
    return int(limit.split(";")[0].split()[0])


def _count(sessions, model) -> int:
    with sessions() as db:
        return db.execute(select(func.count()).select_from(model)).scalar()


def _say(client, address="203.0.113.5"):
    return client.post(CHAT, json={"text": "hola"}, environ_base={"REMOTE_ADDR": address})


def test_one_visitor_past_its_limit_is_asked_to_wait_in_both_languages(client, sessions):
    allowed = _per_minute(rate_limits.PER_VISITOR)
    assert _say(client).status_code == 200  # the first message makes the visitor (its cookie)
    statuses = [_say(client).status_code for _ in range(allowed)]
    assert statuses == [200] * allowed
    refused = _say(client)
    assert refused.status_code == 429
    assert "espere un minuto" in refused.json["error"]["es"]
    assert "wait a minute" in refused.json["error"]["en"]
    assert refused.headers.get("Retry-After")
    assert _count(sessions, Message) == 2 * (allowed + 1)  # each answered message, its reply


def test_posts_without_a_cookie_from_one_address_stop_at_the_new_visitors_limit(app, sessions):
    # A script that never keeps the cookie is a new visitor every time, from one address.
    allowed = _per_minute(rate_limits.NEW_FROM_ONE_ADDRESS)
    statuses = [_say(app.test_client()).status_code for _ in range(allowed + 5)]
    assert statuses.count(200) == allowed
    assert statuses[allowed:] == [429] * 5
    assert _count(sessions, Contact) == allowed


def test_the_whole_line_takes_a_ceiling_of_new_visitors_a_minute_known_ones_go_on(
    app, client, sessions
):
    assert _say(client, "198.51.100.1").status_code == 200  # a family already chatting
    ceiling = _per_minute(rate_limits.NEW_VISITORS)
    statuses = [
        _say(app.test_client(), f"10.0.{i // 250}.{i % 250}").status_code
        for i in range(ceiling + 3)
    ]
    assert statuses.count(200) == ceiling - 1
    assert statuses[-1] == 429
    assert _say(client, "198.51.100.1").status_code == 200
    assert _count(sessions, Contact) == ceiling


def test_visitors_sharing_an_address_stop_at_the_address_limit(app, sessions):
    # A library's computers: each its own visitor, all one address.
    visitors = [app.test_client() for _ in range(_per_minute(rate_limits.NEW_FROM_ONE_ADDRESS))]
    statuses = [_say(visitor).status_code for _ in range(12) for visitor in visitors]
    allowed = _per_minute(rate_limits.PER_ADDRESS)
    assert statuses.count(200) == allowed
    assert statuses[allowed:] == [429] * (len(statuses) - allowed)


def test_an_ipv6_client_counts_by_its_64_not_its_whole_address(app):
    allowed = _per_minute(rate_limits.NEW_FROM_ONE_ADDRESS)
    statuses = [
        _say(app.test_client(), f"2001:db8:1:2::{i:x}").status_code for i in range(1, allowed + 2)
    ]
    assert statuses == [200] * allowed + [429]
    assert _say(app.test_client(), "2001:db8:1:3::1").status_code == 200  # another /64


def test_reading_the_thread_is_not_limited(client):
    for _ in range(_per_minute(rate_limits.PER_VISITOR) + 5):
        assert client.get("/chat/messages").status_code == 200
