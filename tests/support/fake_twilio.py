"""A fake Twilio REST API on 127.0.0.1 that speaks the Messages API as the real `twilio` library
(8.2.2) uses it: TWILIO_API_BASE_URL points the library here in tests and benchmarks.

Two ways to use it:

- `FakeTwilio()`: records what the library sent and answers every POST with one canned reply
  (`.answer`, `.refuse()`): for tests that only look at the request the line made.
- `FakeTwilio(token=TOKEN)` (or `fake.answer = None`): behaves as Twilio does. Checks HTTP Basic
  auth, validates To/From/Body with Twilio's error codes, answers 201 with a full message
  resource, lists and fetches messages, sends signed status callbacks ("sent" then "delivered",
  or "failed"/"undelivered" with an error code) from background threads, and can be slowed down,
  rate limited (429 / 20429), made to fail (503) or to refuse chosen numbers, all while running.

Every accepted message is accounted for (`messages`, `sent_to()`, `duplicates()`,
`accepted_count`, `peak_per_second()`), which is what broadcast tests and benchmarks assert on:
nothing sent twice, the global send rate held.

Run as its own process for benchmarks with several worker processes:

    python -m tests.support.fake_twilio --port 0 --account AC... --token T --latency-ms 50

prints its URL on the first line of stdout and serves until SIGTERM; GET /_fake/stats,
POST /_fake/reset and POST /_fake/config (JSON) control it from the benchmark."""

from __future__ import annotations

import argparse
import base64
import bisect
import heapq
import itertools
import json
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

ACCOUNT = "AC" + "0" * 32
API_VERSION = "2010-04-01"
# What FakeTwilio() answers to every POST until told otherwise (tests written against it).
CANNED_ANSWER = (201, {"sid": "SM" + "a" * 32, "status": "queued"})
# Where a Messaging Service "picks" a sender when the request named none.
POOL_SENDER = "+15005550006"
PRICE_PER_SEGMENT = 0.0079
MAX_BODY = 1600
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000
CALLBACK_TIMEOUT_SECONDS = 5

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
MESSAGE_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$"
)
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
NANP = re.compile(r"^\+1[2-9]\d{2}[2-9]\d{6}$")

# Twilio's own words for the codes the line meets (https://www.twilio.com/docs/api/errors).
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service Unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}
# Delivery errors a carrier reports after Twilio sent the text: the message went "sent" first and
# ends "undelivered". Any other code in a callback means Twilio never sent it: "failed".
CARRIER_ERRORS = range(30003, 30009)


def twilio_error(status: int, code: int, message: str | None = None, **words) -> dict:
    """The JSON body of a Twilio API error, as TwilioRestException is built from it."""
    text = message or ERROR_MESSAGES.get(code, f"Error {code}")
    if words and not message:
        text = text.format(**words)
    return {
        "code": code,
        "message": text,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def rfc2822(moment: datetime | None) -> str | None:
    # Twilio's dates look like "Thu, 24 Aug 2023 05:01:45 +0000".
    return format_datetime(moment.astimezone(timezone.utc)) if moment else None


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def segments_of(body: str) -> int:
    from bot.text.segments import count_segments

    return count_segments(body).segments


@dataclass
class FakeMessage:
    """One message Twilio accepted, as the fake knows it."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    num_segments: int
    date_created: datetime
    accepted_at: float  # time.monotonic(), for rates
    status_callback: str | None = None
    date_sent: datetime | None = None
    date_updated: datetime | None = None
    error_code: int | None = None
    price: str | None = None
    statuses: list[str] = field(default_factory=list)  # every status it went through

    @property
    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def resource(self) -> dict:
        """The message resource JSON, field for field as Twilio's API answers it."""
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": ERROR_MESSAGES.get(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments),
            "price": self.price,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": self.uri.removesuffix(".json") + "/Media.json",
                "feedback": self.uri.removesuffix(".json") + "/Feedback.json",
            },
            "to": self.to,
            "uri": self.uri,
        }


@dataclass(frozen=True)
class Answer:
    status: int
    payload: dict
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False  # close the connection instead of answering


class _Timers:
    """Runs functions at given monotonic times on a thread pool: status callbacks wait their
    delay here, never in the thread answering the API request, and many wait at once."""

    def __init__(self, workers: int):
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="fake-twilio-callback")
        self._thread = threading.Thread(target=self._run, name="fake-twilio-timers", daemon=True)
        self._thread.start()

    def at(self, due: float, job: Callable[[], None]) -> None:
        with self._wake:
            if self._closed:
                return
            heapq.heappush(self._heap, (due, next(self._order), job))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                if self._closed:
                    return
                _, _, job = heapq.heappop(self._heap)
            self._pool.submit(job)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._heap.clear()
            self._wake.notify()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Several worker processes open connections at once in benchmarks.
    request_queue_size = 256


class FakeTwilio:
    """The Messages API on 127.0.0.1. Every setting below may be changed while it runs, from any
    thread (assign the attribute or call the method)."""

    def __init__(
        self,
        account: str = ACCOUNT,
        token: str | None = None,
        *,
        latency: float | Callable[[], float] = 0.0,
        rate_limit_per_second: float | None = None,
        rate_limit_fraction: float = 0.0,
        refuse_numbers: dict | None = None,
        undeliverable: dict | None = None,
        callback_delay: float = 0.0,
        delivery_delay: float = 0.0,
        record_requests: bool = True,
        seed: int | None = None,
        clock: Callable[[], datetime] = utc_now,
        port: int = 0,
        callback_workers: int = 8,
    ):
        self.account = account
        # Without a token the fake checks no credentials and answers the canned reply.
        self.token = token
        self.answer: tuple[int, dict] | None = CANNED_ANSWER if token is None else None
        self.latency = latency
        self.rate_limit_per_second = rate_limit_per_second
        self.rate_limit_fraction = rate_limit_fraction
        self.callback_delay = callback_delay  # accepted -> "sent" (or "failed")
        self.delivery_delay = delivery_delay  # "sent" -> "delivered" / "undelivered"
        # Callbacks go here instead of the StatusCallback's own host (still signed for the URL
        # Twilio was given): a test's local receiver stands in for PUBLIC_BASE_URL.
        self.deliver_callbacks_to: str | None = None
        # Off in benchmarks: requests are then only counted, not kept.
        self.record_requests = record_requests
        self.clock = clock
        self.requests: list[dict] = []
        self.callbacks: list[dict] = []  # callbacks the receiver answered 2xx
        self.callback_failures: list[dict] = []  # unreachable, refused or non-2xx
        self._lock = threading.RLock()
        self._callback_done = threading.Condition(self._lock)
        self._random = random.Random(seed)
        self._refuse_numbers: dict[str, tuple[int, int]] = {}
        self._undeliverable: dict[str, tuple[str, int]] = {}
        self._throttle_next = 0
        self._fail_next: list[int] = []
        self._drop_next = 0
        for number, refusal in (refuse_numbers or {}).items():
            status, code = _pair(refusal)
            self.refuse_number(number, code, status)
        for number, failure in (undeliverable or {}).items():
            self.undeliver(number, *_failure(failure))
        self._reset_accounts()
        self._connections: set[socket.socket] = set()
        self._timers = _Timers(callback_workers)
        self._server = _Server(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._serving = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-twilio", daemon=True
        )
        self._serving.start()

    # --- the canned reply of FakeTwilio() -------------------------------------------------

    def refuse(self, code: int, message: str) -> None:
        """Answers every POST from now on with this 400 error (canned)."""
        self.answer = (400, twilio_error(400, code, message))

    # --- injections -----------------------------------------------------------------------

    def refuse_number(self, number: str, code: int, status: int = 400) -> None:
        """Sending to `number` is refused by the API with this error (21610, 30006, 30005...)."""
        with self._lock:
            self._refuse_numbers[number] = (status, code)

    def undeliver(self, number: str, code: int, status: str | None = None) -> None:
        """Texts to `number` are accepted, then reported "undelivered" (carrier errors
        30003-30008) or "failed" (any other code, or status="failed") with this error code."""
        if status is None:
            status = "undelivered" if code in CARRIER_ERRORS else "failed"
        with self._lock:
            self._undeliverable[number] = (status, code)

    def throttle_next(self, count: int) -> None:
        """The next `count` message creations are answered 429 (code 20429)."""
        with self._lock:
            self._throttle_next += count

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next `count` message creations are answered with this 5xx status."""
        with self._lock:
            self._fail_next.extend([status] * count)

    def drop_next(self, count: int) -> None:
        """The next `count` messages are accepted (Twilio has them and will send them) but the
        connection closes before the answer: a sender that died or timed out mid-send."""
        with self._lock:
            self._drop_next += count

    def clear_injections(self) -> None:
        """Back to a Twilio that accepts everything (latency and callback delays are kept)."""
        with self._lock:
            self.rate_limit_per_second = None
            self.rate_limit_fraction = 0.0
            self._refuse_numbers.clear()
            self._undeliverable.clear()
            self._throttle_next = self._drop_next = 0
            self._fail_next.clear()

    def configure(self, **settings) -> None:
        """Several settings at once (the /_fake/config endpoint of the CLI comes here)."""
        with self._lock:
            for name, value in settings.items():
                if name == "refuse_numbers":
                    self._refuse_numbers = {n: _pair(v) for n, v in value.items()}
                elif name == "undeliverable":
                    self._undeliverable = {}
                    for number, failure in value.items():
                        self.undeliver(number, *_failure(failure))
                elif name in ("throttle_next", "fail_next", "drop_next"):
                    getattr(self, name)(int(value))
                elif name in _SETTINGS:
                    setattr(self, name, value)
                else:
                    raise ValueError(f"unknown fake Twilio setting {name!r}")

    # --- accounting -----------------------------------------------------------------------

    def _reset_accounts(self) -> None:
        with self._lock:
            self._messages: dict[str, FakeMessage] = {}
            self._accepted_times: list[float] = []
            self._per_number: Counter[str] = Counter()
            self._per_text: Counter[tuple[str, str]] = Counter()
            self._answers: Counter[int] = Counter()
            self._refusals: Counter[int] = Counter()
            self._callbacks_posted = self._callbacks_failed = 0
            self.requests.clear()
            self.callbacks = []
            self.callback_failures = []

    def reset(self) -> None:
        """Forgets every message, request and callback; settings and injections stay."""
        self._reset_accounts()

    @property
    def messages(self) -> list[FakeMessage]:
        """Accepted messages, oldest first (copies: safe to read while sending goes on)."""
        with self._lock:
            return [replace(m, statuses=list(m.statuses)) for m in self._messages.values()]

    def message(self, sid: str) -> FakeMessage | None:
        with self._lock:
            found = self._messages.get(sid)
            return replace(found, statuses=list(found.statuses)) if found else None

    @property
    def accepted_count(self) -> int:
        with self._lock:
            return len(self._accepted_times)

    def sent_to(self, number: str) -> int:
        """How many texts Twilio accepted for this number."""
        with self._lock:
            return self._per_number[number]

    def duplicates(self) -> dict[str, int]:
        """Numbers that were sent the same body more than once: number -> most copies."""
        with self._lock:
            copies: dict[str, int] = {}
            for (number, _), count in self._per_text.items():
                if count > 1:
                    copies[number] = max(count, copies.get(number, 0))
            return copies

    def refusals(self) -> dict[int, int]:
        """Error code -> how many requests were answered with it."""
        with self._lock:
            return dict(self._refusals)

    def accepted_per_second(self, window: float | None = None) -> float:
        """Accepted messages per second: over the last `window` seconds, or (None) between the
        first and the last accepted message."""
        with self._lock:
            times = self._accepted_times
            if window is not None:
                return _count_since(times, time.monotonic() - window) / window
            if len(times) < 2 or times[-1] == times[0]:
                return float(len(times))
            return (len(times) - 1) / (times[-1] - times[0])

    def peak_per_second(self, window: float = 1.0) -> float:
        """The most messages accepted in any `window` seconds, per second: what a global send
        rate must keep below, whatever the number of workers."""
        with self._lock:
            times = list(self._accepted_times)
        most, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            most = max(most, end - start + 1)
        return most / window

    def stats(self) -> dict:
        with self._lock:
            answers = {str(status): count for status, count in sorted(self._answers.items())}
            refused = {str(code): count for code, count in sorted(self._refusals.items())}
            callbacks = {"posted": self._callbacks_posted, "failed": self._callbacks_failed}
            requests = sum(self._answers.values())
        return {
            "accepted": self.accepted_count,
            "requests": requests,
            "answers": answers,
            "refused": refused,
            "rate_per_second": round(self.accepted_per_second(), 3),
            "recent_per_second": round(self.accepted_per_second(window=1.0), 3),
            "peak_per_second": self.peak_per_second(),
            "duplicates": self.duplicates(),
            "callbacks": callbacks,
        }

    def wait_for_callbacks(self, count: int, timeout: float = 5.0) -> bool:
        """Waits until `count` callbacks were posted or failed; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._callback_done:
            while self._callbacks_posted + self._callbacks_failed < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._callback_done.wait(left)
            return True

    def close(self) -> None:
        self._server.shutdown()
        # Keep-alive connections would otherwise go on being answered after close().
        with self._lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._timers.close()

    # --- the API --------------------------------------------------------------------------

    def _credentials_ok(self, authorization: str | None) -> bool:
        if self.token is None:
            return True
        expected = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        return authorization == f"Basic {expected}"

    def _unauthorized(self) -> Answer:
        payload = twilio_error(401, 20003)
        payload["detail"] = "Your AccountSid or AuthToken was incorrect."
        return Answer(401, payload, (("WWW-Authenticate", 'Basic realm="Twilio API"'),))

    def _not_found(self, path: str) -> Answer:
        return Answer(404, twilio_error(404, 20404, f"The requested resource {path} was not found"))

    def _injected(self) -> Answer | None:
        """A 5xx or 429 chosen before Twilio looks at the message (call with the lock held)."""
        if self._fail_next:
            status = self._fail_next.pop(0)
            code = 20503 if status == 503 else 20500
            return Answer(status, twilio_error(status, code))
        throttled = self._throttle_next > 0
        if throttled:
            self._throttle_next -= 1
        elif self.rate_limit_fraction and self._random.random() < self.rate_limit_fraction:
            throttled = True
        elif self.rate_limit_per_second is not None:
            recent = _count_since(self._accepted_times, time.monotonic() - 1.0)
            throttled = recent >= self.rate_limit_per_second
        return Answer(429, twilio_error(429, 20429)) if throttled else None

    def _invalid(self, form: dict) -> Answer | None:
        to = form.get("To")
        if not to:
            return Answer(400, twilio_error(400, 21604))
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return Answer(400, twilio_error(400, 21603))
        if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
            return Answer(400, twilio_error(400, 21602))
        if not E164.match(to) or (to.startswith("+1") and not NANP.match(to)):
            return Answer(400, twilio_error(400, 21211, to=to))
        if len(form.get("Body", "")) > MAX_BODY:
            return Answer(400, twilio_error(400, 21617))
        refusal = self._refuse_numbers.get(to)
        if refusal:
            status, code = refusal
            return Answer(status, twilio_error(status, code, to=to))
        return None

    def _accept(self, account: str, form: dict, sid: str | None = None) -> FakeMessage:
        """Records the message (call with the lock held) and plans its status callbacks."""
        body = form.get("Body", "")
        service = form.get("MessagingServiceSid")
        message = FakeMessage(
            sid=sid or "SM" + uuid.uuid4().hex,
            account_sid=account,
            to=form["To"],
            from_=form.get("From"),
            messaging_service_sid=service,
            # A Messaging Service takes the text first and picks a sender afterwards.
            body=body,
            status="accepted" if service and not form.get("From") else "queued",
            num_segments=segments_of(body),
            date_created=self.clock(),
            accepted_at=time.monotonic(),
            status_callback=form.get("StatusCallback"),
        )
        message.statuses.append(message.status)
        self._messages[message.sid] = message
        self._accepted_times.append(message.accepted_at)
        self._per_number[message.to] += 1
        self._per_text[(message.to, body)] += 1
        self._timers.at(
            time.monotonic() + self.callback_delay, lambda: self._advance(message.sid, 0)
        )
        return message

    def create(self, account: str, form: dict, authorization: str | None) -> Answer:
        if not self._credentials_ok(authorization):
            return self._unauthorized()
        if self.token is not None and account != self.account:
            return self._not_found(f"/{API_VERSION}/Accounts/{account}/Messages.json")
        with self._lock:
            injected = self._injected()
            if injected:
                return injected
            if self.answer is not None:
                return self._canned(account, form)
            invalid = self._invalid(form)
            if invalid:
                return invalid
            message = self._accept(account, form)
            drop = self._drop_next > 0
            self._drop_next -= 1 if drop else 0
            return Answer(201, message.resource(), drop=drop)

    def _canned(self, account: str, form: dict) -> Answer:
        status, payload = self.answer
        if status < 300 and form.get("To"):
            # Counted as sent, but no callbacks: canned tests point StatusCallback anywhere.
            message = FakeMessage(
                sid=payload.get("sid") or "SM" + uuid.uuid4().hex,
                account_sid=account,
                to=form["To"],
                from_=form.get("From"),
                messaging_service_sid=form.get("MessagingServiceSid"),
                body=form.get("Body", ""),
                status=payload.get("status", "queued"),
                num_segments=segments_of(form.get("Body", "")),
                date_created=self.clock(),
                accepted_at=time.monotonic(),
            )
            self._messages[message.sid] = message
            self._accepted_times.append(message.accepted_at)
            self._per_number[message.to] += 1
            self._per_text[(message.to, message.body)] += 1
        return Answer(status, payload)

    def fetch(self, account: str, sid: str, path: str, authorization: str | None) -> Answer:
        if not self._credentials_ok(authorization):
            return self._unauthorized()
        with self._lock:
            message = self._messages.get(sid)
            if message is None or message.account_sid != account:
                return self._not_found(path)
            return Answer(200, message.resource())

    def list(self, account: str, query: dict, authorization: str | None) -> Answer:
        if not self._credentials_ok(authorization):
            return self._unauthorized()
        try:
            wanted = _ListFilter.from_query(query)
        except ValueError as error:
            return Answer(400, twilio_error(400, 20001, str(error)))
        with self._lock:
            found = [
                m
                for m in reversed(self._messages.values())  # newest first, as Twilio lists
                if m.account_sid == account and wanted.matches(m)
            ]
            page = found[wanted.page * wanted.page_size : (wanted.page + 1) * wanted.page_size]
            resources = [m.resource() for m in page]
        return Answer(200, _envelope(account, wanted, query, resources, len(found)))

    # --- status callbacks -----------------------------------------------------------------

    def _lifecycle(self, message: FakeMessage) -> list[tuple[str, int | None]]:
        failure = self._undeliverable.get(message.to)
        if failure is None:
            return [("sent", None), ("delivered", None)]
        status, code = failure
        if status == "failed":
            return [("failed", code)]
        return [("sent", None), (status, code)]

    def _advance(self, sid: str, step: int) -> None:
        """Moves a message to its next status and tells the StatusCallback, from a pool
        thread; plans the step after it once this one's callback is done, so "sent" always
        arrives before "delivered"."""
        with self._lock:
            message = self._messages.get(sid)
            if message is None:  # reset() since
                return
            steps = self._lifecycle(message)
            status, code = steps[step]
            now = self.clock()
            message.status, message.date_updated = status, now
            message.statuses.append(status)
            if status == "sent":
                message.date_sent = now
                message.from_ = message.from_ or POOL_SENDER
                message.price = f"-{PRICE_PER_SEGMENT * message.num_segments:.5f}"
            if code is not None:
                message.error_code = code
            form = self._callback_form(message, status, code)
            url = message.status_callback
        if url:
            self._post_callback(url, form)
        if step + 1 < len(steps):
            self._timers.at(
                time.monotonic() + self.delivery_delay, lambda: self._advance(sid, step + 1)
            )

    def _callback_form(self, message: FakeMessage, status: str, code: int | None) -> dict:
        # Field for field what Twilio posts to a StatusCallback for an outbound SMS.
        form = {
            "SmsSid": message.sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "To": message.to,
            "MessageSid": message.sid,
            "AccountSid": message.account_sid,
            "From": message.from_ or POOL_SENDER,
            "ApiVersion": API_VERSION,
        }
        if message.messaging_service_sid:
            form["MessagingServiceSid"] = message.messaging_service_sid
        if code is not None:
            form["ErrorCode"] = str(code)
        return form

    def _post_callback(self, url: str, form: dict) -> None:
        from twilio.request_validator import RequestValidator

        record = {"url": url, "form": form}
        target = _retarget(url, self.deliver_callbacks_to)
        host = urlsplit(target).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            # The fake never calls out of the machine (and tests forbid it).
            self._record_callback(record, None, f"not on this machine: {host}")
            return
        signature = RequestValidator(self.token or "").compute_signature(url, form)
        request = urllib.request.Request(
            target,
            data=urlencode(form).encode(),
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "TwilioProxy/1.1",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SECONDS) as response:
                self._record_callback(record, response.status, None)
        except urllib.error.HTTPError as error:
            self._record_callback(record, error.code, f"HTTP {error.code}")
        except (OSError, ValueError) as error:  # refused, timed out, bad URL
            self._record_callback(record, None, str(error))

    def _record_callback(self, record: dict, status: int | None, error: str | None) -> None:
        with self._callback_done:
            # Benchmarks (record_requests off) only count them: two per text add up.
            if error is None:
                self._callbacks_posted += 1
                if self.record_requests:
                    self.callbacks.append({**record, "status": status})
            else:
                self._callbacks_failed += 1
                if self.record_requests:
                    self.callback_failures.append({**record, "status": status, "error": error})
            self._callback_done.notify_all()

    # --- HTTP -----------------------------------------------------------------------------

    def _delay(self) -> None:
        latency = self.latency() if callable(self.latency) else self.latency
        if latency > 0:
            time.sleep(latency)

    def _route(self, method: str, raw_path: str, form: dict, authorization: str | None) -> Answer:
        path = urlsplit(raw_path).path
        if path.startswith("/_fake/"):
            return self._control(method, path, form)
        if self.record_requests:
            self.requests.append(
                {"path": raw_path, "form": form, "authorization": authorization, "method": method}
            )
        # Twilio has the message the moment it decides; the answer takes `latency` to arrive.
        answer = self._api(method, path, form, authorization)
        self._delay()
        return answer

    def _api(self, method: str, path: str, form: dict, authorization: str | None) -> Answer:
        messages = MESSAGES_PATH.match(path)
        single = MESSAGE_PATH.match(path)
        if messages and method == "POST":
            return self.create(messages["account"], form, authorization)
        if messages and method == "GET":
            return self.list(messages["account"], form, authorization)
        if single and method == "GET":
            return self.fetch(single["account"], single["sid"], path, authorization)
        if self.answer is not None and method == "POST":  # FakeTwilio() answered any POST
            return Answer(*self.answer)
        return self._not_found(path)

    def _control(self, method: str, path: str, settings: dict) -> Answer:
        if path == "/_fake/stats" and method == "GET":
            return Answer(200, self.stats())
        if path == "/_fake/reset" and method == "POST":
            self.reset()
            return Answer(200, self.stats())
        if path == "/_fake/config" and method == "POST":
            try:
                self.configure(**_seconds(settings))
            except (TypeError, ValueError) as error:
                return Answer(400, {"error": str(error)})
            return Answer(200, {"ok": True})
        return Answer(404, {"error": f"no {method} {path}"})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive: the twilio library reuses its connections, as with the real API.
            protocol_version = "HTTP/1.1"
            timeout = 60  # an idle kept-alive connection frees its thread after this

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: without this, Nagle's algorithm and
                # the client's delayed ACK add 40 ms to every answer on a kept-alive connection.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self):
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def _form(self) -> dict:
                if self.command == "GET":
                    query = urlsplit(self.path).query
                    return {k: v[0] for k, v in parse_qs(query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    return json.loads(raw or "{}")
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def _serve(self):
                try:
                    answer = fake._route(
                        self.command, self.path, self._form(), self.headers.get("Authorization")
                    )
                except Exception as error:  # a bug in the fake must show, not hang the client
                    answer = Answer(500, twilio_error(500, 20500, f"fake Twilio: {error!r}"))
                if not self.path.startswith("/_fake/"):
                    with fake._lock:
                        fake._answers[answer.status] += 1
                        if answer.status >= 400:
                            fake._refusals[answer.payload.get("code", answer.status)] += 1
                if answer.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                data = json.dumps(answer.payload).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

        return Handler


# Settings that configure() sets as plain attributes.
_SETTINGS = frozenset(
    {
        "latency",
        "rate_limit_per_second",
        "rate_limit_fraction",
        "callback_delay",
        "delivery_delay",
        "deliver_callbacks_to",
        "record_requests",
        "answer",
    }
)


def _pair(refusal) -> tuple[int, int]:
    """(status, code) from (400, 21610), [400, 21610] (JSON) or a bare code 21610."""
    if isinstance(refusal, int):
        return 400, refusal
    status, code = refusal
    return int(status), int(code)


def _failure(failure) -> tuple[int, str | None]:
    """(code, status) for undeliver() from 30003, ("failed", 30001) or ["undelivered", 30003]."""
    if isinstance(failure, int):
        return failure, None
    status, code = failure
    return int(code), status


def _seconds(settings: dict) -> dict:
    """The CLI's JSON speaks milliseconds; configure() speaks seconds."""
    converted = {}
    for name, value in settings.items():
        if name.endswith("_ms"):
            converted[name.removesuffix("_ms")] = value / 1000 if value is not None else 0.0
        else:
            converted[name] = value
    return converted


def _count_since(times: list[float], since: float) -> int:
    # Acceptance times are appended under the lock from one monotonic clock: sorted.
    return len(times) - bisect.bisect_left(times, since)


def _retarget(url: str, base: str | None) -> str:
    if not base:
        return url
    parts, new = urlsplit(url), urlsplit(base)
    return urlunsplit((new.scheme, new.netloc, parts.path, parts.query, ""))


def _date_filter(value: str) -> date:
    # Twilio filters DateSent by GMT date, whatever time of day the library sends with it.
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")[:25]).date()
    except ValueError:
        return date.fromisoformat(value[:10])


@dataclass(frozen=True)
class _ListFilter:
    to: str | None = None
    from_: str | None = None
    on: date | None = None
    since: date | None = None  # DateSent>=
    until: date | None = None  # DateSent<=
    page: int = 0
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_query(cls, query: dict) -> _ListFilter:
        # The library sends "DateSent>" and "DateSent<" as keys: the URL reads
        # DateSent%3E=2023-... and Twilio takes it as DateSent>= (on or after), same for <=.
        def day(key):
            return _date_filter(query[key]) if query.get(key) else None

        size = min(int(query.get("PageSize") or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        return cls(
            to=query.get("To"),
            from_=query.get("From"),
            on=day("DateSent"),
            since=day("DateSent>"),
            until=day("DateSent<"),
            page=int(query.get("Page") or 0),
            page_size=max(size, 1),
        )

    def matches(self, message: FakeMessage) -> bool:
        if self.to and message.to != self.to:
            return False
        if self.from_ and message.from_ != self.from_:
            return False
        if self.on or self.since or self.until:
            # A text still queued has no date_sent: a DateSent filter cannot find it yet.
            if message.date_sent is None:
                return False
            sent = message.date_sent.astimezone(timezone.utc).date()
            if (self.on and sent != self.on) or (self.since and sent < self.since):
                return False
            if self.until and sent > self.until:
                return False
        return True


def _envelope(account: str, wanted: _ListFilter, query: dict, records: list, total: int) -> dict:
    """Twilio's list envelope: the records under "messages" and the paging URIs."""
    base = f"/{API_VERSION}/Accounts/{account}/Messages.json"
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def page_uri(number: int) -> str:
        paging = {"PageSize": wanted.page_size, "Page": number}
        if number:
            paging["PageToken"] = f"PA{number * wanted.page_size}"
        return f"{base}?{urlencode({**filters, **paging})}"

    start = wanted.page * wanted.page_size
    more = start + len(records) < total
    return {
        "end": start + max(len(records) - 1, 0),
        "first_page_uri": page_uri(0),
        "messages": records,
        "next_page_uri": page_uri(wanted.page + 1) if more else None,
        "page": wanted.page,
        "page_size": wanted.page_size,
        "previous_page_uri": page_uri(wanted.page - 1) if wanted.page else None,
        "start": start,
        "uri": page_uri(wanted.page),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.fake_twilio",
        description="A fake Twilio Messages API on 127.0.0.1 for benchmarks.",
    )
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--account", default=ACCOUNT, help="account SID the clients use")
    parser.add_argument("--token", required=True, help="auth token: checks auth, signs callbacks")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--rate-limit-per-second", type=float, default=None)
    parser.add_argument("--rate-limit-fraction", type=float, default=0.0)
    parser.add_argument("--callback-delay-ms", type=float, default=0.0)
    parser.add_argument("--delivery-delay-ms", type=float, default=0.0)
    parser.add_argument("--deliver-callbacks-to", default=None, help="base URL for callbacks")
    parser.add_argument("--record-requests", action="store_true", help="keep every request")
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    fake = FakeTwilio(
        options.account,
        options.token,
        latency=options.latency_ms / 1000,
        rate_limit_per_second=options.rate_limit_per_second,
        rate_limit_fraction=options.rate_limit_fraction,
        callback_delay=options.callback_delay_ms / 1000,
        delivery_delay=options.delivery_delay_ms / 1000,
        record_requests=options.record_requests,
        seed=options.seed,
        port=options.port,
        # Benchmarks send hundreds of texts a second, each with two callbacks.
        callback_workers=32,
    )
    fake.deliver_callbacks_to = options.deliver_callbacks_to
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(fake.url, flush=True)
    while not stop.wait(0.5):
        pass
    fake.close()
    print(json.dumps(fake.stats()), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
