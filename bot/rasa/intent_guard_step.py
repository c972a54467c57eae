"""A pipeline step inside the Rasa server, after the FallbackClassifier (config.yml), that checks
the model's reading against the message's own words:

- a worry about a child's safety ("le están pegando a mi hijo") becomes a request for a person
  (bot.reading.safety_concern);
- a sign-up reading of a message that enrolls a child ("sign up my kids at Sunrise") becomes the
  enrollment question (bot.reading.child_enrollment);
- a sign-up reading of a message about a sign-up already made ("I signed up but can't go")
  becomes a cancel, which asks first, or a check (bot.reading.seat_reading);
- a language switch read in a question about what language something is in ("is it in Spanish
  too?") becomes a did-you-mean (bot.reading.language_question);
- a hello, thanks or goodbye and nothing else, read unsurely, is that (bot.reading.social_phrases);
- a sign-up or cancel reading that bot.nlu.intent_guard finds unsure becomes `nlu_fallback`, so the
  dialogue asks "Did you mean…?" with the likeliest readings instead of acting on a guess.

Like bot/rasa/channel.py, this module runs only inside the Rasa server."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_guard import (
    DATA_CHANGING,
    DEFAULT_MARGIN,
    DEFAULT_THRESHOLD,
    needs_did_you_mean,
)
from bot.reading.child_enrollment import as_enrollment
from bot.reading.language_question import as_language_question
from bot.reading.safety_concern import as_safety_concern
from bot.reading.seat_reading import as_made_sign_up
from bot.reading.social_phrases import as_social_phrase


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DataChangeGuard(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threshold": DEFAULT_THRESHOLD, "margin": DEFAULT_MARGIN, "intents": DATA_CHANGING}

    def __init__(self, config: dict[str, Any]) -> None:
        self.threshold = float(config["threshold"])
        self.margin = float(config["margin"])
        self.intents = tuple(config["intents"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DataChangeGuard:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            ranking = message.data.get(INTENT_RANKING_KEY) or []
            text = message.get(TEXT)
            reread = (
                as_safety_concern(ranking, text)
                or as_enrollment(ranking, text)
                or as_made_sign_up(ranking, text)
                or as_language_question(ranking, text)
                or as_social_phrase(ranking, text)
            )
            if reread is not None:
                message.data[INTENT] = dict(reread[0])
                message.data[INTENT_RANKING_KEY] = reread
                continue
            if not needs_did_you_mean(ranking, self.threshold, self.margin, self.intents):
                continue
            # As the FallbackClassifier does: the ranking keeps the model's readings, which the
            # did-you-mean offers (actions/clarify.py).
            confidence = float(ranking[0].get("confidence") or 0.0)
            fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": confidence}
            message.data[INTENT] = dict(fallback)
            message.data[INTENT_RANKING_KEY] = [dict(fallback), *ranking]
        return messages
