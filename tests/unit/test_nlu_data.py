"""The training data stays in step with the seed data and with the intent contract."""

import re
from pathlib import Path

import pytest
import yaml

from bot.rasa.project import load_domain

ROOT = Path(__file__).parents[2]


def _load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def _synonyms(path):
    """{what families write: canonical value} from a Rasa synonyms file."""
    synonyms = {}
    for item in _load(path)["nlu"]:
        if "synonym" in item:
            for line in item["examples"].splitlines():
                synonyms[line.strip("- ").strip()] = item["synonym"]
    return synonyms


def test_every_school_alias_is_a_synonym_of_its_short_name():
    synonyms = _synonyms("nlu_data/schools.yml")
    for school in _load("seed/schools.yaml")["schools"]:
        for alias in school["aliases"]:
            assert synonyms.get(alias) == school["short_name"], (school["slug"], alias)


def _language_files(language):
    """A language's training files: nlu.yml and one per group of intents added since."""
    return sorted((ROOT / "nlu_data" / language).glob("*.yml"))


def test_both_languages_train_every_intent_of_the_domain():
    domain_intents = set(load_domain()["intents"])
    for language in ("en", "es"):
        trained = {
            item["intent"]
            for path in _language_files(language)
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
            if "intent" in item
        }
        assert trained == domain_intents, language


def _contract_names(path):
    """The intent names of a contract table (`| name | meaning | ... |`), not its header."""
    names = set(re.findall(r"^\| ([a-z_]+) \|", path.read_text(encoding="utf-8"), re.M))
    return names - {"intent"}


def test_domain_intents_come_from_the_contract_or_its_recorded_additions():
    contract = ROOT.parent / "shared" / "intents.md"
    added = _contract_names(ROOT / "docs" / "intents.md")
    names = set(load_domain()["intents"])
    assert added <= names, added - names  # every recorded addition is in the domain
    if contract.exists():  # shared/ sits beside the clone in CI and on developer machines
        shared = _contract_names(contract)
        assert shared <= names, shared - names  # never renamed or dropped
        assert names <= shared | added, names - shared - added  # nothing unrecorded
        assert not shared & added, shared & added  # each intent in one of the two files


def test_every_program_alias_is_a_synonym_of_its_slug():
    synonyms = _synonyms("nlu_data/programs.yml")
    for program in _load("seed/programs.yaml")["programs"]:
        for alias in program["aliases"]:
            assert synonyms.get(alias) == program["slug"], (program["slug"], alias)


def _examples(path):
    """{intent: [text without entity markup]} for a Rasa YAML training-data file."""
    import re

    found = {}
    for item in _load(path)["nlu"]:
        if "intent" in item:
            lines = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
            plain = [re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", t) for t in lines]
            found.setdefault(item["intent"], []).extend(plain)
    return found


def _normal(text):
    import re

    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_enough_training_examples_per_intent_and_language():
    for language in ("en", "es"):
        found = {}
        for path in _language_files(language):
            for intent, texts in _examples(path.relative_to(ROOT)).items():
                found.setdefault(intent, set()).update(texts)
        for intent, texts in found.items():
            assert len(texts) >= 40, (language, intent, len(texts))


HELD_OUT_SETS = ("tests/nlu", "tests/nlu/independent", "tests/nlu/generated")


@pytest.mark.parametrize("folder", HELD_OUT_SETS)
def test_held_out_sets_cover_every_intent_with_enough_examples(folder):
    domain_intents = set(load_domain()["intents"])
    for language in ("en", "es"):
        held_out = _examples(f"{folder}/{language}.yml")
        assert set(held_out) == domain_intents, language
        for intent, texts in held_out.items():
            assert len(set(texts)) >= 15, (language, intent, len(set(texts)))


@pytest.mark.parametrize("folder", HELD_OUT_SETS)
def test_held_out_messages_never_appear_in_training_data(folder):
    training = {
        _normal(text)
        for path in sorted((ROOT / "nlu_data").rglob("*.yml"))
        for texts in _examples(path.relative_to(ROOT)).values()
        for text in texts
    }
    for language in ("en", "es"):
        for texts in _examples(f"{folder}/{language}.yml").values():
            leaked = [t for t in texts if _normal(t) in training]
            assert not leaked, (language, leaked)


# A street that shares a school's name; its line names no school.
NOT_A_SCHOOL = ("103rd and grape",)


def test_every_school_named_in_training_is_marked_as_the_school_entity():
    """A school written as plain text teaches the model that it is not an entity: after ~200
    such lines "a que hora sale la Jordan" came back with no school at all."""
    names = sorted(_synonyms("nlu_data/schools.yml"), key=len, reverse=True)
    school = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)", re.I)
    markup = re.compile(r"\[[^\]]*\](\([^)]*\)|\{[^}]*\})")
    unmarked = []
    for path in sorted((ROOT / "nlu_data").glob("*/*.yml")):
        for item in _load(path.relative_to(ROOT))["nlu"]:
            for line in item.get("examples", "").splitlines():
                outside = markup.sub(" ", line).lower()
                if any(street in outside for street in NOT_A_SCHOOL):
                    continue
                if school.search(outside):
                    unmarked.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not unmarked, "\n".join(unmarked)
