"""The Rasa domain as one dict, merged from the files under domain/ the way Rasa merges them."""

from __future__ import annotations

from pathlib import Path

import yaml

DOMAIN_DIR = Path(__file__).parents[2] / "domain"
_LISTS = ("intents", "entities", "actions")
_MAPPINGS = ("slots", "responses", "forms")


def load_domain() -> dict:
    merged: dict = {key: [] for key in _LISTS} | {key: {} for key in _MAPPINGS}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in _LISTS:
            merged[key] += part.get(key) or []
        for key in _MAPPINGS:
            duplicated = set(merged[key]) & set(part.get(key) or {})
            assert not duplicated, f"{path.name} repeats {sorted(duplicated)}"
            merged[key].update(part.get(key) or {})
    return merged
