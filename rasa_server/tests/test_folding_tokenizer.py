"""What the model counts of a word (bot/folding.fold_spelling), and the tokenizer that hands it
to the featurizers inside Rasa (bot/rasa/folding_tokenizer.py); entities keep the family's text."""

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.folding_tokenizer import FoldingTokenizer
from bot.text.folding import fold_spelling


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("Apúnteme", "apunteme"),
        ("APUNTEME", "apunteme"),
        ("holaaaa", "hola"),
        ("siii", "si"),
        ("xq", "porque"),
        ("Q", "que"),
        ("porfis", "porfa"),
        ("xfa", "porfa"),
        ("grax", "gracias"),
        ("plz", "please"),
        ("u", "you"),
    ],
)
def test_a_spelling_families_type_counts_as_the_word_it_stands_for(typed, counted):
    assert fold_spelling(typed) == counted


@pytest.mark.parametrize("word", ["llamar", "cool", "carro", "nel", "simon", "sale", "2"])
def test_doubled_letters_and_words_that_are_not_spellings_stay_as_they_are(word):
    assert fold_spelling(word) == word


def test_the_tokenizer_folds_what_is_counted_and_keeps_what_was_written():
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    message = Message({TEXT: "Apúnteme xq la Jordan ta bien"})
    tokens = tokenizer.tokenize(message, TEXT)
    assert [t.text for t in tokens] == ["Apúnteme", "xq", "la", "Jordan", "ta", "bien"]
    assert [t.lemma for t in tokens] == ["apunteme", "porque", "la", "jordan", "ta", "bien"]
    jordan = tokens[3]
    assert message.get(TEXT)[jordan.start : jordan.end] == "Jordan"  # entities keep the text


def test_intent_labels_are_not_folded():
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    message = Message({INTENT: "ask_parent_college"})
    assert [t.lemma for t in tokenizer.tokenize(message, INTENT)] == ["ask_parent_college"]
