"""Staff corrections of what the bot understood, turned into Rasa training examples.

`bot nlu corrections` writes every correction not yet exported into
nlu_data/<lang>/corrections.yml (Rasa's NLU format, like nlu_data/<lang>/nlu.yml), marks it
exported, and the operator reviews the diff before `bot train`. Only intents of the domain are
written: Rasa refuses training data whose intent the domain does not list."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.models import NluCorrection
from bot.nlu.training import PROJECT
from bot.rasa.project import intent_names
from bot.text.languages import LANGUAGES

# The held-out evaluation set (`make nlu-eval`): a message in it must never become training data,
# or the figures would measure memory instead of understanding.
HELD_OUT_DIR = PROJECT / "tests" / "nlu"
FILE_NAME = "corrections.yml"
# Longer messages are stories, not examples of one intent; they would teach the model noise.
MAX_EXAMPLE_CHARS = 300
HEADER = (
    'version: "3.1"\n\n'
    "# Examples from staff corrections in the console, written by `bot nlu corrections`.\n"
    "# Review before `bot train`: remove names, addresses and anything else personal.\n"
    "nlu:\n"
)
# Rasa reads [text](entity) and [text]{...} as entity markup; a family's brackets are just text.
_BRACKETS = str.maketrans({"[": "(", "]": ")"})
_PHONE = re.compile(r"\d{3}\D{0,2}\d{3}\D?\d{4}")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
# Entity markup in the hand-written training data, reduced to its text for comparisons.
_MARKUP = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def clean_example(text: str) -> str:
    """A message as one line of training data: whitespace runs (newlines too) become one space,
    control characters go, brackets cannot be mistaken for entity markup."""
    text = " ".join((text or "").split())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Cn"))
    return text.translate(_BRACKETS).strip()


def _key(text: str) -> str:
    return " ".join(_MARKUP.sub(r"\1", text).casefold().split())


def _loose_key(text: str) -> str:
    # As tests/unit/test_nlu_data.py compares held-out and training texts: punctuation ignored.
    return " ".join(re.sub(r"[^\w\s]", " ", _MARKUP.sub(r"\1", text).lower()).split())


def _held_out(held_out_dir: Path | None, language: str) -> set[str]:
    if held_out_dir is None:
        return set()
    # Every held-out set (written, independent, generated: bot/nlu/evaluation.py) keeps its
    # messages out of training.
    return {
        _loose_key(line)
        for path in sorted(held_out_dir.rglob(f"{language}.yml"))
        for lines in read_examples(path).values()
        for line in lines
    }


@dataclass
class Skipped:
    message_id: int
    language: str
    intent: str
    reason: str
    text: str


@dataclass
class ExportSummary:
    # {language: {intent: examples added}}
    written: dict[str, dict[str, int]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(sum(by_intent.values()) for by_intent in self.written.values())


def read_examples(path: Path) -> dict[str, list[str]]:
    """{intent: example lines} of a Rasa NLU YAML file; {} when it does not exist."""
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" in item:
            lines = (item.get("examples") or "").splitlines()
            found.setdefault(item["intent"], []).extend(
                line[1:].strip() for line in lines if line.startswith("-")
            )
    return found


def render(examples: dict[str, list[str]], intents: tuple[str, ...]) -> str:
    """The file text: intents in the domain's order, examples in the order they were added."""
    order = {name: position for position, name in enumerate(intents)}
    blocks = []
    for intent in sorted(examples, key=lambda name: (order.get(name, len(order)), name)):
        if examples[intent]:
            lines = "".join(f"      - {text}\n" for text in examples[intent])
            blocks.append(f"  - intent: {intent}\n    examples: |\n{lines}")
    return HEADER + "\n".join(blocks)


def _known_elsewhere(language_dir: Path) -> dict[str, str]:
    """{example key: intent} in the language's hand-written training files."""
    known: dict[str, str] = {}
    for path in sorted(language_dir.glob("*.yml")):
        if path.name == FILE_NAME:
            continue
        for intent, lines in read_examples(path).items():
            for line in lines:
                known.setdefault(_key(line), intent)
    return known


def _reason_to_skip(
    text: str, intent: str, intents: tuple[str, ...], elsewhere: dict, held_out: set[str]
) -> str:
    if intent not in intents:
        return f"the intent {intent!r} is not in the domain"
    if not text:
        return "no words to learn from"
    if len(text) > MAX_EXAMPLE_CHARS:
        return f"longer than {MAX_EXAMPLE_CHARS} characters"
    if _PHONE.search(text) or _EMAIL.search(text):
        return "contains a phone number or email address"
    if _loose_key(text) in held_out:
        return "it is in the held-out evaluation set (tests/nlu), which must stay unseen"
    other = elsewhere.get(_key(text))
    if other == intent:
        return "already in the training data"
    if other is not None:
        return f"the training data has it as {other}: fix nlu.yml by hand if that is wrong"
    return ""


def _pending(session: Session) -> list[NluCorrection]:
    return (
        session.execute(
            select(NluCorrection)
            .where(NluCorrection.exported_at.is_(None))
            .options(joinedload(NluCorrection.message))
            .order_by(NluCorrection.id)
        )
        .scalars()
        .all()
    )


def _place(examples: dict[str, list[str]], intent: str, text: str) -> bool:
    """Puts `text` under `intent`, taking it out of any other intent (the latest correction
    wins); False when it was already there."""
    key = _key(text)
    for other, lines in examples.items():
        if other != intent:
            lines[:] = [line for line in lines if _key(line) != key]
    lines = examples.setdefault(intent, [])
    if any(_key(line) == key for line in lines):
        return False
    lines.append(text)
    return True


def _add_corrections(
    corrections: list[NluCorrection],
    examples: dict[str, list[str]],
    intents,
    known: tuple,
    summary: ExportSummary,
    exported_at: datetime | None,
) -> dict[str, int]:
    """Places one language's corrections among its examples, notes those skipped and why, and
    marks each one placed or refused for good as exported at `exported_at` (None: marks none).
    Returns how many were added per intent."""
    elsewhere, held_out = known
    added: dict[str, int] = defaultdict(int)
    for correction in corrections:
        text = clean_example(correction.message.body)
        reason = _reason_to_skip(text, correction.intent, intents, elsewhere, held_out)
        if reason:
            summary.skipped.append(
                Skipped(correction.message_id, correction.language, correction.intent, reason, text)
            )
            if correction.intent not in intents:
                continue  # may become valid when the domain grows: left pending
        elif _place(examples, correction.intent, text):
            added[correction.intent] += 1
        if exported_at is not None:
            correction.exported_at = exported_at
    return added


def export_corrections(
    session: Session,
    nlu_dir: Path,
    now: datetime,
    *,
    dry_run: bool = False,
    held_out_dir: Path | None = HELD_OUT_DIR,
    mark_exported: bool = True,
) -> ExportSummary:
    """Writes pending corrections into nlu_dir/<lang>/corrections.yml and marks them exported
    (the caller commits). A dry run writes and marks nothing and reports the same figures. A
    training from the console (bot/nlu/review_training.py) writes into a copy of the data and marks
    nothing: the corrections stay pending for operators who version nlu_data/."""
    intents = intent_names()
    summary = ExportSummary(dry_run=dry_run)
    by_language: dict[str, list[NluCorrection]] = defaultdict(list)
    for correction in _pending(session):
        by_language[correction.language].append(correction)
    for language in sorted(by_language):
        corrections = by_language[language]
        if language not in LANGUAGES:
            summary.skipped += [
                Skipped(c.message_id, language, c.intent, "not a language of the line", "")
                for c in corrections
            ]
            continue
        path = nlu_dir / language / FILE_NAME
        examples = read_examples(path)
        before = render(examples, intents) if examples else None
        elsewhere = _known_elsewhere(nlu_dir / language)
        held_out = _held_out(held_out_dir, language)
        exported_at = now if not dry_run and mark_exported else None
        added = _add_corrections(
            corrections, examples, intents, (elsewhere, held_out), summary, exported_at
        )
        if added:
            summary.written[language] = dict(added)
        after = render(examples, intents)
        if after != before and any(examples.values()):
            summary.files.append(path)
            if not dry_run:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(after, encoding="utf-8")
    return summary
