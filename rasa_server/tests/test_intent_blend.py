"""Two readings of an intent made one (bot/nlu/intent_blend.py), and the pipeline step that does it
inside Rasa (bot/rasa/intent_blend_step.py)."""

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_blend import blend
from bot.rasa.intent_blend_step import BlendedIntentClassifier


def test_readings_are_averaged_by_weight_and_ranked_best_first():
    diet = [{"name": "ask_events", "confidence": 0.5}, {"name": "ask_programs", "confidence": 0.4}]
    regression = [("ask_events", 0.2), ("ask_programs", 0.7), ("greet", 0.1)]
    ranking = blend(diet, regression, weight=0.5)
    assert [r["name"] for r in ranking] == ["ask_programs", "ask_events", "greet"]
    assert ranking[0]["confidence"] == pytest.approx(0.55)
    assert ranking[2]["confidence"] == pytest.approx(0.05)  # missing from DIET's top: 0 there


def test_weight_zero_keeps_diets_reading_and_one_keeps_the_regressions():
    diet = [{"name": "affirm", "confidence": 0.9}, {"name": "deny", "confidence": 0.1}]
    regression = [("affirm", 0.3), ("deny", 0.7)]
    assert blend(diet, regression, 0.0)[0] == {"name": "affirm", "confidence": 0.9}
    assert blend(diet, regression, 1.0)[0] == {"name": "deny", "confidence": 0.7}
    with pytest.raises(ValueError):
        blend(diet, regression, 1.5)


class _FixedRegression:
    classes_ = np.array(["cancel_registration", "check_registration"])

    def predict_proba(self, features):
        return np.array([[0.2, 0.8]] * features.shape[0])


def test_the_pipeline_step_blends_into_diets_ranking_and_keeps_training_labels():
    step = BlendedIntentClassifier.__new__(BlendedIntentClassifier)
    step.config = {**BlendedIntentClassifier.get_default_config(), "weight": 0.5}
    step.clf = _FixedRegression()
    step._create_X = lambda messages: np.zeros((len(messages), 3))
    diet = [
        {"name": "cancel_registration", "confidence": 0.7},
        {"name": "check_registration", "confidence": 0.3},
    ]
    message = Message(data={"text": "x", "intent": dict(diet[0]), "intent_ranking": diet})
    (message,) = step.process([message])
    assert message.get("intent")["name"] == "check_registration"
    assert message.get("intent")["confidence"] == pytest.approx(0.55)
    assert [r["name"] for r in message.get("intent_ranking")] == [
        "check_registration",
        "cancel_registration",
    ]
    labelled = Message(data={"text": "y", "intent": "greet"})

    class _Data:
        training_examples = [labelled]

    step.process_training_data(_Data())
    assert labelled.get("intent") == "greet"
