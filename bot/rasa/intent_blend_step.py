"""A pipeline step inside the Rasa server, after DIETClassifier (config.yml): a logistic
regression trained on the same features reads each message too, and the two readings are averaged
by bot.nlu.intent_blend. The FallbackClassifier and the did-you-mean guard then see the blended
reading.

Rasa's LogisticRegressionClassifier does the training, saving and loading; this step only changes
what it does with its probabilities: blend them into DIET's ranking instead of replacing it. Like
bot/rasa/channel.py, this module runs only inside the Rasa server (and `rasa train`)."""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_blend import DEFAULT_WEIGHT, blend

RANKING_KEPT = 10  # as DIET keeps: the did-you-mean offers the top few


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "weight": DEFAULT_WEIGHT}

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages or not hasattr(self.clf, "classes_"):
            return messages  # not trained (no examples): DIET's reading stands
        probabilities = self.clf.predict_proba(self._create_X(messages))
        for message, row in zip(messages, probabilities, strict=True):
            ranking = blend(
                message.get(INTENT_RANKING_KEY) or [],
                zip(self.clf.classes_, row, strict=True),
                float(self.config["weight"]),
            )[:RANKING_KEPT]
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Rasa's version reads the training examples and overwrites their labels with its
        # readings; nothing after this step trains on them, and the labels must stay the truth.
        return training_data
