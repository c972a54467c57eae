"""How the evaluation reads what the bot acts on (bot/nlu/evaluation.py): a reading under the
fallback threshold, or two readings too close to choose between, is a "didn't get that"."""

from bot.nlu.evaluation import Prediction, torn_between_two


def _parsed(intent: tuple[str, float], *ranking: tuple[str, float]) -> dict:
    return {
        "intent": {"name": intent[0], "confidence": intent[1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (intent, *ranking)],
    }


def test_two_readings_too_close_fall_back_as_the_bot_does():
    # The FallbackClassifier's fallback carries its threshold (0.4) as confidence.
    close = _parsed(("nlu_fallback", 0.4), ("contact_teacher", 0.53), ("talk_to_human", 0.47))
    assert torn_between_two(close)
    low = _parsed(("nlu_fallback", 0.4), ("ask_events", 0.33), ("report_absence", 0.26))
    assert not torn_between_two(low)  # under the threshold: counted by it, not as torn
    sure = _parsed(("ask_events", 0.9), ("ask_programs", 0.05))
    assert not torn_between_two(sure)
    # A sign-up or cancel torn between two is asked about first, as the guard itself asks.
    seat = _parsed(("nlu_fallback", 0.4), ("cancel_registration", 0.52), ("out_of_scope", 0.48))
    assert not torn_between_two(seat)


def test_a_torn_reading_behaves_as_a_fallback_at_any_threshold():
    torn = Prediction("x", "talk_to_human", "contact_teacher", 0.53, set(), set(), torn=True)
    assert torn.behaves_as(0.4) == "nlu_fallback" and torn.behaves_as(0.0) == "nlu_fallback"
    plain = Prediction("x", "ask_events", "ask_events", 0.53, set(), set())
    assert plain.behaves_as(0.4) == "ask_events" and plain.behaves_as(0.6) == "nlu_fallback"
