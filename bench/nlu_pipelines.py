"""Chooses the NLU pipeline by measurement: trains each candidate in bench/pipelines/ on nlu_data/
and scores it on the held-out set (tests/nlu/); also one model per language, and the
FallbackClassifier threshold swept on the chosen pipeline.

    .venv/bin/python bench/nlu_pipelines.py [--only NAME ...] [--per-language NAME]

The threshold sweep runs on the project's current model (config.yml), trained if needed.

Takes a few minutes per candidate on two cores. Results go into docs/nlu.md by hand."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.nlu_evaluation import FALLBACK, _macro_f1, evaluate, load_examples, predict
from bot.training import PROJECT, ensure_model

CANDIDATES = Path(__file__).with_name("pipelines")
SHARED_DATA = ("schools.yml", "programs.yml")


def train_nlu(config: Path, data_dir: Path, out: Path) -> tuple[Path, float]:
    rasa = Path(sys.executable).with_name("rasa")
    started = time.perf_counter()
    subprocess.run(
        [str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(data_dir),
         "--out", str(out), "--fixed-model-name", config.stem],
        check=True, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return out / f"{config.stem}.tar.gz", time.perf_counter() - started


def data_for(languages: tuple[str, ...], work: Path) -> Path:
    folder = work / f"data-{'-'.join(languages)}"
    folder.mkdir()
    for name in SHARED_DATA:
        shutil.copy(PROJECT / "nlu_data" / name, folder / name)
    for language in languages:
        shutil.copy(PROJECT / "nlu_data" / language / "nlu.yml", folder / f"{language}.yml")
    return folder


def threshold(config: Path) -> float:
    from bot.nlu_evaluation import fallback_threshold

    return fallback_threshold(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--per-language", default="a_words_chars2-4", help="'' to skip")
    args = parser.parse_args()
    configs = sorted(CANDIDATES.glob("*.yml"))
    if args.only:
        configs = [c for c in configs if c.stem in args.only]
    print(f"{'pipeline':<28}{'train s':>8}{'en F1':>8}{'es F1':>8}{'en fb':>7}{'es fb':>7}"
          f"{'en ent':>8}{'es ent':>8}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        both = data_for(("en", "es"), work)
        for config in configs:
            model, seconds = train_nlu(config, both, work / "models")
            s = evaluate(model, threshold(config))
            print(f"{config.stem:<28}{seconds:>8.0f}{s['en'].macro_f1:>8.3f}{s['es'].macro_f1:>8.3f}"
                  f"{s['en'].fallback_rate:>7.3f}{s['es'].fallback_rate:>7.3f}"
                  f"{s['en'].entity_f1:>8.3f}{s['es'].entity_f1:>8.3f}", flush=True)  # fmt: skip
        if args.per_language:
            config = CANDIDATES / f"{args.per_language}.yml"
            row = {}
            for language in ("en", "es"):
                data = data_for((language,), work)
                model, seconds = train_nlu(config, data, work / f"models-{language}")
                row[language] = (evaluate(model, threshold(config), (language,))[language], seconds)
            print(f"{config.stem + ' per-language':<28}{row['en'][1] + row['es'][1]:>8.0f}"
                  f"{row['en'][0].macro_f1:>8.3f}{row['es'][0].macro_f1:>8.3f}"
                  f"{row['en'][0].fallback_rate:>7.3f}{row['es'][0].fallback_rate:>7.3f}"
                  f"{row['en'][0].entity_f1:>8.3f}{row['es'][0].entity_f1:>8.3f}")  # fmt: skip
    model = ensure_model()
    print(f"\nFallbackClassifier threshold on {model.name} (macro-F1 / fallback rate)")
    predictions = {lang: predict(model, load_examples(lang)) for lang in ("en", "es")}
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        cells = []
        for lang, preds in predictions.items():
            acted = [p.behaves_as(t) for p in preds]
            f1 = _macro_f1([p.intent for p in preds], acted)
            rate = sum(a == FALLBACK for a in acted) / len(acted)
            cells.append(f"{lang} {f1:.3f} / {rate:.3f}")
        print(f"  {t:.1f}: " + "   ".join(cells))


if __name__ == "__main__":
    main()
