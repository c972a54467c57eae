"""How many lanes send a broadcast, and how many threads a worker gets for them: enough to
reach the account's rate while each lane waits on Twilio."""

from __future__ import annotations

import pytest

from bot.broadcasting.tasks import MAX_LANES, lanes_for
from bot.config import load_settings
from bot.worker import default_threads


def at_rate(rate: int):
    return load_settings(environ={"SEND_RATE_PER_SECOND": str(rate)}, dotenv_path=None)


@pytest.mark.parametrize(
    "rate, lanes", [(1, 2), (4, 2), (10, 3), (30, 8), (100, 25), (1000, MAX_LANES)]
)
def test_lanes_follow_the_send_rate(rate, lanes):
    assert lanes_for(at_rate(rate)) == lanes


def test_a_worker_has_a_thread_for_every_lane_and_two_to_spare():
    assert default_threads(at_rate(1)) == 4
    assert default_threads(at_rate(100)) == 27
