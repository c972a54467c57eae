"""When the model's reading of a message is not sure enough to change a family's data.

Signing up and cancelling change what the Partnership holds about a family. A message read as one
of them with a confidence under `threshold`, or where sign-up and cancel are the two likeliest
readings within `margin` of each other ("ya no sé si me inscribí"), is not acted on: the bot asks
"Did you mean…?" with both choices instead (actions/clarify.py). Pure, so it is tested without
Rasa; bot/rasa/intent_guard_step.py runs it inside the Rasa server's pipeline."""

from __future__ import annotations

from collections.abc import Sequence

DATA_CHANGING = ("register_parent_college", "cancel_registration")
DEFAULT_THRESHOLD = 0.8
DEFAULT_MARGIN = 0.3


def needs_did_you_mean(
    ranking: Sequence[dict],
    threshold: float = DEFAULT_THRESHOLD,
    margin: float = DEFAULT_MARGIN,
    guarded: Sequence[str] = DATA_CHANGING,
) -> bool:
    """True when the top intent of `ranking` (Rasa's intent_ranking, best first) changes data and
    is too unsure to act on."""
    if not ranking:
        return False
    top = ranking[0]
    if top.get("name") not in guarded:
        return False
    confidence = float(top.get("confidence") or 0.0)
    if confidence < threshold:
        return True
    if len(ranking) < 2:
        return False
    second = ranking[1]
    close = confidence - float(second.get("confidence") or 0.0) < margin
    return close and second.get("name") in guarded
