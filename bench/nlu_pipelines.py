"""Chooses the NLU pipeline by measurement: trains each candidate in bench/pipelines/ on nlu_data/
(NLU only, one model for both languages) and scores it on every held-out set
(bot/nlu/evaluation.py): written, independent and generated.

    .venv-rasa/bin/python -m bench.nlu_pipelines [--only NAME ...]

Prints, per candidate, the training time (a whole `rasa train nlu`), macro-F1 per language on each
set, the sign-up/cancel/check mix-ups over all sets and entity F1 on the written set. Takes one to
nine minutes per candidate on two cores. Results go into docs/nlu.md by hand."""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bot.nlu.evaluation import HELD_OUT_SETS, evaluate, load_agent
from bot.nlu.training import PROJECT
from bot.rasa.project import fallback_threshold
from bot.rasa.venv import WORKDIR, rasa_program

CANDIDATES = Path(__file__).with_name("pipelines")


def train_nlu(config: Path, out: Path) -> tuple[Path, float]:
    rasa = rasa_program("rasa")
    # An empty training cache for each: candidates sharing featurizers or a DIET would otherwise
    # restore them from the one before, and their seconds would not compare.
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        subprocess.run(
            [rasa, "train", "nlu", "--config", str(config), "--nlu", str(PROJECT / "nlu_data"),
             "--out", str(out), "--fixed-model-name", config.stem],
            check=True, cwd=WORKDIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, RASA_CACHE_DIRECTORY=cache),
        )  # fmt: skip
        seconds = time.perf_counter() - started
    return out / f"{config.stem}.tar.gz", seconds


def header() -> str:
    labels = [f"{name[:5]} {lang}" for name in HELD_OUT_SETS for lang in ("en", "es")]
    cells = "".join(f"{label:>10}" for label in labels)
    return f"{'pipeline':<32}{'train s':>8}{cells}{'seat mix-ups':>14}{'entity F1 en/es':>17}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    configs = sorted(CANDIDATES.glob("*.yml"))
    if args.only:
        configs = [c for c in configs if c.stem in args.only]
    print(header(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for config in configs:
            model, seconds = train_nlu(config, Path(tmp))
            agent = load_agent(model)
            cells, mixups, entities = "", 0, ""
            for folder in HELD_OUT_SETS.values():
                scores = evaluate(agent, fallback_threshold(config), folder=folder)
                for lang in ("en", "es"):
                    cells += f"{scores[lang].macro_f1:>10.3f}"
                    mixups += sum(n for _, _, n in scores[lang].seat_confusions)
                    if scores[lang].entity_f1 is not None:  # the written set is annotated
                        entities += f"{'/' if entities else ''}{scores[lang].entity_f1:.3f}"
            print(f"{config.stem:<32}{seconds:>8.0f}{cells}{mixups:>14}{entities:>17}", flush=True)


if __name__ == "__main__":
    main()
