"""Round-trip time of an inbound SMS through the running line: signed webhook -> Rasa -> actions ->
TwiML. Start the line first (`make run`), then:

    .venv/bin/python -m bench.sms_roundtrip [--count 200] [--url http://127.0.0.1:5000/twilio/sms]

Sends a mix of English and Spanish questions from a few numbers, one at a time, and prints p50,
p95 and p99 latency and messages per second. Loopback only; bounded by --count."""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from bot.config import load_settings
from bot.sms.inbound_request import replies_from_twiml, sign, twilio_sms_form

QUESTIONS = [
    "hola, donde queda markham?",
    "what is the address of jordan high",
    "que programas tienen",
    "hi",
    "donde queda la escuela",
    "roosevelt",
    "any events this saturday",
    "gracias, adios",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--url", default=f"http://127.0.0.1:{settings.port}/twilio/sms")
    args = parser.parse_args()
    if not settings.twilio_auth_token:
        raise SystemExit("TWILIO_AUTH_TOKEN is not set (run `bot env init`)")

    http = requests.Session()
    latencies, unanswered = [], 0
    started = time.perf_counter()
    for i in range(args.count):
        form = twilio_sms_form(QUESTIONS[i % len(QUESTIONS)], f"+1323555{8000 + i % 25:04d}")
        headers = {"X-Twilio-Signature": sign(args.url, form, settings.twilio_auth_token)}
        t0 = time.perf_counter()
        response = http.post(args.url, data=form, headers=headers, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200 or not replies_from_twiml(response.text):
            unanswered += 1
    elapsed = time.perf_counter() - started

    print(f"messages            {args.count} (sequential, {len(QUESTIONS)} kinds, 25 numbers)")
    print(f"unanswered          {unanswered}")
    print(f"latency p50         {percentile(latencies, 0.50):.0f} ms")
    print(f"latency p95         {percentile(latencies, 0.95):.0f} ms")
    print(f"latency p99         {percentile(latencies, 0.99):.0f} ms")
    print(f"latency mean        {statistics.mean(latencies):.0f} ms")
    print(f"throughput          {args.count / elapsed:.1f} messages/s")


if __name__ == "__main__":
    main()
