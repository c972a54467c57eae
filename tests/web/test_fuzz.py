"""Generated bad input against every public endpoint (issue 15): the webhook, the status callback,
web chat, the console's login and the API. Whatever arrives (control characters, 1,600-character
and longer bodies, missing fields, odd numbers, odd encodings), nothing answers 500 or worse, and
every TwiML answer parses as XML. Examples are drawn from a fixed seed with a bounded count, so
`make test` runs the same inputs every time."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sms.inbound_request import sign
from tests.conftest import TEST_TWILIO_TOKEN, WEBHOOK_URL

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Everything a phone, a script or a broken client might send: control characters, lone
# surrogates are not encodable in a form, so they are left out; everything else of Unicode is in.
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1590, max_size=1700)
# Numbers as people and scripts mistype them: superscripts and other scripts' digits pass
# str.isdigit(), twenty digits pass int() and overflow a database column.
ODD_NUMBERS = ["", " ", "²", "٣", "1e9", "0x10", "-0", "NaN", "1.5", "9" * 20, "9" * 40, "\x00"]
odd_number = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    any_text,
)
phone = st.one_of(
    st.sampled_from(["+13235550100", "3235550100", "+52 55 1234 5678", "", "+1", "whatsapp:+1"]),
    any_text,
)
sms_fields = st.fixed_dictionaries(
    {},
    optional={
        "Body": st.one_of(any_text, long_text),
        "From": phone,
        "To": phone,
        "MessageSid": st.one_of(st.just("SM" + "a" * 32), any_text, st.text(min_size=65)),
        "NumMedia": odd_number,
        "MediaUrl0": any_text,
        "MediaContentType0": any_text,
    },
)


def _signed_post(client, url: str, form: dict):
    headers = {"X-Twilio-Signature": sign(url, form, TEST_TWILIO_TOKEN)}
    return client.post(url, data=form, headers=headers)


@FUZZ
@given(form=sms_fields)
def test_the_sms_webhook_never_fails_and_always_answers_readable_twiml(client, form):
    response = _signed_post(client, WEBHOOK_URL, form)
    assert response.status_code < 500, form
    if response.status_code == 200:
        ET.fromstring(response.data)  # Twilio drops a reply it cannot parse


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {},
        optional={
            "MessageSid": st.one_of(any_text, st.just("SM" + "b" * 32)),
            "MessageStatus": st.one_of(
                st.sampled_from(["delivered", "failed", "undelivered", "sent", "queued"]),
                any_text,
            ),
            "ErrorCode": odd_number,
            "ErrorMessage": any_text,
            "To": phone,
        },
    )
)
def test_the_status_callback_never_fails(client, form):
    response = _signed_post(client, "http://localhost/twilio/status", form)
    assert response.status_code < 500, form


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(
    payload=st.one_of(
        json_value,
        st.fixed_dictionaries(
            {"text": st.one_of(any_text, long_text, json_value)},
            optional={"language": st.one_of(any_text, st.sampled_from(["es", "en"]))},
        ),
    ),
    address=st.ip_addresses(v=4).map(str),
)
def test_web_chat_never_fails(app, payload, address):
    response = app.test_client().post(
        "/chat/messages", json=payload, environ_base={"REMOTE_ADDR": address}
    )
    assert response.status_code < 500, payload


@FUZZ
@given(body=st.binary(max_size=300), content_type=any_text)
def test_web_chat_takes_any_bytes_under_any_content_type(app, body, content_type):
    response = app.test_client().post(
        "/chat/messages", data=body, headers={"Content-Type": content_type or "text/plain"}
    )
    assert response.status_code < 500


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {},
        optional={"email": any_text, "password": any_text, "next": any_text},
    ),
    right_csrf=st.booleans(),
)
def test_the_login_form_never_fails(app, form, right_csrf):
    from tests.console.conftest import csrf_of

    client = app.test_client()
    # With the session's CSRF token the login itself runs (counts, locks, the database);
    # without it, the CSRF check answers.
    form = {**form, "csrf_token": csrf_of(client) if right_csrf else "made-up"}
    response = client.post("/console/login", data=form)
    assert response.status_code < 500, form
    if right_csrf:
        assert response.status_code in (302, 401), response.status_code


@pytest.fixture
def admin_token(sessions) -> dict:
    """An admin's API token, made once for all of a test's examples."""
    from bot.db import session_scope
    from bot.staff.accounts import create_user, issue_api_token

    with session_scope(sessions) as session:
        token = issue_api_token(create_user(session, "fuzz@partnership.test", "x" * 12, "admin"))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin_cookie(client, admin_token):
    """Logs `client` in to the console as the same admin."""
    from tests.console.conftest import login

    assert login(client, "fuzz@partnership.test", "x" * 12).status_code == 302


API_PATHS = ["/api/conversations", "/api/conversations/1", "/api/broadcasts", "/api/schools"]
# Every query parameter the API and the admins' pages read, by the path that reads it.
QUERY_PARAMETERS = [
    ("/api/conversations", name)
    for name in ("limit", "before", "school_id", "date_from", "date_to", "max_confidence",
                 "fallbacks", "waiting", "intent", "language", "q")
] + [
    ("/api/conversations/1", "before"),
    ("/api/broadcasts", "limit"),
    ("/api/broadcasts", "before"),
    ("/api/schools", "archived"),
    ("/console/broadcasts/", "before"),
    ("/console/audit/", "before"),
    ("/console/audit/", "after"),
    ("/console/audit/", "staff"),
    ("/console/dashboard/", "days"),
    ("/console/conversations/", "school_id"),
    ("/console/conversations/", "max_confidence"),
    ("/console/conversations/", "before"),
]  # fmt: skip


@pytest.mark.parametrize("path, name", QUERY_PARAMETERS)
def test_no_query_parameter_takes_a_known_odd_number_badly(
    client, admin_token, admin_cookie, path, name
):
    headers = admin_token if path.startswith("/api") else {}
    for odd in ODD_NUMBERS:
        response = client.get(path, query_string={name: odd}, headers=headers)
        assert response.status_code < 500, (path, name, odd)


@pytest.mark.parametrize("path, name", QUERY_PARAMETERS)
@settings(FUZZ, max_examples=6)
@given(value=odd_number)
def test_no_query_parameter_makes_a_500(client, admin_token, admin_cookie, path, name, value):
    headers = admin_token if path.startswith("/api") else {}
    response = client.get(path, query_string={name: value}, headers=headers)
    assert response.status_code < 500, (path, name, value)


@FUZZ
@given(
    # What an HTTP header can carry: Latin-1 without control characters.
    token=st.text(st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f")),
    path=st.sampled_from(API_PATHS),
)
def test_the_api_refuses_any_made_up_token_cleanly(client, token, path):
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (401, 403), (token, response.status_code)
