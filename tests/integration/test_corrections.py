"""`bot nlu corrections`: staff corrections become Rasa training examples in
nlu_data/<lang>/corrections.yml, once each, merged with what the file already holds."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.models import Contact, Conversation, Message, NluCorrection
from bot.nlu.corrections import FILE_NAME, export_corrections, read_examples
from bot.rasa.project import intent_names
from tests.support.rasa_side import READ_EXAMPLES, run_in_rasa

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)


def _correct(sessions, corrections: list[tuple[str, str, str]], phone="+13235550100") -> list[int]:
    """Logs each (text, intent, language) as a family message with a correction; returns ids."""
    with sessions() as session:
        contact = session.execute(select(Contact).filter_by(phone=phone)).scalar_one_or_none()
        contact = contact or Contact(phone=phone)
        conversation = Conversation(contact=contact, channel="sms")
        ids = []
        for body, intent, language in corrections:
            message = Message(
                conversation=conversation,
                channel="sms",
                direction="in",
                sender="family",
                body=body,
                intent="nlu_fallback",
                confidence=0.31,
            )
            session.add(NluCorrection(message=message, intent=intent, language=language))
            session.flush()
            ids.append(message.id)
        session.commit()
        return ids


def _export(sessions, nlu_dir: Path, **kwargs):
    with sessions() as session:
        summary = export_corrections(session, nlu_dir, NOW, **kwargs)
        session.commit()
    return summary


def _rasa_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) as Rasa itself reads the file, in its environment: proof the format is
    right."""
    return [tuple(pair) for pair in run_in_rasa(READ_EXAMPLES, str(path))]


def test_corrections_are_written_per_language_in_rasa_format(sessions, tmp_path):
    _correct(
        sessions,
        [
            ("a q hora es el\nparent college?", "ask_parent_college", "es"),
            ("  dond   queda   markham ", "ask_school_info", "es"),
            ("whats [the] wifi thing", "ask_programs", "en"),
        ],
    )
    nlu_dir = tmp_path / "nlu_data"

    summary = _export(sessions, nlu_dir)

    assert summary.written == {
        "es": {"ask_parent_college": 1, "ask_school_info": 1},
        "en": {"ask_programs": 1},
    }
    assert sorted(summary.files) == [nlu_dir / "en" / FILE_NAME, nlu_dir / "es" / FILE_NAME]
    spanish = (nlu_dir / "es" / FILE_NAME).read_text(encoding="utf-8")
    assert spanish.startswith('version: "3.1"\n')
    # The domain's order of intents (ask_school_info comes before ask_parent_college there).
    assert spanish.endswith(
        "nlu:\n"
        "  - intent: ask_school_info\n"
        "    examples: |\n"
        "      - dond queda markham\n"
        "\n"
        "  - intent: ask_parent_college\n"
        "    examples: |\n"
        "      - a q hora es el parent college?\n"
    )
    assert _rasa_examples(nlu_dir / "es" / FILE_NAME) == [
        ("dond queda markham", "ask_school_info"),
        ("a q hora es el parent college?", "ask_parent_college"),
    ]
    # Brackets are text, not entity markup.
    assert _rasa_examples(nlu_dir / "en" / FILE_NAME) == [
        ("whats (the) wifi thing", "ask_programs")
    ]
    with sessions() as session:
        exported = session.execute(select(NluCorrection.exported_at)).scalars().all()
    assert len(exported) == 3 and all(exported)


def test_a_second_run_writes_nothing_new(sessions, tmp_path):
    _correct(sessions, [("hay eventos el sabado?", "ask_events", "es")])
    nlu_dir = tmp_path / "nlu_data"
    _export(sessions, nlu_dir)
    before = (nlu_dir / "es" / FILE_NAME).read_text(encoding="utf-8")
    modified = (nlu_dir / "es" / FILE_NAME).stat().st_mtime_ns

    again = _export(sessions, nlu_dir)

    assert (again.total, again.files, again.skipped) == (0, [], [])
    assert (nlu_dir / "es" / FILE_NAME).read_text(encoding="utf-8") == before
    assert (nlu_dir / "es" / FILE_NAME).stat().st_mtime_ns == modified


def test_new_examples_merge_with_the_file_without_duplicates(sessions, tmp_path):
    nlu_dir = tmp_path / "nlu_data"
    (nlu_dir / "es").mkdir(parents=True)
    (nlu_dir / "es" / FILE_NAME).write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "  - intent: ask_events\n"
        "    examples: |\n"
        "      - que hay esta semana\n"
        "  - intent: thank\n"
        "    examples: |\n"
        "      - gracias mil veces por todo\n",
        encoding="utf-8",
    )
    _correct(
        sessions,
        [
            ("Que hay esta semana", "ask_events", "es"),  # already there, other case
            ("hay junta el martes?", "ask_events", "es"),
            ("gracias mil veces por todo", "greet", "es"),  # a person changed their mind: it moves
        ],
    )

    summary = _export(sessions, nlu_dir)

    assert summary.written == {"es": {"ask_events": 1, "greet": 1}}
    assert read_examples(nlu_dir / "es" / FILE_NAME) == {
        "greet": ["gracias mil veces por todo"],
        "ask_events": ["que hay esta semana", "hay junta el martes?"],
    }


def test_what_cannot_be_learned_is_skipped_and_reported(sessions, tmp_path):
    nlu_dir = tmp_path / "nlu_data"
    (nlu_dir / "en").mkdir(parents=True)
    (nlu_dir / "en" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n'
        "      - hi there\n      - [markham](school) hello\n",
        encoding="utf-8",
    )
    ids = _correct(
        sessions,
        [
            ("x" * 301, "out_of_scope", "en"),
            ("call me at 323-555-0100", "talk_to_human", "en"),
            ("Hi there", "greet", "en"),
            ("markham hello", "ask_school_info", "en"),
            ("hello?", "not_an_intent", "en"),
        ],
    )

    summary = _export(sessions, nlu_dir)

    assert summary.total == 0 and summary.files == []
    reasons = {s.message_id: s.reason for s in summary.skipped}
    assert reasons[ids[0]] == "longer than 300 characters"
    assert reasons[ids[1]] == "contains a phone number or email address"
    assert reasons[ids[2]] == "already in the training data"
    assert reasons[ids[3]].startswith("the training data has it as greet")
    assert reasons[ids[4]] == "the intent 'not_an_intent' is not in the domain"
    assert not (nlu_dir / "en" / FILE_NAME).exists()
    with sessions() as session:
        pending = session.execute(
            select(NluCorrection.message_id).where(NluCorrection.exported_at.is_(None))
        ).scalars()
        # Only the unknown intent stays pending: it may be added to the domain later.
        assert list(pending) == [ids[4]]


def test_only_intents_of_the_domain_are_offered():
    intents = intent_names()
    folder = Path(__file__).parents[2] / "domain"
    core = yaml.safe_load((folder / "core.yml").read_text())["intents"]
    # core.yml's first, then those other domain files add (the everyday school questions).
    added = yaml.safe_load((folder / "school_matters.yml").read_text())["intents"]
    assert list(intents) == core + added
    assert "nlu_fallback" not in intents


def test_the_cli_writes_reports_and_a_dry_run_changes_nothing(settings, sessions, tmp_path):
    _correct(sessions, [("me pueden llamar", "talk_to_human", "es")])
    nlu_dir = tmp_path / "nlu_data"
    env = {"DATABASE_URL": settings.database_url, "VAR_DIR": str(tmp_path / "var")}
    runner = CliRunner()

    dry = runner.invoke(main, ["nlu", "corrections", "--dir", str(nlu_dir), "--dry-run"], env=env)

    assert dry.exit_code == 0, dry.output
    assert "Would add 1 example to talk_to_human (es)" in dry.output
    assert not (nlu_dir / "es" / FILE_NAME).exists()
    with sessions() as session:
        assert session.execute(select(NluCorrection.exported_at)).scalar_one() is None

    real = runner.invoke(main, ["nlu", "corrections", "--dir", str(nlu_dir)], env=env)

    assert real.exit_code == 0, real.output
    assert "Added 1 example to talk_to_human (es)" in real.output
    assert "bot train" in real.output and "make nlu-eval" in real.output
    assert read_examples(nlu_dir / "es" / FILE_NAME) == {"talk_to_human": ["me pueden llamar"]}
    again = runner.invoke(main, ["nlu", "corrections", "--dir", str(nlu_dir)], env=env)
    assert "No new corrections to write." in again.output


def test_a_message_of_the_held_out_set_never_becomes_training_data(sessions, tmp_path):
    held_out = tmp_path / "held_out"
    held_out.mkdir()
    (held_out / "es.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: ask_events\n    examples: |\n'
        "      - ¿hay juntas para padres en [gompers](school)?\n",
        encoding="utf-8",
    )
    [message_id] = _correct(sessions, [("Hay juntas para padres en Gompers", "ask_events", "es")])

    summary = _export(sessions, tmp_path / "nlu_data", held_out_dir=held_out)

    assert summary.total == 0
    assert [(s.message_id, s.reason.split(",")[0]) for s in summary.skipped] == [
        (message_id, "it is in the held-out evaluation set (tests/nlu)")
    ]
    assert not (tmp_path / "nlu_data" / "es" / FILE_NAME).exists()
