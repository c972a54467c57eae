"""/model/parse latency on the running Rasa server (start it with `make run` first):

    RASA_API_TOKEN=$(sed -n 's/^RASA_API_TOKEN=//p' .env) \
        .venv-rasa/bin/python -m bench.nlu_latency [--count 500] [--url http://127.0.0.1:5005]

It runs in Rasa's environment (it reads the held-out sets with Rasa's reader), where the app's
settings are not installed: the server's address and token come from RASA_URL and
RASA_API_TOKEN, or --url and --token.

Parses the held-out messages of both languages in turn, one request at a time after a warm-up,
and prints p50, p95 and p99 in milliseconds."""

from __future__ import annotations

import argparse
import os
import time

import requests

from bot.nlu.evaluation import load_examples
from bot.rasa.token import token_params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--token", default=os.environ.get("RASA_API_TOKEN"))
    args = parser.parse_args()
    texts = [text for lang in ("en", "es") for text, _, _ in load_examples(lang)]
    http = requests.Session()
    http.params = token_params(args.token)
    for text in texts[:20]:  # warm-up: first calls pay for TensorFlow's graph tracing
        http.post(f"{args.url}/model/parse", json={"text": text}, timeout=10).raise_for_status()
    latencies = []
    for i in range(args.count):
        started = time.perf_counter()
        response = http.post(
            f"{args.url}/model/parse", json={"text": texts[i % len(texts)]}, timeout=10
        )
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    latencies.sort()

    def pct(share: float) -> float:
        return latencies[min(int(share * len(latencies)), len(latencies) - 1)]

    print(f"/model/parse x {args.count} (sequential, held-out texts, en and es)")
    print(f"p50 {pct(0.50):.1f} ms   p95 {pct(0.95):.1f} ms   p99 {pct(0.99):.1f} ms")


if __name__ == "__main__":
    main()
