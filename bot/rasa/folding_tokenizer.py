"""A pipeline step inside the Rasa server, first in config.yml: Rasa's whitespace tokenizer, with
each word's lemma set to its folded spelling (bot.text.folding.fold_spelling). The word and
character n-gram featurizers count lemmas, so "apuntame", "Apúnteme" and "APUNTEME" share every
feature, "xq" counts as "porque" and "holaaa" as "hola". The token's own text, and so every entity
the model extracts, keeps what the family wrote. Like bot/rasa/intent_blend_step.py, this module
runs only inside the Rasa server (and `rasa train`)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.text.folding import fold_spelling


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute == TEXT:  # intent and action names are labels, not words
            for token in tokens:
                token.lemma = fold_spelling(token.text)
        return tokens
