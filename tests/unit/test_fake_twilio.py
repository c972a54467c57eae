"""The fake Twilio REST API, driven by the real `twilio` client as the line builds it
(bot.sms.outbound.twilio_client with TWILIO_API_BASE_URL): what it answers, what it refuses, the
status callbacks it signs, its accounting, and the process benchmarks start."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from bot.config import load_settings
from bot.sms.outbound import TwilioTransport, twilio_client
from tests.support.fake_twilio import ACCOUNT, FakeTwilio

TOKEN = "fake-twilio-test-token-0123456789"
FAMILY = "+13235550100"
OTHER_FAMILY = "+13235550101"
LINE = "+13235550199"
REPO = Path(__file__).resolve().parents[2]
SID = re.compile(r"^SM[0-9a-f]{32}$")
RFC_2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


def _settings(url, tmp_path, token=TOKEN):
    env = {
        "VAR_DIR": str(tmp_path),
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_FROM_NUMBER": LINE,
        "TWILIO_API_BASE_URL": url,
    }
    return load_settings(environ=env, dotenv_path=None)


@pytest.fixture
def fake():
    fake = FakeTwilio(ACCOUNT, TOKEN)
    yield fake
    fake.close()


@pytest.fixture
def client(fake, tmp_path):
    return twilio_client(_settings(fake.url, tmp_path))


def _send(client, to=FAMILY, body="Parent College is on Saturday", **options):
    return client.messages.create(to=to, from_=LINE, body=body, **options)


def _eventually(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class CallbackReceiver:
    """Stands in for the line's /twilio/status: records each callback with its headers."""

    def __init__(self, answer_status=204, delay=0.0):
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                time.sleep(delay)
                receiver.received.append(
                    {
                        "path": self.path,
                        "form": {k: v[0] for k, v in parse_qs(raw).items()},
                        "signature": self.headers.get("X-Twilio-Signature"),
                    }
                )
                self.send_response(answer_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver():
    receiver = CallbackReceiver()
    yield receiver
    receiver.close()


# --- creating a message ---------------------------------------------------------------------


def test_a_text_is_answered_with_twilio_s_message_resource(fake, client):
    before = datetime.now(timezone.utc).replace(microsecond=0)

    message = _send(client, body="Hola, el Parent College es el sábado")

    assert SID.match(message.sid)
    assert (message.to, message.from_, message.status) == (FAMILY, LINE, "queued")
    assert message.body == "Hola, el Parent College es el sábado"
    assert (message.account_sid, message.direction, message.api_version) == (
        ACCOUNT,
        "outbound-api",
        "2010-04-01",
    )
    assert message.num_segments == "1"
    assert message.uri == f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{message.sid}.json"
    # The library parsed Twilio's RFC 2822 date into a datetime.
    assert before <= message.date_created <= datetime.now(timezone.utc)
    [accepted] = fake.messages
    assert (accepted.sid, accepted.to, accepted.body) == (message.sid, FAMILY, message.body)
    assert _send(client).sid != message.sid


def test_the_json_carries_twilio_s_fields_and_date_format(fake):
    answer = requests.post(
        f"{fake.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
        data={"To": FAMILY, "From": LINE, "Body": "á" * 71},  # UCS-2: 70 per segment
        auth=(ACCOUNT, TOKEN),
    )

    assert answer.status_code == 201
    resource = answer.json()
    assert RFC_2822.match(resource["date_created"])
    assert resource["date_sent"] is None and resource["price"] is None
    assert resource["num_segments"] == "2"
    assert resource["error_code"] is None and resource["num_media"] == "0"


def test_a_messaging_service_text_is_accepted_without_a_from_number(fake, client):
    message = client.messages.create(to=FAMILY, messaging_service_sid="MG" + "1" * 32, body="hi")
    assert (message.status, message.from_) == ("accepted", None)
    assert message.messaging_service_sid == "MG" + "1" * 32


def test_wrong_credentials_are_refused_with_20003(fake, tmp_path):
    wrong = twilio_client(_settings(fake.url, tmp_path, token="not-the-token"))

    with pytest.raises(TwilioRestException) as refused:
        _send(wrong)

    assert (refused.value.status, refused.value.code) == (401, 20003)
    # A list page that fails is a plain TwilioException in this library, not a RestException.
    with pytest.raises(TwilioException) as listing:
        wrong.messages.list(to=FAMILY)
    assert listing.value.args[1].status_code == 401
    assert fake.accepted_count == 0


@pytest.mark.parametrize(
    "to, body, code",
    [
        ("", "hi", 21604),  # no To
        (FAMILY, "", 21602),  # no Body
        ("+1555", "hi", 21211),  # not a phone number
        ("+10005550100", "hi", 21211),  # no such North American area code
    ],
)
def test_a_text_twilio_cannot_send_is_refused_with_its_code(fake, client, to, body, code):
    with pytest.raises(TwilioRestException) as refused:
        _send(client, to=to, body=body)

    assert (refused.value.status, refused.value.code) == (400, code)
    assert fake.accepted_count == 0
    assert fake.refusals() == {code: 1}


def test_an_invalid_number_is_named_in_twilio_s_words(client):
    with pytest.raises(TwilioRestException) as refused:
        _send(client, to="+1555")
    assert refused.value.msg.endswith("The 'To' number +1555 is not a valid phone number.")


# --- listing and fetching -------------------------------------------------------------------


def _delivered(fake, message):
    _eventually(lambda: fake.message(message.sid).status == "delivered")
    return message


def test_list_filters_by_number_and_day_sent_newest_first(fake, client):
    monday = datetime(2024, 3, 4, 18, 30, tzinfo=timezone.utc)
    fake.clock = lambda: monday
    first = _delivered(fake, _send(client, body="Monday"))
    _delivered(fake, _send(client, to=OTHER_FAMILY, body="Monday, other family"))
    fake.clock = lambda: monday + timedelta(days=1)
    second = _delivered(fake, _send(client, body="Tuesday"))

    to_family = client.messages.list(to=FAMILY)
    since_tuesday = client.messages.list(to=FAMILY, date_sent_after=monday + timedelta(days=1))
    until_monday = client.messages.list(to=FAMILY, date_sent_before=monday)
    on_monday = client.messages.list(date_sent=monday)

    assert [m.sid for m in to_family] == [second.sid, first.sid]
    assert [m.body for m in since_tuesday] == ["Tuesday"]
    assert [m.body for m in until_monday] == ["Monday"]
    assert sorted(m.body for m in on_monday) == ["Monday", "Monday, other family"]
    assert client.messages.list(from_="+13235550000") == []
    [listed] = since_tuesday
    assert (listed.status, listed.date_sent) == ("delivered", monday + timedelta(days=1))


def test_day_filters_ignore_the_time_of_day_as_twilio_does(fake, client):
    fake.clock = lambda: datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)
    _delivered(fake, _send(client))
    later_that_day = datetime(2024, 3, 4, 20, 0, tzinfo=timezone.utc)
    assert len(client.messages.list(to=FAMILY, date_sent_after=later_that_day)) == 1


def test_a_text_still_queued_has_no_date_sent_and_a_day_filter_misses_it(fake, client):
    fake.callback_delay = 30  # stays "queued"
    message = _send(client)
    today = datetime.now(timezone.utc)

    assert client.messages.list(to=FAMILY, date_sent_after=today) == []
    [listed] = client.messages.list(to=FAMILY)
    assert (listed.sid, listed.status, listed.date_sent) == (message.sid, "queued", None)


def test_list_pages_through_next_page_uri(fake, client):
    sids = [_send(client, body=f"text {n}").sid for n in range(5)]

    listed = client.messages.list(to=FAMILY, page_size=2)

    assert [m.sid for m in listed] == list(reversed(sids))
    pages = [r for r in fake.requests if r["method"] == "GET"]
    assert len(pages) == 3
    assert "PageSize=2" in pages[1]["path"] and "Page=1" in pages[1]["path"]


def test_one_message_is_fetched_by_sid_and_an_unknown_one_is_404(fake, client):
    message = _delivered(fake, _send(client))

    fetched = client.messages(message.sid).fetch()

    assert (fetched.sid, fetched.status, fetched.body) == (message.sid, "delivered", message.body)
    assert fetched.price == "-0.00790"
    with pytest.raises(TwilioRestException) as missing:
        client.messages("SM" + "f" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)


# --- injected trouble -----------------------------------------------------------------------


def test_the_next_requests_are_throttled_with_429_and_20429(fake, client):
    fake.throttle_next(2)

    for _ in range(2):
        with pytest.raises(TwilioRestException) as throttled:
            _send(client)
        assert (throttled.value.status, throttled.value.code) == (429, 20429)
    assert _send(client).status == "queued"
    assert fake.accepted_count == 1
    assert fake.stats()["answers"] == {"201": 1, "429": 2}


def test_a_fraction_of_requests_is_throttled(tmp_path):
    fake = FakeTwilio(ACCOUNT, TOKEN, rate_limit_fraction=0.5, seed=7)
    try:
        client = twilio_client(_settings(fake.url, tmp_path))
        throttled = 0
        for _ in range(40):
            try:
                _send(client)
            except TwilioRestException as error:
                assert error.code == 20429
                throttled += 1
        assert 8 <= throttled <= 32
        assert fake.accepted_count == 40 - throttled
    finally:
        fake.close()


def test_above_the_rate_limit_twilio_answers_429(fake, client):
    fake.rate_limit_per_second = 3
    outcomes = []
    for _ in range(6):
        try:
            _send(client)
            outcomes.append(201)
        except TwilioRestException as error:
            outcomes.append(error.status)

    assert outcomes[:3] == [201, 201, 201]
    assert 429 in outcomes[3:]
    assert fake.peak_per_second() <= 3


def test_the_next_requests_fail_with_503(fake, client):
    fake.fail_next(1)
    with pytest.raises(TwilioRestException) as failed:
        _send(client)
    assert failed.value.status == 503
    assert _send(client).status == "queued"


def test_numbers_can_be_refused_with_their_own_codes(tmp_path):
    fake = FakeTwilio(ACCOUNT, TOKEN, refuse_numbers={"+13235550999": (400, 21610)})
    fake.refuse_number("+13235550998", 30006)
    try:
        settings = _settings(fake.url, tmp_path)
        transport = TwilioTransport(settings)

        opted_out = transport.send("+13235550999", "hola")
        landline = transport.send("+13235550998", "hola")
        family = transport.send(FAMILY, "hola")

        assert (opted_out.ok, opted_out.error_code) == (False, "21610")
        assert opted_out.error_message == "Attempt to send to unsubscribed recipient"
        assert (landline.ok, landline.error_code) == (False, "30006")
        assert family.ok and SID.match(family.sid)
        assert fake.sent_to("+13235550999") == 0 and fake.sent_to(FAMILY) == 1
    finally:
        fake.close()


def test_a_dropped_answer_still_leaves_the_text_at_twilio(fake, client):
    """A sender that died mid-send: Twilio has the text though the sender never heard back."""
    fake.drop_next(1)

    with pytest.raises((TwilioException, OSError)):
        _send(client, body="Reminder: Parent College tomorrow")

    assert fake.sent_to(FAMILY) == 1
    _eventually(lambda: fake.messages[0].status == "delivered")
    [found] = client.messages.list(to=FAMILY, date_sent_after=datetime.now(timezone.utc))
    assert found.body == "Reminder: Parent College tomorrow"


def test_latency_is_observed_fixed_or_computed(fake, client):
    fake.latency = 0.3
    started = time.monotonic()
    _send(client)
    assert time.monotonic() - started >= 0.3

    fake.latency = lambda: 0.2
    started = time.monotonic()
    client.messages.list(to=FAMILY)
    assert 0.2 <= time.monotonic() - started < 2


def test_settings_change_from_the_config_endpoint(fake, client):
    answer = requests.post(
        f"{fake.url}/_fake/config",
        json={"throttle_next": 1, "refuse_numbers": {OTHER_FAMILY: [400, 30005]}},
    )
    assert answer.status_code == 200
    with pytest.raises(TwilioRestException) as throttled:
        _send(client)
    assert throttled.value.code == 20429
    with pytest.raises(TwilioRestException) as unknown:
        _send(client, to=OTHER_FAMILY)
    assert unknown.value.code == 30005
    bad = requests.post(f"{fake.url}/_fake/config", json={"no_such_setting": 1})
    assert bad.status_code == 400


# --- status callbacks -----------------------------------------------------------------------


def _valid(callback, url, token=TOKEN):
    return RequestValidator(token).validate(url, callback["form"], callback["signature"])


def test_callbacks_report_sent_then_delivered_signed_with_the_auth_token(fake, client, receiver):
    url = receiver.url + "/twilio/status"
    message = _send(client, status_callback=url)

    assert fake.wait_for_callbacks(2)
    sent, delivered = receiver.received
    assert [sent["form"]["MessageStatus"], delivered["form"]["MessageStatus"]] == [
        "sent",
        "delivered",
    ]
    assert sent["form"] == {
        "SmsSid": message.sid,
        "SmsStatus": "sent",
        "MessageStatus": "sent",
        "To": FAMILY,
        "MessageSid": message.sid,
        "AccountSid": ACCOUNT,
        "From": LINE,
        "ApiVersion": "2010-04-01",
    }
    assert sent["path"] == "/twilio/status"
    assert _valid(sent, url) and _valid(delivered, url)
    assert not _valid(sent, url, token="another-token")
    assert fake.message(message.sid).statuses == ["queued", "sent", "delivered"]


@pytest.mark.parametrize(
    "failure, statuses",
    [
        (30003, ["sent", "undelivered"]),
        (("failed", 30007), ["failed"]),
        (21610, ["failed"]),
    ],
)
def test_a_number_configured_to_fail_reports_its_error_code(tmp_path, receiver, failure, statuses):
    fake = FakeTwilio(ACCOUNT, TOKEN, undeliverable={FAMILY: failure})
    try:
        client = twilio_client(_settings(fake.url, tmp_path))
        _send(client, status_callback=receiver.url + "/twilio/status")
        assert fake.wait_for_callbacks(len(statuses))
        time.sleep(0.1)  # nothing more arrives
        forms = [c["form"] for c in receiver.received]
        code = failure if isinstance(failure, int) else failure[1]
        assert [f["MessageStatus"] for f in forms] == statuses
        assert forms[-1]["ErrorCode"] == str(code)
        assert "ErrorCode" not in forms[0] or len(forms) == 1
        assert fake.messages[0].error_code == code
    finally:
        fake.close()


def test_callbacks_for_the_public_url_can_be_delivered_to_a_local_receiver(fake, client, receiver):
    public = "https://line.example.org/twilio/status?source=broadcast"
    fake.deliver_callbacks_to = receiver.url

    _send(client, status_callback=public)

    assert fake.wait_for_callbacks(2)
    assert receiver.received[0]["path"] == "/twilio/status?source=broadcast"
    # Signed for the URL Twilio was given, as the webhook check rebuilds it from PUBLIC_BASE_URL.
    assert _valid(receiver.received[0], public)


def test_callbacks_never_hold_up_the_api_answer(fake, client):
    slow = CallbackReceiver(delay=1.0)
    try:
        started = time.monotonic()
        _send(client, status_callback=slow.url + "/twilio/status")
        assert time.monotonic() - started < 0.8
        assert fake.wait_for_callbacks(2, timeout=10)
    finally:
        slow.close()


def test_unreachable_or_failing_callbacks_are_recorded_not_raised(fake, client):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    nowhere = f"http://127.0.0.1:{closed.server_address[1]}/twilio/status"
    closed.server_close()
    refusing = CallbackReceiver(answer_status=403)
    try:
        _send(client, status_callback=nowhere)
        _send(client, to=OTHER_FAMILY, status_callback=refusing.url + "/twilio/status")
        _send(client, body="no callback wanted")
        _send(client, status_callback="https://line.example.org/twilio/status")

        assert fake.wait_for_callbacks(6)
        time.sleep(0.1)
        failures = fake.callback_failures
        assert len(failures) == 6 and fake.callbacks == []
        assert sum(f["status"] == 403 for f in failures) == 2
        assert sum("not on this machine" in f["error"] for f in failures) == 2
        assert all(m.status == "delivered" for m in fake.messages)
    finally:
        refusing.close()


# --- accounting -----------------------------------------------------------------------------


def test_duplicates_and_counts_per_number(fake, client):
    _send(client, body="Parent College Saturday")
    _send(client, body="Parent College Saturday")
    _send(client, body="Parent College Saturday")
    _send(client, body="Another announcement")
    _send(client, to=OTHER_FAMILY, body="Parent College Saturday")

    assert fake.accepted_count == 5
    assert (fake.sent_to(FAMILY), fake.sent_to(OTHER_FAMILY), fake.sent_to(LINE)) == (4, 1, 0)
    assert fake.duplicates() == {FAMILY: 3}
    stats = requests.get(f"{fake.url}/_fake/stats").json()
    assert (stats["accepted"], stats["duplicates"]) == (5, {FAMILY: 3})
    assert stats["peak_per_second"] >= 1

    requests.post(f"{fake.url}/_fake/reset")
    assert (fake.accepted_count, fake.duplicates(), fake.requests) == (0, {}, [])


def test_rates_are_measured_over_a_window(fake):
    with requests.Session() as http:
        for _ in range(20):
            http.post(
                f"{fake.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
                data={"To": FAMILY, "From": LINE, "Body": "hi"},
                auth=(ACCOUNT, TOKEN),
            )
    assert fake.accepted_per_second(window=60) == pytest.approx(20 / 60)
    assert fake.peak_per_second(window=60) == pytest.approx(20 / 60)
    assert fake.accepted_per_second() > 20  # twenty in well under a second
    time.sleep(0.3)
    assert fake.accepted_per_second(window=0.2) == 0


def test_many_senders_at_once_are_answered_concurrently_despite_latency():
    fake = FakeTwilio(ACCOUNT, TOKEN, latency=0.05, record_requests=False)
    senders, each = 20, 15
    refused = []

    def send_many():
        with requests.Session() as http:
            for n in range(each):
                answer = http.post(
                    f"{fake.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
                    data={"To": FAMILY, "From": LINE, "Body": f"{threading.get_ident()} {n}"},
                    auth=(ACCOUNT, TOKEN),
                )
                if answer.status_code != 201:
                    refused.append(answer.status_code)

    try:
        threads = [threading.Thread(target=send_many) for _ in range(senders)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        assert refused == [] and fake.accepted_count == senders * each
        # One at a time this takes 300 x 50 ms = 15 s; twenty at a time, under 1.5 s.
        assert elapsed < 3.0, f"{senders * each / elapsed:.0f} texts/s"
        assert fake.requests == [] and fake.duplicates() == {}
    finally:
        fake.close()


# --- the old canned behaviour ---------------------------------------------------------------


def test_without_a_token_the_fake_answers_its_canned_reply_and_still_counts(tmp_path):
    fake = FakeTwilio()
    try:
        client = twilio_client(_settings(fake.url, tmp_path, token="anything"))
        assert _send(client).sid == "SM" + "a" * 32
        assert fake.sent_to(FAMILY) == 1 and len(fake.requests) == 1

        fake.answer = None  # from now on, as Twilio does
        assert SID.match(_send(client).sid)
    finally:
        fake.close()


# --- the benchmark process ------------------------------------------------------------------


def test_the_command_line_fake_prints_its_url_and_serves_until_terminated(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fake_twilio",
            "--port",
            "0",
            "--account",
            ACCOUNT,
            "--token",
            TOKEN,
            "--latency-ms",
            "20",
            "--rate-limit-per-second",
            "100",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert re.match(r"^http://127\.0\.0\.1:\d+$", url), url
        client = twilio_client(_settings(url, tmp_path))

        assert SID.match(_send(client).sid)
        requests.post(f"{url}/_fake/config", json={"throttle_next": 1}).raise_for_status()
        with pytest.raises(TwilioRestException) as throttled:
            _send(client)
        assert throttled.value.code == 20429

        stats = requests.get(f"{url}/_fake/stats").json()
        assert (stats["accepted"], stats["refused"], stats["duplicates"]) == (
            1,
            {"20429": 1},
            {},
        )
        assert requests.post(f"{url}/_fake/reset").json()["accepted"] == 0
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert process.returncode == 0, errors
    assert json.loads(errors.strip().splitlines()[-1])["accepted"] == 0
