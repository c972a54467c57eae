"""A form lets go after two messages in a row that do not answer it (actions/forms.py): answers it
cannot read and questions answered on the side alike. An answer resets the count; a message no
mapping took is left for the rules on its turn and counted when the form comes back."""

from rasa_sdk import Tracker

from actions.forms import answered_aside, misses_after


def _tracker(misses: float | None, latest_action: str | None = None) -> Tracker:
    """As Rasa calls the validator: the family's message, the action a rule answered it with (if
    any), then the form's own run, which Rasa adds last."""
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "x", "parse_data": {"intent": {"name": "inform"}}},
        *([{"event": "action", "name": latest_action}] if latest_action else []),
        {"event": "action", "name": "registration_form"},
    ]
    return Tracker(
        sender_id="t1",
        slots={"requested_slot": "adults", "form_misses": misses},
        latest_message={"text": "x", "intent": {"name": "inform"}},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "registration_form"},
        latest_action_name="registration_form",
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


def test_a_question_a_rule_answered_counts_when_the_form_comes_back():
    # "¿hay eventos?" mid sign-up: action_answer_events ran, then the form runs again.
    after_events = _tracker(None, latest_action="action_answer_events")
    assert misses_after(after_events, "adults", NEXT) == 1.0
    assert answered_aside(after_events, "adults", NEXT)  # the events answer stays
    assert misses_after(_tracker(1.0, latest_action="utter_help_menu"), "adults", NEXT) == 2.0


def test_a_change_of_language_asks_again_freely():
    assert (
        misses_after(_tracker(1.0, latest_action="utter_language_changed"), "adults", NEXT) is None
    )


def test_a_question_the_validator_answered_keeps_its_own_count_and_its_answer():
    answered = [*REJECTED, {"event": "slot", "name": "form_misses", "value": 2.0}]
    assert misses_after(_tracker(1.0), "adults", answered) == 2.0
    assert answered_aside(_tracker(1.0), "adults", answered)
    assert not answered_aside(_tracker(1.0), "adults", REJECTED)  # "please write a number" goes
