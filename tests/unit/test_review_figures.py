"""The figures staff read before using a new model (bot/nlu/review_figures.py)."""

import pytest

from bot.nlu.review_figures import compare, intent_f1, macro_f1


def test_a_didnt_get_that_is_a_miss_and_a_wrong_reading_costs_both_intents():
    rows = [
        ["hola", "greet", "greet"],
        ["buenas", "greet", "nlu_fallback"],
        ["adios", "goodbye", "greet"],
    ]
    scores = intent_f1(rows)
    assert scores["greet"] == pytest.approx(2 / 4)  # tp 1, fp 1 (adios), fn 1 (buenas)
    assert scores["goodbye"] == 0.0
    assert macro_f1(rows) == pytest.approx(0.25)


def test_the_new_model_is_set_against_the_live_one_per_set_language_and_intent():
    live = {
        "written": {
            "es": [["me quiero salir", "cancel_registration", "register_parent_college"],
                   ["hola", "greet", "greet"]],
            "en": [["hi", "greet", "greet"]],
        }
    }  # fmt: skip
    new = {
        "written": {
            "es": [["me quiero salir", "cancel_registration", "cancel_registration"],
                   ["hola", "greet", "nlu_fallback"]],
            "en": [["hi", "greet", "greet"]],
        }
    }  # fmt: skip
    figures = compare(live, new)
    # One intent fixed, one broken: the same macro-F1, which is why the intents are listed too.
    assert figures["sets"]["written"]["es"] == {"messages": 2, "live": 0.5, "new": 0.5}
    assert figures["sets"]["written"]["en"]["live"] == figures["sets"]["written"]["en"]["new"]
    assert [(m["intent"], m["language"]) for m in figures["better"]] == [
        ("cancel_registration", "es")
    ]
    assert [(m["intent"], m["language"]) for m in figures["worse"]] == [("greet", "es")]
    assert figures["changed_count"] == 2 and figures["fixed"] == 1 and figures["broken"] == 1
    assert figures["changed"][0]["text"] == "me quiero salir"  # what got fixed comes first


def test_a_set_the_live_model_never_read_shows_no_live_figure():
    new = {"generated": {"en": [["hey", "greet", "greet"]]}}
    assert compare({}, new)["sets"]["generated"]["en"] == {"messages": 1, "live": None, "new": 1.0}
