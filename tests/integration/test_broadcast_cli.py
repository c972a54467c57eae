"""`bot broadcast ...`: what an operator runs to preview, send and follow a broadcast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.models import Broadcast, Contact, Delivery, School, utcnow
from bot.text.dates import LOCAL_TZ


@pytest.fixture
def bot_cli(seeded_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    runner = CliRunner()
    environ = {
        "DATABASE_URL": seeded_db,
        "VAR_DIR": str(tmp_path / "var"),
        "SEGMENT_PRICE": "0.01",
        "REDIS_URL": "",
    }

    def run(*args, stdin: str | None = None):
        return runner.invoke(main, list(args), input=stdin, env=environ, catch_exceptions=False)

    return run


@pytest.fixture
def markham_families(sessions):
    with sessions() as session:
        markham = session.execute(select(School.id).filter_by(slug="markham")).scalar_one()
        for number, language, opted_out in (
            ("+13235550180", "en", False),
            ("+13235550181", "es", False),
            ("+13235550182", "es", False),
            ("+13235550183", "es", True),
        ):
            session.add(
                Contact(phone=number, language=language, school_id=markham, opted_out=opted_out)
            )
        session.commit()


ENGLISH = "Markham is closed Friday for a teacher training day."
SPANISH = "Markham estará cerrada el viernes por capacitación de maestros."


def test_preview_says_who_gets_what_and_the_cost(bot_cli, markham_families):
    result = bot_cli(
        "broadcast", "preview", "--en", ENGLISH, "--es", SPANISH, "--to", "school:markham"
    )
    assert result.exit_code == 0, result.output
    assert "3 families" in result.output
    assert "1 opted out" in result.output
    assert "English: 1 family, 52 characters, 1 segment (GSM-7), $0.01" in result.output
    assert "Spanish: 2 families" in result.output and "(UCS-2)" in result.output
    assert "Cost: $0.03" in result.output


def test_send_now_makes_a_row_per_family_and_status_follows_it(bot_cli, markham_families, sessions):
    result = bot_cli(
        "broadcast", "send", "--en", ENGLISH, "--es", SPANISH, "--to", "school:markham",
        "--title", "Markham closed Friday", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with sessions() as session:
        broadcast = session.execute(select(Broadcast)).scalar_one()
        assert (broadcast.state, broadcast.recipients) == ("sending", 3)
        rows = session.execute(select(Delivery.phone, Delivery.language, Delivery.status)).all()
        assert sorted(rows) == [
            ("+13235550180", "en", "pending"),
            ("+13235550181", "es", "pending"),
            ("+13235550182", "es", "pending"),
        ]
    assert f"Broadcast {broadcast.id} is sending" in result.output
    status = bot_cli("broadcast", "status", str(broadcast.id))
    assert "3 families" in status.output and "queued            3  100.0%" in status.output
    assert "paused" in bot_cli("broadcast", "pause", str(broadcast.id)).output
    again = bot_cli("broadcast", "pause", str(broadcast.id))
    assert again.exit_code == 1 and "is paused: it cannot be paused" in again.output
    assert "resumed" in bot_cli("broadcast", "resume", str(broadcast.id)).output
    assert "cancelled" in bot_cli("broadcast", "cancel", str(broadcast.id)).output
    with sessions() as session:
        statuses = session.execute(select(Delivery.status)).scalars().all()
        assert statuses == ["cancelled"] * 3
    assert "Markham closed Friday" in bot_cli("broadcast", "list").output


def test_a_later_send_is_scheduled_without_rows_yet(bot_cli, markham_families, sessions):
    result = bot_cli(
        "broadcast", "send", "--es", SPANISH, "--to", "school:markham",
        "--at", "2031-03-02 09:00", "--yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "scheduled for 2031-03-02 09:00" in result.output
    with sessions() as session:
        broadcast = session.execute(select(Broadcast)).scalar_one()
        assert broadcast.state == "scheduled" and broadcast.recipients is None
        assert session.execute(select(Delivery)).first() is None


@pytest.mark.parametrize(
    "args, words",
    [
        (["--to", "school:hogwarts", "--es", SPANISH], "hogwarts"),
        (["--to", "session:abc", "--es", SPANISH], "session's number"),
        (["--to", "list:/nowhere.csv", "--es", SPANISH], "no file"),
        (["--to", "everyone"], "Write the message"),
        (["--to", "everyone", "--es", SPANISH, "--at", "tomorrow"], "--at must be"),
    ],
)
def test_mistakes_are_one_clear_line_and_nothing_is_made(bot_cli, sessions, args, words):
    result = bot_cli("broadcast", "send", *args, "--yes")
    assert result.exit_code == 1
    assert words in result.output
    with sessions() as session:
        assert session.execute(select(Broadcast)).first() is None


def _window_in_two_hours() -> str:
    # A one-hour SEND_WINDOW starting two hours from now, Los Angeles time: now is quiet.
    start = (utcnow().astimezone(LOCAL_TZ) + timedelta(hours=2)).hour
    return f"{start:02d}:00-{start:02d}:59"


@pytest.mark.parametrize("window, quiet", [(None, True), ("00:00-23:59", False)])
def test_the_operator_is_told_when_quiet_hours_hold_the_texts(
    bot_cli, markham_families, monkeypatch, window, quiet
):
    monkeypatch.setenv("SEND_WINDOW", window or _window_in_two_hours())
    sent = bot_cli(
        "broadcast", "send", "--en", ENGLISH, "--to", "school:markham", "--title", "t", "--yes"
    )
    assert sent.exit_code == 0, sent.output
    assert ("It is quiet hours: the texts wait until" in sent.output) is quiet
    status = bot_cli("broadcast", "status", "1")
    assert ("It is quiet hours" in status.output) is quiet


def test_every_change_from_the_command_line_is_in_the_audit_log(
    bot_cli, markham_families, sessions
):
    from bot.models import AuditLog

    sent = bot_cli("broadcast", "send", "--en", ENGLISH, "--to", "school:markham", "--yes")
    assert sent.exit_code == 0, sent.output
    with sessions() as session:
        broadcast_id = session.execute(select(Broadcast.id)).scalar_one()
    for change in ("pause", "resume", "cancel"):
        assert bot_cli("broadcast", change, str(broadcast_id)).exit_code == 0
    with sessions() as session:
        entries = session.execute(select(AuditLog).order_by(AuditLog.id)).scalars().all()
    assert [e.action for e in entries] == [
        "broadcast.create", "broadcast.pause", "broadcast.resume", "broadcast.cancel",
    ]  # fmt: skip
    assert {e.target_id for e in entries} == {str(broadcast_id)}
    assert all(e.detail["via"] == "cli" and e.detail["operator"] for e in entries)
    assert entries[0].detail["recipients"] == 3
    assert entries[3].detail["deliveries_cancelled"] == 3


def test_a_queue_that_does_not_answer_is_said_plainly_and_the_broadcast_still_goes(
    bot_cli, markham_families, sessions, monkeypatch
):
    from bot.broadcasting import tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(tasks, "enqueue_lanes", unreachable)
    sent = bot_cli("broadcast", "send", "--en", ENGLISH, "--to", "school:markham", "--yes")
    assert sent.exit_code == 0, sent.output
    assert "the worker starts sending within a minute or two" in sent.output
    with sessions() as session:
        broadcast = session.execute(select(Broadcast)).scalar_one()
        assert broadcast.state == "sending"  # the worker's clock starts its lanes
    assert bot_cli("broadcast", "pause", str(broadcast.id)).exit_code == 0
    resumed = bot_cli("broadcast", "resume", str(broadcast.id))
    assert resumed.exit_code == 0 and "within a minute or two" in resumed.output
