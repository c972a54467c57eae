"""The families and the load of bench/webhook_load.py (and bench/scale.py): each family's short
script in its language, the order they text in, and a phase that sends them through the gateway or
straight to Rasa at a set concurrency and counts what came back."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bot.rasa.token import with_token
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form

# What families text, by language; "es" includes no-accent Spanish and Spanglish.
GREETINGS = {
    "en": ["hi", "hello good morning", "hey there"],
    "es": ["hola", "buenas tardes", "hola buenos dias"],
}

THANKS = {
    "en": ["thank you!", "thanks so much", "ok thanks bye"],
    "es": ["gracias", "muchas gracias, bendiciones", "ok gracias bye"],
}

QUESTIONS = {
    "en": [
        "what's the address of jordan high?",
        "where is markham middle school",
        "what is the phone number for roosevelt",
        "address for 99th street elementary pls",
        "are there any events this saturday?",
        "when is the next college night",
        "what programs do you have for my kids",
        "tell me about parent college",
        "when is the next parent college class",
        "what is the partnership for la schools",
        "does my son's school have summer programs",
        "what is st math",
    ],
    "es": [
        "¿dónde queda la escuela Markham?",
        "cual es la direccion de jordan",
        "donde esta la secundaria gompers",
        "el telefono de la escuela roosevelt porfa",
        "¿hay eventos este sábado?",
        "cuando es la noche de universidad",
        "que programas tienen para mis hijos",
        "que es parent college",
        "cuando es la proxima clase de parent college",
        "hay programas de verano?",
        "que es la partnership",
        "oye donde queda la school de mi hija, grape street",
        "my son va a mendez, what's the address?",
        "hay algun event para parents este mes",
    ],
}

REQUEST_TIMEOUT = 30

APOLOGIES = ("Sorry, our text line is having trouble", "Disculpe, nuestra línea")


@dataclass
class Family:
    index: int
    phone: str
    language: str
    script: list[str]
    sent: int = 0

    def next_text(self) -> str:
        body = self.script[self.sent % len(self.script)]
        self.sent += 1
        return body


def make_families(count: int, seed: int) -> list[Family]:
    """About 60% Spanish-speaking families (as the Partnership's), each with its own script."""
    families = []
    for index in range(count):
        rng = random.Random(seed * 100_003 + index)
        language = "es" if rng.random() < 0.6 else "en"
        questions = rng.sample(QUESTIONS[language], k=min(5, len(QUESTIONS[language])))
        script = [rng.choice(GREETINGS[language]), *questions, rng.choice(THANKS[language])]
        families.append(Family(index, f"+1323{5550000 + 1000 + index:07d}", language, script))
    return families


def schedule(families: list[Family]) -> Iterator[tuple[Family, str]]:
    """Round-robin over the families: with more families than in-flight requests, a family's
    next message only goes out once its previous one was answered, as on a real phone."""
    for family in itertools.cycle(families):
        yield family, family.next_text()


@dataclass
class Outcome:
    latency_ms: float
    error: str | None = None  # None when the family got a real answer
    sid: str | None = None


@dataclass
class PhaseResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.outcomes)

    @property
    def errors(self) -> Counter:
        return Counter(o.error for o in self.outcomes if o.error)

    def percentile(self, share: float) -> float:
        ordered = sorted(o.latency_ms for o in self.outcomes)
        if not ordered:
            return float("nan")
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)]

    @property
    def throughput(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0


def classify(status: int, replies: list[str]) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not replies:
        return "no reply"
    if any(reply.startswith(APOLOGIES) for reply in replies):
        return "apology"
    return None


def run_phase(
    name: str,
    families: list[Family],
    send: Callable[[requests.Session, Family, str], Outcome],
    seconds: float,
    concurrency: int,
) -> PhaseResult:
    for family in families:
        family.sent = 0  # the same texts in the same order in every phase
    result = PhaseResult(name)
    work = schedule(families)
    lock = threading.Lock()
    local = threading.local()
    started = time.perf_counter()
    stop_at = started + seconds

    def worker() -> None:
        local.http = requests.Session()
        while time.perf_counter() < stop_at:
            with lock:
                family, body = next(work)
            outcome = send(local.http, family, body)
            with lock:
                result.outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    result.elapsed = time.perf_counter() - started
    return result


def gateway_sender(url: str, auth_token: str):
    def send(http: requests.Session, family: Family, body: str) -> Outcome:
        form = twilio_sms_form(body, family.phone)
        headers = {"X-Twilio-Signature": sign(url, form, auth_token)}
        t0 = time.perf_counter()
        try:
            response = http.post(url, data=form, headers=headers, timeout=REQUEST_TIMEOUT)
            status = response.status_code
            replies = replies_from_twiml(response.text) if status == 200 else []
            error = classify(status, replies)
        except (requests.RequestException, ValueError) as exc:  # ValueError: bad TwiML
            error = type(exc).__name__
        return Outcome((time.perf_counter() - t0) * 1000, error, form["MessageSid"])

    return send


def rasa_sender(rasa_url: str, run_id: str, token: str | None = None):
    url = with_token(f"{rasa_url}/webhooks/rest/webhook", token)

    def send(http: requests.Session, family: Family, body: str) -> Outcome:
        payload = {
            "sender": f"bench-{run_id}-{family.index}",
            "message": body,
            "metadata": {"language": family.language, "channel": "sms"},
        }
        t0 = time.perf_counter()
        try:
            response = http.post(url, json=payload, timeout=REQUEST_TIMEOUT)
            status = response.status_code
            answer = response.json() if status == 200 else []
            replies = [m["text"] for m in answer if isinstance(m, dict) and m.get("text")]
            error = classify(status, replies)
        except (requests.RequestException, ValueError) as exc:
            error = type(exc).__name__
        return Outcome((time.perf_counter() - t0) * 1000, error)

    return send
