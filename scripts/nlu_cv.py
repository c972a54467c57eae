"""`make nlu-cv`: k-fold cross-validation of the NLU model on its own training data, per language.

The training examples of each language are split into k folds, each intent spread evenly over
them (stratified, fixed seed). For each fold one model is trained, as the line trains it (both
languages, config.yml, the lookup tables and synonyms), on everything but that fold, and read the
held-back fold. Prints each language's macro-F1 per fold and on all folds together, and the
mix-ups among sign-up, cancel and check. Unlike the held-out sets, every training example is
scored once, so a weak intent or language shows even where no held-out author thought of it.

    .venv-rasa/bin/python scripts/nlu_cv.py [--folds 5]"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.nlu.evaluation import (
    Prediction,
    format_scores,
    load_agent,
    predict,
    score,
)
from bot.nlu.training import PROJECT
from bot.rasa.project import fallback_threshold, guard_settings
from bot.rasa.venv import WORKDIR, rasa_program
from bot.text.languages import LANGUAGES

SHARED = ("schools.yml", "programs.yml")  # lookup tables and synonyms: in every fold's training


def _language_data(language: str):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(PROJECT / "nlu_data" / language))


def folds_of(examples: list, k: int, seed: int = 42) -> list[list[int]]:
    """Indices of `examples` in k folds, each intent spread evenly (intents with fewer than k
    examples go wherever the split puts them)."""
    from sklearn.model_selection import StratifiedKFold

    labels = [m.get("intent") for m in examples]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(labels, labels)]


def _write_training(folder: Path, kept: dict[str, list]) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    folder.mkdir(parents=True)
    for name in SHARED:
        shutil.copy(PROJECT / "nlu_data" / name, folder / name)
    for language, examples in kept.items():
        RasaYAMLWriter().dump(folder / f"{language}.yml", TrainingData(examples))


def _train(data: Path, out: Path, name: str) -> Path:
    rasa = rasa_program("rasa")
    subprocess.run(
        [rasa, "train", "nlu", "--config", str(PROJECT / "config.yml"), "--nlu", str(data),
         "--out", str(out), "--fixed-model-name", name],
        check=True, cwd=WORKDIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return out / f"{name}.tar.gz"


def _as_examples(messages: list) -> list[tuple[str, str, set]]:
    """(text, intent, entity pairs), as bot.nlu.evaluation.predict reads them."""
    examples = []
    for message in messages:
        entities = {(e["entity"], str(e.get("value"))) for e in message.get("entities", [])}
        examples.append((message.get("text"), message.get("intent"), entities))
    return examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    threshold, guard = fallback_threshold(), guard_settings()
    data = {lang: _language_data(lang).intent_examples for lang in LANGUAGES}
    folds = {lang: folds_of(data[lang], args.folds) for lang in LANGUAGES}
    read: dict[str, list[Prediction]] = {lang: [] for lang in LANGUAGES}
    print(f"{args.folds}-fold cross-validation, one model per fold on both languages")
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(args.folds):
            started = time.perf_counter()
            held = {lang: set(folds[lang][fold]) for lang in LANGUAGES}
            kept = {
                lang: [m for i, m in enumerate(data[lang]) if i not in held[lang]]
                for lang in LANGUAGES
            }
            work = Path(tmp) / f"fold-{fold}"
            _write_training(work / "data", kept)
            agent = load_agent(_train(work / "data", work, f"fold-{fold}"))
            cells = []
            for lang in LANGUAGES:
                examples = _as_examples([data[lang][i] for i in sorted(held[lang])])
                predictions = predict(agent, examples)
                read[lang] += predictions
                cells.append(f"{lang} {score(lang, predictions, threshold, guard).macro_f1:.3f}")
            seconds = time.perf_counter() - started
            print(f"fold {fold + 1}: " + "  ".join(cells) + f"  ({seconds:.0f} s)", flush=True)
    scores = {lang: score(lang, read[lang], threshold, guard) for lang in LANGUAGES}
    print("\nall folds together")
    print(format_scores(scores))
    print(sweep(read, guard))
    return 0


def sweep(read: dict[str, list[Prediction]], guard: dict) -> str:
    """What other FallbackClassifier and guard thresholds would give on the same readings: the
    figures config.yml's thresholds are chosen by (docs/nlu.md), rather than by a held-out set."""
    lines = ["\nFallbackClassifier threshold: macro-F1 / fallback rate per language"]
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        cells = []
        for lang, predictions in read.items():
            s = score(lang, predictions, threshold, guard)
            cells.append(f"{lang} {s.macro_f1:.3f} / {s.fallback_rate:.3f}")
        lines.append(f"  {threshold:.1f}: " + "   ".join(cells))
    lines.append("did-you-mean guard threshold: sign-up/cancel messages asked first; seat mix-ups "
                 "left unasked")  # fmt: skip
    for cut in (0.5, 0.6, 0.7, 0.8, 0.9):
        cells = []
        for lang, predictions in read.items():
            s = score(lang, predictions, fallback_threshold(), {**guard, "threshold": cut})
            unasked = sum(n for _, _, n in s.seat_confusions) - s.seat_confusions_asked
            cells.append(f"{lang} {s.asked_first_rate:.3f}; {unasked}")
        lines.append(f"  {cut:.1f}: " + "   ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
