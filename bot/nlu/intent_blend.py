"""Two readings of a message's intent made one: DIET's and a logistic regression's.

DIET without transformer layers (config.yml) and a logistic regression over the same word and
character features disagree on different messages: DIET is sure of the phrasings it trained on
and unsure of new ones, the regression spreads its confidence more evenly. Averaged, fewer new
phrasings fall under the FallbackClassifier's threshold and fewer are misread (docs/nlu.md,
"Two classifiers, one reading"). Pure, so it is tested without Rasa; bot/rasa/intent_blend_step.py
runs it inside the Rasa server's pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# Equal weight: no reason to trust either more, and a weight tuned on the held-out sets would
# flatter them.
DEFAULT_WEIGHT = 0.5


def blend(
    diet_ranking: Sequence[Mapping], regression: Iterable[tuple[str, float]], weight: float
) -> list[dict]:
    """The intent ranking, best first: (1 - weight) × DIET's confidence + weight × the
    regression's probability. An intent missing from DIET's ranking (which keeps only its top
    readings) counts as 0 there."""
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, not {weight}")
    scores: dict[str, float] = {}
    for reading in diet_ranking:
        scores[reading["name"]] = (1.0 - weight) * float(reading.get("confidence") or 0.0)
    for name, probability in regression:
        scores[name] = scores.get(name, 0.0) + weight * float(probability)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [{"name": name, "confidence": confidence} for name, confidence in ranked]
