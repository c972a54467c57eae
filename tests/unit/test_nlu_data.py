"""The training data stays in step with the seed data and with the intent contract."""

from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def _load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def test_every_school_alias_is_a_synonym_of_its_short_name():
    synonyms = {}
    for item in _load("nlu_data/schools.yml")["nlu"]:
        if "synonym" in item:
            for line in item["examples"].splitlines():
                synonyms[line.strip("- ").strip()] = item["synonym"]
    for school in _load("seed/schools.yaml")["schools"]:
        for alias in school["aliases"]:
            assert synonyms.get(alias) == school["short_name"], (school["slug"], alias)


def test_both_languages_train_every_intent_of_the_domain():
    domain_intents = set(_load("domain.yml")["intents"])
    for language in ("en", "es"):
        trained = {item["intent"] for item in _load(f"nlu_data/{language}/nlu.yml")["nlu"]}
        assert trained == domain_intents, language


def test_domain_intents_come_from_the_contract():
    contract = ROOT.parent / "shared" / "intents.md"
    names = set(_load("domain.yml")["intents"])
    if contract.exists():  # shared/ sits beside the clone in CI and on developer machines
        text = contract.read_text(encoding="utf-8")
        for name in names:
            assert f"| {name} |" in text, name
