"""A form lets go after two answers in a row it cannot read (actions/forms.py); an answer resets
the count, and a message that is not an answer at all is left for the rules."""

from rasa_sdk import Tracker

from actions.forms import misses_after


def _tracker(misses: float | None) -> Tracker:
    return Tracker(
        sender_id="t1",
        slots={"requested_slot": "adults", "form_misses": misses},
        latest_message={"text": "x", "intent": {"name": "inform"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "registration_form"},
        latest_action_name="action_listen",
    )


ANSWERED = [{"event": "slot", "name": "adults", "value": 2.0}]
REJECTED = [{"event": "slot", "name": "adults", "value": None}]
NEXT = [{"event": "slot", "name": "requested_slot", "value": "childcare"}]


def test_an_answer_resets_the_count():
    assert misses_after(_tracker(1.0), "adults", ANSWERED + NEXT) == 0.0


def test_each_answer_the_validator_rejects_counts_one():
    assert misses_after(_tracker(None), "adults", REJECTED) == 1.0
    assert misses_after(_tracker(1.0), "adults", REJECTED) == 2.0


def test_a_message_no_mapping_took_and_a_starting_form_are_left_alone():
    # Only the next requested slot: Rasa steps the form aside so a rule answers the message.
    assert misses_after(_tracker(1.0), "adults", NEXT) is None
    assert misses_after(_tracker(1.0), "adults", []) is None
    assert misses_after(_tracker(None), None, NEXT) is None
