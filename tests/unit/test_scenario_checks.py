"""The conversation evaluation can fail (tests/support/scenarios.py), and its scenarios file says
only what the checks understand (tests/scenarios/README.md)."""

from pathlib import Path

import yaml

from tests.support.scenarios import Outcome, TurnState, check_turn, rate

FOLDER = Path(__file__).parents[1] / "scenarios"
CALM = TurnState(seats=0, signing_up=False, handed_off=False)
EXPECT_KEYS = {"any_of", "all_of", "none_of", "no_signup", "signed_up", "seats", "handed_off",
               "silent", "language"}  # fmt: skip
TURN_KEYS = {"say", "expect", "language"}


def test_a_reply_with_the_fact_asked_passes():
    replies = ["Próxima clase: sábado 19 de diciembre, 9 a. m. en Markham, 1650 E 104th St."]
    expect = {"all_of": ["{pc1.day}", "Markham"], "no_signup": True}
    assert check_turn("cuando es?", replies, expect, CALM, "es", {"pc1.day": "19"}) == []


def test_each_kind_of_miss_is_reported():
    said = "mi hija esta enferma, a quien le aviso en la markham"
    echo = f"No encontré la escuela «{said}»."
    long_reply = "Hola " * 120
    problems = check_turn(
        said,
        [echo, long_reply, "Sorry, I can't help with that right now, please try again later."],
        {"any_of": ["555-0111"], "none_of": ["encontré"], "handed_off": True},
        TurnState(seats=1, signing_up=True, handed_off=False),
        "es",
        {},
    )
    text = "\n".join(problems)
    for miss in ("none of ['555-0111']", "should not be", "not handed to staff",
                 "repeats the family's message", "segments", "reply in en"):  # fmt: skip
        assert miss in text, (miss, text)


def test_silence_and_a_sign_up_not_asked_for_fail():
    assert check_turn("hola que tal buenas", [], {}, CALM, "es", {}) == ["no reply at all"]
    busy = TurnState(seats=0, signing_up=True, handed_off=False)
    assert check_turn("cuando es?", ["19 de diciembre"], {"no_signup": True}, busy, "es", {})


def test_an_unknown_placeholder_fails_instead_of_matching_anything():
    assert check_turn("cuando es?", ["el 19"], {"any_of": ["{pc9.day}"]}, CALM, "es", {})


def test_rates_count_per_language():
    outcomes = [Outcome("a", "es"), Outcome("b", "es", ["x"]), Outcome("c", "en")]
    assert rate(outcomes, "es") == (1, 2) and rate(outcomes, "en") == (1, 1)


def test_the_scenarios_file_is_well_formed():
    scenarios = yaml.safe_load((FOLDER / "conversations.yml").read_text("utf-8"))["scenarios"]
    assert len(scenarios) >= 60
    ids = [s["id"] for s in scenarios]
    assert len(ids) == len(set(ids))
    for scenario in scenarios:
        assert scenario["language"] in ("en", "es") and scenario["id"][:2] == scenario["language"]
        for turn in scenario["turns"]:
            assert set(turn) <= TURN_KEYS and turn["say"].strip(), scenario["id"]
            assert set(turn.get("expect") or {}) <= EXPECT_KEYS, scenario["id"]
    languages = [s["language"] for s in scenarios]
    assert languages.count("es") >= 30 and languages.count("en") >= 30
