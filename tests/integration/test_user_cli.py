"""`bot user ...`: what an operator runs to make the first admin and look after accounts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.models import AuditLog, StaffUser
from bot.staff.accounts import MAX_FAILED_LOGINS, authenticate, user_for_token


@pytest.fixture
def bot_cli(migrated_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    runner = CliRunner()

    def run(*args, stdin: str | None = None):
        return runner.invoke(
            main, list(args), input=stdin, env={"DATABASE_URL": migrated_db}, catch_exceptions=False
        )

    return run


def test_create_an_admin_with_the_password_from_stdin(bot_cli, sessions):
    result = bot_cli(
        "user", "create", "Ana@Partnership.test", "--role", "admin", "--name", "Ana",
        "--password-stdin", stdin="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created admin account ana@partnership.test" in result.output
    with sessions() as session:
        user = session.execute(select(StaffUser)).scalar_one()
        assert (user.email, user.role, user.name) == ("ana@partnership.test", "admin", "Ana")
        assert authenticate(session, "ana@partnership.test", "a long enough password").user
        assert session.execute(select(AuditLog.action)).scalars().all() == ["staff_user.create"]


def test_the_password_is_asked_for_twice_when_not_piped(bot_cli, sessions):
    result = bot_cli("user", "create", "rosa@partnership.test", stdin="first password\nother\n")
    assert result.exit_code != 0
    result = bot_cli(
        "user", "create", "rosa@partnership.test", stdin="same password!\nsame password!\n"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["not-an-email"], "a long enough password\n", "is not an email address"),
        (["rosa@partnership.test"], "short\n", "at least 10 characters"),
        (["rosa@partnership.test", "--role", "owner"], "a long enough password\n", "owner"),
    ],
)
def test_bad_input_is_one_clear_line(bot_cli, args, stdin, message):
    result = bot_cli("user", "create", *args, "--password-stdin", stdin=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_a_second_account_with_the_same_email_is_refused(bot_cli):
    assert (
        bot_cli("user", "create", "rosa@p.test", "--password-stdin", stdin="x" * 12).exit_code == 0
    )
    again = bot_cli("user", "create", "ROSA@p.test", "--password-stdin", stdin="y" * 12)
    assert again.exit_code == 1
    assert "already an account" in again.output


def test_unlock_password_token_and_list(bot_cli, sessions):
    bot_cli("user", "create", "rosa@p.test", "--password-stdin", stdin="x" * 12)
    with sessions() as session:
        for _ in range(MAX_FAILED_LOGINS):
            authenticate(session, "rosa@p.test", "wrong")
        session.commit()
    assert "locked" in bot_cli("user", "list").output
    assert bot_cli("user", "unlock", "rosa@p.test").exit_code == 0
    assert (
        bot_cli("user", "password", "rosa@p.test", "--password-stdin", stdin="z" * 12).exit_code
        == 0
    )
    with sessions() as session:
        assert authenticate(session, "rosa@p.test", "z" * 12).outcome == "ok"
    token = bot_cli("user", "token", "rosa@p.test").stdout.strip()
    with sessions() as session:
        assert user_for_token(session, token).email == "rosa@p.test"
    missing = bot_cli("user", "unlock", "nobody@p.test")
    assert missing.exit_code == 1 and "no account for nobody@p.test" in missing.output
