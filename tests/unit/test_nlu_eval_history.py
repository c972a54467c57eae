"""`make nlu-eval` keeps each run's figures and prints the last other model's next to the current
ones: the before and after of a retraining. No model is trained or loaded here."""

from __future__ import annotations

import json

from bot.nlu.evaluation import (
    LanguageScore,
    format_comparison,
    history_entry,
    load_history,
    previous_run,
    save_history,
)


def _scores(en_f1: float, es_f1: float, es_fallback: float = 0.05) -> dict[str, LanguageScore]:
    return {
        "en": LanguageScore("en", 120, 0.96, en_f1, 0.04, 0.9),
        "es": LanguageScore("es", 130, 0.95, es_f1, es_fallback, 0.9),
    }


def test_the_comparison_shows_before_after_and_the_difference():
    before = history_entry("family-line-aaaa", _scores(0.962, 0.951, 0.05), "2026-03-01 10:00 UTC")
    after = history_entry("family-line-bbbb", _scores(0.962, 0.958, 0.061), "2026-03-02 10:00 UTC")

    text = format_comparison(after, before)

    assert text.splitlines()[0] == (
        "before/after: family-line-aaaa (evaluated 2026-03-01 10:00 UTC) → family-line-bbbb"
    )
    assert "  es macro-F1 0.951 → 0.958 (+0.007)  better" in text
    assert "  en macro-F1 0.962 → 0.962 (+0.000)" in text.splitlines()
    # A higher fallback rate is worse.
    assert "  es fallback 0.050 → 0.061 (+0.011)  WORSE" in text


def test_without_an_earlier_model_it_says_so():
    entry = history_entry("family-line-aaaa", _scores(0.9, 0.9), "now")
    assert "no earlier run" in format_comparison(entry, None)


def test_history_keeps_the_last_20_runs_and_one_per_model_in_a_row(tmp_path):
    path = tmp_path / "nlu-eval" / "history.json"
    for n in range(25):
        save_history(history_entry(f"model-{n}", _scores(0.9, 0.9), f"t{n}"), path)
    save_history(history_entry("model-24", _scores(0.95, 0.95), "t25"), path)

    history = load_history(path)

    assert [e["model"] for e in history] == [f"model-{n}" for n in range(5, 25)]
    assert history[-1]["at"] == "t25"
    assert json.loads(path.read_text())[-1]["scores"]["es"]["macro_f1"] == 0.95


def test_the_before_is_the_latest_run_of_another_model(tmp_path):
    path = tmp_path / "history.json"
    for name in ("old", "previous", "current"):
        save_history(history_entry(name, _scores(0.9, 0.9), name), path)
    history = load_history(path)
    assert previous_run(history, "current")["model"] == "previous"
    assert previous_run(history, "new")["model"] == "current"
    assert previous_run([], "current") is None


def test_an_unreadable_history_starts_again(tmp_path):
    path = tmp_path / "history.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_history(path) == []
    save_history(history_entry("m", _scores(0.9, 0.9), "t"), path)
    assert [e["model"] for e in load_history(path)] == ["m"]
