"""Sign-up and cancel readings the model is unsure of are asked about, never acted on."""

import pytest

from bot.nlu.intent_guard import needs_did_you_mean


def _ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    ("ranking", "asks"),
    [
        # Sure enough, and nothing close: acted on.
        (_ranking(("cancel_registration", 0.93), ("check_registration", 0.04)), False),
        (_ranking(("register_parent_college", 0.85), ("cancel_registration", 0.10)), False),
        # Unsure.
        (_ranking(("cancel_registration", 0.62), ("check_registration", 0.30)), True),
        (_ranking(("register_parent_college", 0.79)), True),
        # Sign-up and cancel within the margin of each other (with a lower threshold).
        (_ranking(("register_parent_college", 0.55), ("cancel_registration", 0.40)), "close"),
        # Other intents are not the guard's business, however unsure.
        (_ranking(("check_registration", 0.41), ("cancel_registration", 0.40)), False),
        (_ranking(("ask_events", 0.5)), False),
        ([], False),
    ],
)
def test_needs_did_you_mean(ranking, asks):
    if asks == "close":
        assert needs_did_you_mean(ranking, threshold=0.5, margin=0.3) is True
        assert needs_did_you_mean(ranking, threshold=0.5, margin=0.1) is False
    else:
        assert needs_did_you_mean(ranking, threshold=0.8, margin=0.3) is asks
