"""The Rasa project's files as the line reads them without Rasa: the domain, merged from
domain/*.yml the way Rasa merges it, and the settings of config.yml's pipeline that the line's own
code must agree with (the fallback threshold; the did-you-mean guard's, under which the console
marks a reading as unsure). Read here once, so no other module parses them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = PROJECT / "domain"
CONFIG = PROJECT / "config.yml"
_LISTS = ("intents", "entities", "actions")
_MAPPINGS = ("slots", "responses", "forms")


class DomainError(ValueError):
    """Two domain files define the same slot, response or form: Rasa would keep only one."""


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_domain(domain_dir: Path = DOMAIN_DIR) -> dict:
    """The whole domain as one dict: intents, entities and actions as lists, slots, responses and
    forms as mappings."""
    merged: dict = {key: [] for key in _LISTS} | {key: {} for key in _MAPPINGS}
    for path in sorted(domain_dir.glob("*.yml")):
        part = _read(path)
        for key in _LISTS:
            merged[key] += part.get(key) or []
        for key in _MAPPINGS:
            repeated = set(merged[key]) & set(part.get(key) or {})
            if repeated:
                raise DomainError(f"{path.name} repeats {sorted(repeated)}")
            merged[key].update(part.get(key) or {})
    return merged


@cache
def intent_names(domain_dir: Path = DOMAIN_DIR) -> tuple[str, ...]:
    """The intents the domain lists (the contract of shared/intents.md), in its order."""
    names: list[str] = []
    for item in load_domain(domain_dir)["intents"]:
        # An intent may be a name or {name: {use_entities: ...}}.
        name = item if isinstance(item, str) else next(iter(item))
        if name not in names:
            names.append(name)
    return tuple(names)


def pipeline(config: Path = CONFIG) -> list[dict]:
    return _read(config)["pipeline"]


@cache
def fallback_threshold(config: Path = CONFIG) -> float:
    """Below this confidence Rasa's FallbackClassifier reads a message as nlu_fallback."""
    found = [step for step in pipeline(config) if step.get("name") == "FallbackClassifier"]
    return float(found[0].get("threshold", 0.3)) if found else 0.0


def guard_settings(config: Path = CONFIG) -> dict:
    """The did-you-mean guard's threshold and margin as config.yml sets them."""
    for step in pipeline(config):
        if step.get("name", "").endswith("DataChangeGuard"):
            return {key: float(step[key]) for key in ("threshold", "margin") if key in step}
    return {}


@cache
def unsure_below(config: Path = CONFIG) -> float:
    """Under this confidence a reading is not one the line would change a family's data on
    without asking (the guard's threshold): the console marks such readings for a person's look,
    even where the bot answered (above the fallback threshold)."""
    return guard_settings(config).get("threshold", 0.6)
