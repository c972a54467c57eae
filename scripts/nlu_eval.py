"""`make nlu-eval`: the current model on every held-out set (bot/nlu/evaluation.py), per language.

Prints, per set and language, accuracy, macro-F1 (a message the bot would answer with "didn't get
that" counts as a miss), the fallback rate, entity F1 (on the set that marks entities), the
mix-ups among sign-up, cancel and check, and how often the did-you-mean guard asks first; then the
same figures for the last other model evaluated (var/nlu-eval/history.json) and the difference, so
a retrained model shows its before and after. Exits 1 when, on any set, a language's macro-F1 is
under --floor, Spanish trails English by more than --max-gap, or sign-up, cancel and check are
mixed up more than --max-seat-mixups times."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from bot.nlu.evaluation import (
    HELD_OUT_SETS,
    LanguageScore,
    format_comparison,
    format_scores,
    history_entry,
    load_agent,
    load_examples,
    load_history,
    predict,
    previous_run,
    save_history,
    score,
)
from bot.nlu.readings import readings_path, rows, save
from bot.nlu.training import PROJECT, ensure_model
from bot.rasa.project import fallback_threshold, guard_settings
from bot.text.languages import LANGUAGES


def failures_of(
    name: str, scores: dict[str, LanguageScore], floor: float, max_gap: float, max_mixups: int
) -> list[str]:
    found = [
        f"{name} {s.language} macro-F1 {s.macro_f1:.3f} is under the floor {floor}"
        for s in scores.values()
        if s.macro_f1 < floor
    ]
    gap = scores["en"].macro_f1 - scores["es"].macro_f1
    if gap > max_gap:
        found.append(f"{name}: Spanish trails English by {gap:.3f} (allowed {max_gap})")
    for s in scores.values():
        mixups = sum(n for _, _, n in s.seat_confusions)
        if mixups > max_mixups:
            found.append(
                f"{name} {s.language}: sign-up, cancel and check mixed up {mixups} times "
                f"(allowed {max_mixups})"
            )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=0.0)
    parser.add_argument("--max-gap", type=float, default=1.0)
    parser.add_argument("--max-seat-mixups", type=int, default=1_000_000)
    parser.add_argument("--sets", nargs="*", default=list(HELD_OUT_SETS))
    args = parser.parse_args()

    model = ensure_model()
    threshold = fallback_threshold()
    guard = guard_settings()
    print(f"model: {model.name}, fallback threshold {threshold}, did-you-mean guard {guard}")
    agent = load_agent(model)
    labelled: dict[str, LanguageScore] = {}
    failures: list[str] = []
    readings: dict[str, dict] = {}
    for name in args.sets:
        predictions = {
            language: predict(agent, load_examples(language, HELD_OUT_SETS[name]))
            for language in LANGUAGES
        }
        scores = {lang: score(lang, found, threshold, guard) for lang, found in predictions.items()}
        readings[name] = {lang: rows(found, threshold) for lang, found in predictions.items()}
        print(f"\n== {name} set ({HELD_OUT_SETS[name].relative_to(PROJECT)})")
        print(format_scores(scores))
        for language, s in scores.items():
            labelled[language if name == "written" else f"{name} {language}"] = s
        failures += failures_of(name, scores, args.floor, args.max_gap, args.max_seat_mixups)
    model_name = model.name.removesuffix(".tar.gz")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = history_entry(model_name, labelled, now)
    print()
    print(format_comparison(entry, previous_run(load_history(), model_name)))
    save_history(entry)
    if set(args.sets) == set(HELD_OUT_SETS):
        # The Training page compares a new model with the live one on these same readings:
        # kept beside the model, its first training need not read every set again.
        save(readings, readings_path(model))
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
