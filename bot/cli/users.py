"""`bot user`: staff accounts for the console and the API."""

from __future__ import annotations

import sys

import click

from bot.cli.common import staff_session


@click.group()
def user() -> None:
    """Staff accounts for the console and the API."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line from stdin, for scripts:
        #   echo "$PASSWORD" | bot user create EMAIL --password-stdin
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["admin", "staff"]),
    default="staff",
    show_default=True,
    help="admin: staff accounts, data and broadcasts too; staff: conversations and sign-ups.",
)
@click.option("--name", default=None, help="How the console shows this person.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_create(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a console account for EMAIL (the password is asked for, or read from stdin)."""
    from bot.staff import audit
    from bot.staff.accounts import AccountError, create_user

    password = _read_password(password_stdin)
    with staff_session() as session:
        try:
            account = create_user(session, email, password, role, name)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        audit.record(session, None, "staff_user.create", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"Created {role} account {account.email}. Log in at /console/login.")


def _account(session, email: str):
    from bot.staff.accounts import find_by_email

    account = find_by_email(session, email)
    if account is None:
        raise click.ClickException(f"There is no account for {email}.")
    return account


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_password(email: str, password_stdin: bool) -> None:
    """Set a new password for EMAIL (and unlock it)."""
    from bot.staff import audit
    from bot.staff.accounts import AccountError, set_password

    with staff_session() as session:
        account = _account(session, email)
        try:
            set_password(account, _read_password(password_stdin))
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        audit.record(session, None, "staff_user.password", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"New password set for {account.email}.")


@user.command("unlock")
@click.argument("email")
def user_unlock(email: str) -> None:
    """Unlock EMAIL after too many wrong passwords."""
    from bot.staff import audit
    from bot.staff.accounts import unlock

    with staff_session() as session:
        account = _account(session, email)
        unlock(session, account.email)
        audit.record(session, None, "staff_user.unlock", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(f"{account.email} is unlocked.")


@user.command("token")
@click.argument("email")
def user_token(email: str) -> None:
    """Make a new API token for EMAIL (the old one stops working); printed once."""
    from bot.staff import audit
    from bot.staff.accounts import issue_api_token

    with staff_session() as session:
        account = _account(session, email)
        token = issue_api_token(account)
        audit.record(session, None, "staff_user.api_token", "staff_user", account.id, via="cli")
        session.commit()
    click.echo(token)
    click.echo(
        "Send it as 'Authorization: Bearer <token>' to /api. It is not shown again.", err=True
    )


@user.command("list")
def user_list() -> None:
    """Every account, its role and whether it is active or locked."""
    from sqlalchemy import select

    from bot.models import StaffUser
    from bot.staff.accounts import is_locked

    with staff_session() as session:
        for account in session.execute(select(StaffUser).order_by(StaffUser.email)).scalars():
            state = "active" if account.active else "switched off"
            if is_locked(session, account.email):
                state += ", locked"
            click.echo(f"{account.email}\t{account.role}\t{state}")
