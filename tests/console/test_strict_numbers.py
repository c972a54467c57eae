"""Numbers in query strings are read strictly: anything but plain digits in range is a 400 that
says which parameter, never a 500 (issue 15, point 8: `?before=²` passed isdigit(), then int()
failed)."""

from __future__ import annotations

import pytest

from bot.text.whole_numbers import whole_number

ODD_NUMBERS = ["²", "٣", "1²", "-1", "+1", " 1", "1 ", "1.0", "0x10", "99999999999999999999", "1e3"]


@pytest.mark.parametrize("raw", ODD_NUMBERS)
def test_only_ascii_digits_within_range_are_numbers(raw):
    assert whole_number(raw) is None


def test_plain_numbers_within_range_are_read():
    assert whole_number("0") == 0
    assert whole_number("2147483647") == 2**31 - 1
    assert whole_number("2147483648") is None
    assert whole_number("5", low=1, high=4) is None


PAGES = [
    "/console/broadcasts/?before={}",
    "/console/audit/?before={}",
    "/console/audit/?after={}",
]


@pytest.mark.parametrize("raw", ["²", "99999999999999999999", "-3"])
@pytest.mark.parametrize("page", PAGES)
def test_console_pages_answer_400_naming_the_parameter(admin_client, page, raw):
    response = admin_client.get(page.format(raw))
    assert response.status_code == 400
    assert b"must be a whole number" in response.data


def test_a_thread_page_with_an_odd_before_is_a_400(admin_client, post_sms, sessions):
    from bot.models import Conversation

    post_sms("hola")
    with sessions() as db:
        conversation_id = db.query(Conversation.id).scalar()
    assert admin_client.get(f"/console/conversations/{conversation_id}").status_code == 200
    response = admin_client.get(f"/console/conversations/{conversation_id}?before=²")
    assert response.status_code == 400


def test_the_dashboard_ignores_an_odd_period(admin_client):
    assert admin_client.get("/console/dashboard/?days=²").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/conversations?limit=²",
        "/api/conversations?limit=0",
        "/api/conversations?limit=99999999999999999999",
        "/api/conversations/1?before=²",
        "/api/broadcasts?limit=²",
        "/api/broadcasts?before=99999999999999999999",
    ],
)
def test_the_api_answers_400_in_json(client, api_token, url):
    response = client.get(url, headers=api_token("admin"))
    assert response.status_code == 400, response.data
    assert "must be a whole number" in str(response.get_json()["detail"])


def test_an_inbox_filter_with_an_odd_school_is_refused_not_a_500(client, api_token):
    response = client.get("/api/conversations?school_id=²", headers=api_token("admin"))
    assert response.status_code == 400
