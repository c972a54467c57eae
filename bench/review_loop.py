"""The review loop's two waits: from "Train a new model" to a model ready to use, and the switch
of a running Rasa server to it (docs/review-loop.md; targets: six minutes and thirty seconds).

    .venv/bin/python -m bench.review_loop train [--cold]
    .venv/bin/python -m bench.review_loop switch [--url http://127.0.0.1:5005] [--threads 4]
        [--per-second N] [--models models]

`train` runs the worker's training (bot/review_training.run_training) on a scratch SQLite database
with three staff corrections and prints the seconds of each step: training, the new model's
readings of the held-out sets, the live model's (cached beside it after the first training or
`make nlu-eval`; --cold reads them again). `switch` needs the line running (`make run`): it copies
the model the server has to a new file and asks the server to load it, first through the
family_line channel's switch (the one the Training page uses), then through Rasa's own PUT /model,
while threads keep asking it to read messages (as fast as it answers, or --per-second readings a
second in all, as families texting would); it prints how long each switch took and how many
readings were answered, failed or slow meanwhile."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import requests


def train(cold: bool) -> None:
    from bot.config import load_settings
    from bot.db import engine_for, session_factory
    from bot.directory.seed import seed_database
    from bot.migrate import upgrade
    from bot.models import Contact, Conversation, Message, NluCorrection
    from bot.nlu import readings, review_training

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        url = f"sqlite:///{home / 'bench.db'}"
        upgrade(url)
        sessions = session_factory(engine_for(url))
        settings = load_settings({"DATABASE_URL": url, "VAR_DIR": str(home)}, dotenv_path=None)
        live = review_training.project_model()
        if cold:
            readings.readings_path(live).unlink(missing_ok=True)
        with sessions() as session:
            seed_database(session)
            conversation = Conversation(contact=Contact(phone="+13235550100"), channel="sms")
            for body, intent, language in (
                ("oiga y lo de los sabados pa papas q dia empieza", "ask_parent_college", "es"),
                ("se puede llevar a los niños chiquitos al taller", "ask_parent_college", "es"),
                ("who do i call my kid threw up this morning", "report_absence", "en"),
            ):
                message = Message(conversation=conversation, channel="sms", direction="in",
                                  sender="family", body=body, intent="nlu_fallback")  # fmt: skip
                session.add(NluCorrection(message=message, intent=intent, language=language))
            training = review_training.request_training(session, None)
            session.commit()
            started = time.perf_counter()
            done = review_training.run_training(session, settings, training.id)
            total = time.perf_counter() - started
            if done.status != "ready":
                raise SystemExit(f"training failed: {done.error}")
            seconds, figures = done.figures["seconds"], done.figures
        print(f"training (rasa train, NLU and dialogue): {seconds['training']} s")
        print(f"both models reading the held-out sets:   {seconds['reading']} s"
              f"{' (live model read again: --cold)' if cold else ''}")  # fmt: skip
        print(f"from 'Train a new model' to ready:       {total:.0f} s")
        for name, languages in figures["sets"].items():
            cells = "  ".join(
                f"{lang} {s['live']:.3f} -> {s['new']:.3f}" for lang, s in languages.items()
            )
            print(f"  {name}: {cells}")


def switch(url: str, threads: int, models: Path, per_second: float) -> None:
    load = f"{per_second:g} readings a second" if per_second else "as fast as answered"
    print(f"{threads} threads asking for readings, {load}")
    for way in ("channel", "rasa"):
        took, answered, failed, slowest = _switch_once(url, threads, models, way, per_second)
        name = (
            "the channel's switch (POST /webhooks/family_line/model)"
            if way == "channel"
            else ("Rasa's PUT /model")
        )
        print(f"{name}: {took:.1f} s; meanwhile {threads} threads had {answered} readings "
              f"answered, {failed} failed, the slowest in {slowest:.1f} s")  # fmt: skip


def _switch_once(
    url: str, threads: int, models: Path, way: str, per_second: float
) -> tuple[float, int, int, float]:
    from bot.config import load_settings
    from bot.nlu.model_switch import SWITCH_PATH
    from bot.rasa.token import token_params

    token = token_params(load_settings().rasa_api_token)
    status = requests.get(f"{url}/status", params=token, timeout=5).json()
    serving = models / status["model_file"]  # Rasa names the file, not its folder
    copy = serving.with_name(f"bench-switch-{way}.tar.gz")
    shutil.copyfile(serving, copy)
    answered, failed, slowest = [0], [0], [0.0]
    stop = threading.Event()

    def reader() -> None:
        http = requests.Session()
        http.params = token
        while not stop.is_set():
            began = time.perf_counter()
            try:
                http.post(f"{url}/model/parse", json={"text": "cuando son las clases"},
                          timeout=60).raise_for_status()  # fmt: skip
                answered[0] += 1
            except requests.RequestException:
                failed[0] += 1
            took = time.perf_counter() - began
            slowest[0] = max(slowest[0], took)
            if per_second:  # each thread its share of the rate
                stop.wait(max(0.0, threads / per_second - took))

    def load(model: Path) -> requests.Response:
        if way == "rasa":
            return requests.put(
                f"{url}/model", params=token, json={"model_file": str(model)}, timeout=120
            )
        return requests.post(
            f"{url}{SWITCH_PATH}", params=token, json={"model_file": str(model)}, timeout=120
        )

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(2)
    started = time.perf_counter()
    try:
        load(copy).raise_for_status()
        took = time.perf_counter() - started
        time.sleep(1)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        load(serving)
        copy.unlink(missing_ok=True)
    return took, answered[0], failed[0], slowest[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cold = commands.add_parser("train")
    cold.add_argument("--cold", action="store_true")
    running = commands.add_parser("switch")
    running.add_argument("--url", default="http://127.0.0.1:5005")
    running.add_argument("--threads", type=int, default=4)
    running.add_argument("--per-second", type=float, default=0.0, help="0: as fast as answered")
    running.add_argument("--models", type=Path, default=Path("models"), help="the model's folder")
    args = parser.parse_args()
    if args.command == "train":
        train(args.cold)
    else:
        switch(args.url, args.threads, args.models, args.per_second)


if __name__ == "__main__":
    main()
