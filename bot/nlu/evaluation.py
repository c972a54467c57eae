"""How well the NLU model reads families' messages, measured on held-out sets it never trained on.

Three sets, each made a different way (docs/nlu.md), so that one way of writing cannot flatter
the model: `written` (tests/nlu/, by separate authors), `independent` (tests/nlu/independent/, by
an author who never read the training data, intent labels only) and `generated`
(tests/nlu/generated/, crossed from templates by scripts/nlu_generated_set.py, intent labels
only). Used by `make nlu-eval` (which fails under a floor), `make nlu-cv` (cross-validation) and
bench/nlu_pipelines.py (which compares pipelines). Rasa is imported only when a model is
evaluated."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.nlu.training import PROJECT
from bot.text.languages import LANGUAGES

HELD_OUT = PROJECT / "tests" / "nlu"
HELD_OUT_SETS = {
    "written": HELD_OUT,
    "independent": HELD_OUT / "independent",
    "generated": HELD_OUT / "generated",
}
FALLBACK = "nlu_fallback"
# Intents a misreading between which changes or misreports a family's seat: none may be taken for
# another (shared/intents.md).
SEAT_INTENTS = ("register_parent_college", "cancel_registration", "check_registration")


@dataclass
class Prediction:
    text: str
    intent: str  # the true label
    predicted: str  # the best intent other than nlu_fallback
    confidence: float
    entities: set[tuple[str, str]]  # true (entity, value) pairs
    predicted_entities: set[tuple[str, str]]
    ranking: list[dict] = field(default_factory=list)  # the model's readings, best first
    # The FallbackClassifier fell back on two readings too close to choose ("ambiguity
    # threshold"), whatever the threshold: the bot asks "Did you mean…?" (torn_between_two).
    torn: bool = False

    def behaves_as(self, threshold: float) -> str:
        """What the bot acts on: nlu_fallback below the FallbackClassifier threshold, or where
        it could not choose between two readings."""
        return self.predicted if self.confidence >= threshold and not self.torn else FALLBACK


def torn_between_two(parsed: dict) -> bool:
    """The model's final reading is a fallback although a reading stands at or above the
    fallback's own confidence: the FallbackClassifier, which gives its fallback its threshold as
    confidence, fell back because the two best readings were too close. A sign-up or cancel
    there is the did-you-mean guard's to count (asked first), as when it asks itself."""
    from bot.nlu.intent_guard import DATA_CHANGING

    intent = parsed.get("intent") or {}
    readings = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
    return (
        intent.get("name") == FALLBACK
        and bool(readings)
        and readings[0]["confidence"] >= float(intent.get("confidence") or 0.0)
        and readings[0]["name"] not in DATA_CHANGING
    )


@dataclass
class LanguageScore:
    language: str
    examples: int
    accuracy: float
    macro_f1: float
    fallback_rate: float
    entity_f1: float | None  # None for a set labelled with intents only
    confused: list[tuple[str, str, int]] = field(default_factory=list)
    # Misreadings among sign-up, cancel and check (SEAT_INTENTS), as the model read them.
    seat_confusions: list[tuple[str, str, int]] = field(default_factory=list)
    # Of those, how many the did-you-mean guard (bot/nlu/intent_guard.py) asks about before acting.
    seat_confusions_asked: int = 0
    # Messages truly meaning sign-up or cancel that the guard asks about first (a small cost).
    asked_first_rate: float = 0.0


def load_examples(language: str, folder: Path = HELD_OUT) -> list[tuple[str, str, set]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(folder / f"{language}.yml"))
    return [
        (message.get("text"), message.get("intent"), _entity_pairs(message.get("entities", [])))
        for message in data.intent_examples
    ]


def _entity_pairs(entities: list[dict]) -> set[tuple[str, str]]:
    return {(e["entity"], str(e.get("value", e.get("text")))) for e in entities}


def _quiet_rasa() -> None:
    # Rasa logs every parse at debug level through structlog; an evaluation prints its own table.
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("rasa").setLevel(logging.WARNING)


def load_agent(model_path: Path):
    from rasa.core.agent import Agent

    _quiet_rasa()
    return Agent.load(str(model_path))


def predict(model_path, examples: list[tuple[str, str, set]]) -> list[Prediction]:
    """The model's readings of `examples`; `model_path` is a model file or an agent already
    loaded (load_agent), so several sets are read without loading the model again."""
    agent = load_agent(model_path) if isinstance(model_path, (str, Path)) else model_path

    async def run() -> list[Prediction]:
        out = []
        for text, intent, entities in examples:
            parsed = await agent.parse_message(text)
            ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
            best = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
            found = _entity_pairs(parsed.get("entities", []))
            out.append(
                Prediction(
                    text, intent, best["name"], best["confidence"], entities, found, ranking[:5],
                    torn=torn_between_two(parsed),
                )
            )  # fmt: skip
        return out

    return asyncio.run(run())


def _macro_f1(truth: list[str], guess: list[str]) -> float:
    labels = sorted(set(truth))
    scores = []
    for label in labels:
        tp = sum(t == label and g == label for t, g in zip(truth, guess, strict=True))
        fp = sum(t != label and g == label for t, g in zip(truth, guess, strict=True))
        fn = sum(t == label and g != label for t, g in zip(truth, guess, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def _entity_f1(predictions: list[Prediction]) -> float:
    tp = sum(len(p.entities & p.predicted_entities) for p in predictions)
    fp = sum(len(p.predicted_entities - p.entities) for p in predictions)
    fn = sum(len(p.entities - p.predicted_entities) for p in predictions)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def score(
    language: str, predictions: list[Prediction], threshold: float, guard: dict | None = None
) -> LanguageScore:
    from bot.nlu.intent_guard import needs_did_you_mean

    guard = guard or {}
    truth = [p.intent for p in predictions]
    acted = [p.behaves_as(threshold) for p in predictions]
    confused = Counter((t, g) for t, g in zip(truth, acted, strict=True) if t != g)
    seat = Counter(
        {(t, g): n for (t, g), n in confused.items() if t in SEAT_INTENTS and g in SEAT_INTENTS}
    )
    asked = [needs_did_you_mean(p.ranking, **guard) for p in predictions]
    seat_asked = sum(
        a for p, g, a in zip(predictions, acted, asked, strict=True)
        if p.intent in SEAT_INTENTS and g in SEAT_INTENTS and g != p.intent
    )  # fmt: skip
    meant_change = [a for p, a in zip(predictions, asked, strict=True)
                    if p.intent in SEAT_INTENTS[:2]]  # fmt: skip
    annotated = any(p.entities for p in predictions)
    return LanguageScore(
        language=language,
        examples=len(predictions),
        accuracy=sum(t == g for t, g in zip(truth, acted, strict=True)) / len(truth),
        macro_f1=_macro_f1(truth, acted),
        fallback_rate=sum(g == FALLBACK for g in acted) / len(acted),
        entity_f1=_entity_f1(predictions) if annotated else None,
        confused=[(t, g, n) for (t, g), n in confused.most_common(5)],
        seat_confusions=[(t, g, n) for (t, g), n in seat.most_common()],
        seat_confusions_asked=seat_asked,
        asked_first_rate=sum(meant_change) / len(meant_change) if meant_change else 0.0,
    )


def evaluate(
    model_path, threshold: float, languages=LANGUAGES, folder: Path = HELD_OUT,
    guard: dict | None = None,
) -> dict[str, LanguageScore]:  # fmt: skip
    agent = load_agent(model_path) if isinstance(model_path, (str, Path)) else model_path
    return {
        language: score(language, predict(agent, load_examples(language, folder)), threshold, guard)
        for language in languages
    }


def format_scores(scores: dict[str, LanguageScore]) -> str:
    lines = [f"{'language':<10}{'n':>5}{'accuracy':>10}{'macro-F1':>10}{'fallback':>10}"
             f"{'entity-F1':>11}{'seat mix-ups':>14}{'asked first':>13}"]  # fmt: skip
    for s in scores.values():
        entity = f"{s.entity_f1:>11.3f}" if s.entity_f1 is not None else f"{'-':>11}"
        mixups = sum(n for _, _, n in s.seat_confusions)
        lines.append(
            f"{s.language:<10}{s.examples:>5}{s.accuracy:>10.3f}{s.macro_f1:>10.3f}"
            f"{s.fallback_rate:>10.3f}{entity}{mixups:>14}{s.asked_first_rate:>13.3f}"
        )
    for s in scores.values():
        pairs = ", ".join(f"{t} -> {g} ({n})" for t, g, n in s.confused) or "none"
        lines.append(f"most confused ({s.language}): {pairs}")
        if s.seat_confusions:
            seat = ", ".join(f"{t} -> {g} ({n})" for t, g, n in s.seat_confusions)
            lines.append(
                f"seat mix-ups ({s.language}): {seat}; the did-you-mean asks first on "
                f"{s.seat_confusions_asked} of them"
            )
    return "\n".join(lines)


# --- before and after: each run's figures, kept to compare the next model with -----------------

HISTORY = PROJECT / "var" / "nlu-eval" / "history.json"
HISTORY_KEEP = 20
# (key in a history entry, how it is printed, True when higher is better)
COMPARED = (
    ("accuracy", "accuracy", True),
    ("macro_f1", "macro-F1", True),
    ("fallback_rate", "fallback", False),
)


def history_entry(model: str, scores: dict[str, LanguageScore], at: str) -> dict:
    """`scores` is keyed by how each line is labelled: "es" for the written set, "independent es"
    for another set."""
    return {
        "model": model,
        "at": at,
        "scores": {
            label: {key: round(getattr(s, key), 4) for key, _, _ in COMPARED}
            for label, s in scores.items()
        },
    }


def load_history(path: Path = HISTORY) -> list[dict]:
    import json

    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return []
    return history if isinstance(history, list) else []


def previous_run(history: list[dict], model: str) -> dict | None:
    """The latest run of another model: the "before" of this one."""
    for entry in reversed(history):
        if isinstance(entry, dict) and entry.get("model") != model and entry.get("scores"):
            return entry
    return None


def save_history(entry: dict, path: Path = HISTORY, keep: int = HISTORY_KEEP) -> list[dict]:
    """Appends this run (replacing a last run of the same model, whose figures are the same) and
    keeps the last `keep` runs."""
    import json

    history = load_history(path)
    if history and history[-1].get("model") == entry["model"]:
        history.pop()
    history = (history + [entry])[-keep:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(history, indent=2) + "\n", encoding="utf-8")
    return history


def format_comparison(current: dict, previous: dict | None) -> str:
    """ "es macro-F1 0.951 → 0.958 (+0.007)" per language and figure; the two entries come from
    history_entry."""
    if previous is None:
        return "before/after: no earlier run of another model to compare with yet."
    lines = [f"before/after: {previous['model']} (evaluated {previous['at']}) → {current['model']}"]
    for language, figures in current["scores"].items():
        before = previous["scores"].get(language)
        if not before:
            continue
        for key, label, higher_is_better in COMPARED:
            if key not in before:
                continue
            old, new = before[key], figures[key]
            change = round(new - old, 3) + 0.0  # + 0.0: no "-0.000"
            verdict = ""
            if change:
                verdict = "  better" if (change > 0) == higher_is_better else "  WORSE"
            lines.append(f"  {language} {label} {old:.3f} → {new:.3f} ({change:+.3f}){verdict}")
    return "\n".join(lines)
