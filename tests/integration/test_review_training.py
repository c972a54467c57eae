"""A training from the console, as the worker runs it (bot/review_training.run_training): the
project's data plus staff corrections, a real `rasa train`, both models reading the held-out sets,
figures for the page; and a training that fails leaves the live model as it was and says why.

The real training takes about five minutes, so it runs once, in the `training` test below; the
live model's readings come from `make nlu-eval` when it ran first (`make test` runs it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models import NluTraining
from bot.nlu import review_training
from bot.nlu.review_training import model_file_name, request_training, run_training
from bot.nlu.training import PROJECT, model_path
from tests.integration.test_corrections import _correct

pytestmark = pytest.mark.skipif(
    not model_path().exists(), reason="no project model: run `bot train` (make test does)"
)


@pytest.fixture
def database_url(sqlite_url):
    # SQLite only: a real training takes minutes, and the database layer of a training (its row,
    # its status) is tested on both in tests/console/test_training_pages.py.
    return sqlite_url


def _queued(sessions) -> int:
    with sessions() as session:
        training = request_training(session, None)
        session.commit()
        return training.id


def test_a_training_learns_the_corrections_and_compares_itself_with_the_live_model(
    settings, sessions
):
    _correct(
        sessions,
        [
            ("oiga y el curso de los sabados pa los papas cuando empieza", "ask_parent_college",
             "es"),
            ("call me at 323 555 0199", "talk_to_human", "en"),  # kept out: a phone number
        ],
    )  # fmt: skip
    training_id = _queued(sessions)
    with sessions() as session:
        training = run_training(session, settings, training_id)
        assert training.status == "ready", training.error
        assert training.progress == 1.0 and training.finished_at is not None
        model = settings.reviewed_models_dir / model_file_name(training_id)
        assert training.model_file == model.name and model.stat().st_size > 1_000_000
        assert training.corrections["added"] == {"es": {"ask_parent_college": 1}}
        assert [k["reason"] for k in training.corrections["kept_out"]] == [
            "contains a phone number or email address"
        ]
        figures = training.figures
        assert figures["live_model"] == model_path().name
        for name in ("written", "independent", "generated"):
            for language in ("en", "es"):
                both = figures["sets"][name][language]
                assert both["messages"] > 400 and 0.85 < both["new"] <= 1.0
                assert both["live"] is not None and abs(both["new"] - both["live"]) < 0.05
    log = review_training.log_tail(settings, training_id, lines=400)
    # No "Epochs" here: Rasa's cache restores DIET when the same data was trained before.
    assert "rasa train" in log and "bot.nlu.readings" in log
    # The copy of the data is gone; the project's own data never saw the correction.
    assert not (review_training.training_dir(settings, training_id) / "nlu_data").exists()
    assert not (PROJECT / "nlu_data" / "es" / "corrections.yml").exists()


def test_a_training_that_fails_says_why_and_leaves_the_live_model(
    settings, sessions, tmp_path, monkeypatch
):
    broken = tmp_path / "project"
    for folder in ("nlu_data", "domain", "dialogue"):
        shutil.copytree(PROJECT / folder, broken / folder)
    (broken / "config.yml").write_text("pipeline: [{name: NoSuchComponent}]\n", encoding="utf-8")
    monkeypatch.setattr(review_training, "PROJECT", broken)
    training_id = _queued(sessions)
    with sessions() as session:
        training = run_training(session, settings, training_id)
        assert training.status == "failed" and training.finished_at is not None
        assert "exit code" in training.error and "live model is unchanged" in training.error
        training_error = training.error
        assert review_training.active_model(session, settings) == model_path()
        assert session.execute(select(NluTraining.status)).scalars().all() == ["failed"]
    assert "missing mandatory parameters" in training_error
    assert (
        "missing mandatory parameters"
        in Path(review_training.log_path(settings, training_id)).read_text()
    )
