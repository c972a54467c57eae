"""A model trained from the console against the live one, on the held-out sets: what staff read
before they choose "Use this model" (console/training.py, GET /api/nlu/trainings/<id>).

Readings are what each model would act on for every held-out message ({set: {language: [[text,
true intent, reading], ...]}}, written by bot/nlu/readings.py); from two of them come per-language
macro-F1 on each set, the intents that got better or worse, and the messages whose reading
changed. Pure: no Rasa here."""

from __future__ import annotations

from collections import defaultdict

# An intent's F1 must move by at least this much to be listed as better or worse: smaller moves
# are one message in a hundred, noise that would only make staff worry.
NOTICEABLE = 0.02
CHANGED_SHOWN = 200  # messages whose reading changed, listed on the page


def intent_f1(rows: list[list[str]]) -> dict[str, float]:
    """F1 of each true intent; a "didn't get that" (nlu_fallback) counts as a miss, as
    `make nlu-eval` counts it."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for _, truth, reading in rows:
        if truth == reading:
            found[truth][0] += 1
        else:
            found[truth][2] += 1
            found[reading][1] += 1
    scores = {}
    for intent in {truth for _, truth, _ in rows}:
        tp, fp, fn = found[intent]
        scores[intent] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def macro_f1(rows: list[list[str]]) -> float:
    scores = intent_f1(rows)
    return sum(scores.values()) / len(scores) if scores else 0.0


def compare(live: dict, new: dict) -> dict:
    """The figures of `new` against `live`, both readings of the same held-out sets."""
    sets: dict[str, dict] = {}
    changed: list[dict] = []
    together: dict[str, dict[str, list]] = defaultdict(lambda: {"live": [], "new": []})
    for name, languages in new.items():
        for language, new_rows in languages.items():
            live_rows = live.get(name, {}).get(language, [])
            sets.setdefault(name, {})[language] = {
                "messages": len(new_rows),
                "live": round(macro_f1(live_rows), 3) if live_rows else None,
                "new": round(macro_f1(new_rows), 3),
            }
            together[language]["live"] += live_rows
            together[language]["new"] += new_rows
            was = {text: reading for text, _, reading in live_rows}
            for text, truth, reading in new_rows:
                if text in was and was[text] != reading:
                    changed.append(
                        {"set": name, "language": language, "text": text, "truth": truth,
                         "live": was[text], "new": reading}
                    )  # fmt: skip
    better, worse = [], []
    for language, rows in sorted(together.items()):
        before, after = intent_f1(rows["live"]), intent_f1(rows["new"])
        for intent in sorted(after):
            if intent not in before:
                continue
            move = {"intent": intent, "language": language,
                    "live": round(before[intent], 3), "new": round(after[intent], 3)}  # fmt: skip
            if after[intent] - before[intent] >= NOTICEABLE:
                better.append(move)
            elif before[intent] - after[intent] >= NOTICEABLE:
                worse.append(move)
    # Fixed first, then newly wrong, then wrong both ways: what staff most want to see.
    changed.sort(key=lambda c: (c["new"] != c["truth"], c["live"] != c["truth"]))
    return {
        "sets": sets,
        "better": sorted(better, key=lambda m: m["live"] - m["new"]),
        "worse": sorted(worse, key=lambda m: m["new"] - m["live"]),
        "changed": changed[:CHANGED_SHOWN],
        "changed_count": len(changed),
        "fixed": sum(c["new"] == c["truth"] for c in changed),
        "broken": sum(c["live"] == c["truth"] for c in changed),
    }
