"""What a model would act on for every held-out message, as JSON for bot/nlu/review_figures.py.

    python -m bot.nlu.readings MODEL OUT.json

Run by the worker (bot/nlu/review_training.py) in Rasa's own environment (.venv-rasa), in its own
process: loading a model takes a Rasa interpreter and a gigabyte, which the worker gives back
when the process ends. The app imports this module for its cache's file name only."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from bot.nlu.evaluation import (
    HELD_OUT,
    HELD_OUT_SETS,
    Prediction,
    load_agent,
    load_examples,
    predict,
)
from bot.rasa.project import fallback_threshold
from bot.text.languages import LANGUAGES


def held_out_digest() -> str:
    """Readings depend on the held-out sets as well as the model: a cached reading of an older
    set must not be compared with a new one."""
    digest = hashlib.sha256()
    for path in sorted(HELD_OUT.rglob("*.yml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def readings_path(model: Path) -> Path:
    return model.with_name(
        f"{model.name.removesuffix('.tar.gz')}.readings-{held_out_digest()}.json"
    )


def rows(predictions: list[Prediction], threshold: float) -> list[list[str]]:
    return [[p.text, p.intent, p.behaves_as(threshold)] for p in predictions]


def readings(model: Path) -> dict:
    agent = load_agent(model)
    threshold = fallback_threshold()
    return {
        name: {
            language: rows(predict(agent, load_examples(language, folder)), threshold)
            for language in LANGUAGES
        }
        for name, folder in HELD_OUT_SETS.items()
    }


def save(found: dict, out: Path) -> None:
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
    partial.replace(out)  # a reader never sees half a file


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bot.nlu.readings MODEL OUT.json", file=sys.stderr)
        return 2
    model, out = Path(argv[0]), Path(argv[1])
    save(readings(model), out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
