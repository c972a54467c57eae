"""Which delivery status may replace which: reports arrive out of order."""

import pytest

from bot.conversations.delivery_reports import FINAL, PROGRESS, replaceable_by


@pytest.mark.parametrize(
    "new, old, replaces",
    [
        ("sent", "queued", True),
        ("sent", "sending", True),
        ("delivered", "sent", True),
        ("failed", "queued", True),
        ("read", "delivered", True),
        ("queued", "sent", False),
        ("sent", "delivered", False),
        ("sent", "failed", False),
        ("delivered", "failed", False),
        ("failed", "delivered", False),
        ("undelivered", "undelivered", False),
        ("sent", "sent", True),  # the same status again may bring an error code
    ],
)
def test_a_status_never_moves_back(new, old, replaces):
    assert (old in replaceable_by(new)) is replaces


def test_a_status_twilio_adds_later_does_not_undo_a_final_one():
    assert replaceable_by("partially_delivered") == set(PROGRESS) - FINAL
