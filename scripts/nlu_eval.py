"""`make nlu-eval`: the current model on the held-out set (tests/nlu/), per language.

Prints accuracy, macro-F1 (a message the bot would answer with "didn't get that" counts as a miss),
the fallback rate, entity F1 and the most confused intent pairs, then the same figures for the
last other model evaluated (var/nlu-eval/history.json) and the difference, so a retrained model
(after `bot nlu corrections` and `bot train`) shows its before and after. Exits 1 when a
language's macro-F1 is under --floor or Spanish trails English by more than --max-gap."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from bot.nlu_evaluation import (
    evaluate,
    fallback_threshold,
    format_comparison,
    format_scores,
    history_entry,
    load_history,
    previous_run,
    save_history,
)
from bot.training import ensure_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=float, default=0.0)
    parser.add_argument("--max-gap", type=float, default=1.0)
    args = parser.parse_args()

    model = ensure_model()
    threshold = fallback_threshold()
    print(f"model: {model.name}, fallback threshold {threshold}")
    scores = evaluate(model, threshold)
    print(format_scores(scores))
    model_name = model.name.removesuffix(".tar.gz")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    entry = history_entry(model_name, scores, now)
    print(format_comparison(entry, previous_run(load_history(), model_name)))
    save_history(entry)
    failures = [
        f"{s.language} macro-F1 {s.macro_f1:.3f} is under the floor {args.floor}"
        for s in scores.values()
        if s.macro_f1 < args.floor
    ]
    gap = scores["en"].macro_f1 - scores["es"].macro_f1
    if gap > args.max_gap:
        failures.append(f"Spanish trails English by {gap:.3f} (allowed {args.max_gap})")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
