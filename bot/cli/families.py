"""`bot family`: what the line holds about one family, handed over or forgotten."""

from __future__ import annotations

import os
from pathlib import Path

import click

from bot.cli.common import read_settings, sessions_for


@click.group()
def family() -> None:
    """What the line holds about one family: hand it over, or forget it (docs/privacy.md)."""


def _find_family(session, number: str):
    from bot.privacy.family_records import FamilyNotFound, find_family

    try:
        return find_family(session, number)
    except FamilyNotFound as error:
        raise click.ClickException(str(error)) from None


def _write_private(path: Path, text: str) -> None:
    # Readable by the operator's account only: it is a family's whole history with the line.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror}.") from None


@family.command("export")
@click.argument("number")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON to this file (readable by you only) instead of printing it.",
)
def family_export(number: str, out: Path | None) -> None:
    """Everything the line holds about the family at NUMBER, as JSON."""
    import json

    from bot.privacy.family_export import export_family
    from bot.staff import audit
    from bot.text.phone import mask

    with sessions_for(read_settings())() as session:
        contact = _find_family(session, number)
        text = json.dumps(export_family(session, contact), ensure_ascii=False, indent=2) + "\n"
        if out:
            _write_private(out, text)
        else:
            click.echo(text, nl=False)
        audit.record_cli(
            session,
            "family.export",
            "contact",
            contact.id,
            phone=mask(contact.phone),
            to="file" if out else "screen",
        )
        session.commit()
    if out:
        click.echo(f"Wrote everything the line holds about {contact.phone} to {out}.", err=True)


def _rasa_warning(error: str) -> None:
    click.echo(
        f"Warning: {error}. Rasa may still hold this family's conversation (under a random id, "
        "never the number). Run this command again once Rasa is up, or let the daily retention "
        "purge do it.",
        err=True,
    )


def _finish_earlier_forgets(session, settings):
    """Empties Rasa's copy left by earlier forgets while Rasa was down (TrackerOutcome)."""
    from bot.privacy.rasa_copy import clear_pending_trackers

    earlier = clear_pending_trackers(session, settings, via="cli")
    if earlier.cleared:
        families = "family" if earlier.cleared == 1 else "families"
        click.echo(
            f"Emptied Rasa's copy of the conversations of {earlier.cleared} {families} "
            "forgotten while Rasa was down."
        )
    return earlier


def _say_what_is_held(phone: str, held) -> None:
    from dataclasses import replace

    phrases = replace(held, families=0, opt_out_records=0).phrases()
    click.echo(
        f"The line holds about {phone}: {', '.join(phrases)}, and the contact itself."
        if phrases
        else f"The line holds the contact {phone} and nothing more."
    )
    if held.opt_out_records:
        click.echo(
            "This number opted out: the number and its opt-out record stay, so it is never "
            "texted again. Everything else goes."
        )


@family.command("forget")
@click.argument("number")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def family_forget(number: str, yes: bool) -> None:
    """Remove everything the line holds about the family at NUMBER.

    A number that ever opted out keeps its opt-out record, so it is never texted again."""
    from dataclasses import replace

    from bot.privacy.family_records import (
        FamilyNotFound,
        find_family,
        forget_contacts,
        what_forgetting_removes,
    )
    from bot.privacy.rasa_copy import clear_pending_trackers, mark_trackers_pending
    from bot.staff import audit
    from bot.text.phone import mask

    settings = read_settings()
    with sessions_for(settings)() as session:
        earlier = _finish_earlier_forgets(session, settings)
        try:
            contact = find_family(session, number)
        except FamilyNotFound as error:
            if earlier.cleared and not earlier.error:
                # The run an earlier warning asked for: nothing else is left.
                click.echo(f"The line holds nothing else about {number}.")
                return
            if earlier.error:
                _rasa_warning(earlier.error)
            raise click.ClickException(str(error)) from None
        contact_id, phone = contact.id, contact.phone
        _say_what_is_held(phone, what_forgetting_removes(session, contact))
        if not yes:
            click.confirm("Forget this family? It cannot be undone.", abort=True)
        removed, public_ids = forget_contacts(session, [contact_id])
        audit.record_cli(
            session, "family.forget", "contact", contact_id, phone=mask(phone), **removed.counts()
        )
        mark_trackers_pending(session, public_ids, via="cli")
        session.commit()
        gone = replace(removed, families=0, opt_out_records=0).phrases()
        click.echo(f"Forgot the family at {phone}" + (f": {', '.join(gone)}." if gone else "."))
        if removed.opt_out_records:
            click.echo("Kept only the number and its opt-out record, so it is never texted again.")
        rasa = clear_pending_trackers(session, settings, via="cli")
    if rasa.error:
        _rasa_warning(rasa.error)
    else:
        click.echo("Rasa's copy of its conversation is emptied too.")
