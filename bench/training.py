"""How long `bot train` takes from an empty models/ folder, and how well the model it makes reads
every held-out set: the figures behind "training in minutes" (docs/nlu.md).

    .venv-rasa/bin/python -m bench.training [--runs 1]

Each run trains the whole model (NLU and dialogue, exactly as `bot train` does) into a new empty
folder, with Rasa's training cache empty too (RASA_CACHE_DIRECTORY: a warm cache restores every
component and a run then takes seconds), then prints the seconds and macro-F1 per language on each
held-out set."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bot.nlu.evaluation import HELD_OUT_SETS, evaluate, load_agent
from bot.nlu.training import ensure_model
from bot.rasa.project import fallback_threshold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as cache:
            os.environ["RASA_CACHE_DIRECTORY"] = cache  # read by the `rasa train` subprocess
            started = time.perf_counter()
            model = ensure_model(models_dir=Path(tmp))
            seconds = time.perf_counter() - started
            print(f"run {run}: bot train from an empty models/ took {seconds:.0f} s", flush=True)
            agent = load_agent(model)
            for name, folder in HELD_OUT_SETS.items():
                scores = evaluate(agent, fallback_threshold(), folder=folder)
                figures = "  ".join(f"{lang} {s.macro_f1:.3f}" for lang, s in scores.items())
                print(f"  macro-F1 on the {name} set: {figures}", flush=True)


if __name__ == "__main__":
    main()
