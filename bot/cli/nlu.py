"""`bot nlu`: staff corrections written into the NLU training data."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import read_settings, sessions_for


@click.group()
def nlu() -> None:
    """The bot's training data."""


@nlu.command("corrections")
@click.option(
    "--dir",
    "nlu_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Training data folder (default: the project's nlu_data).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; change nothing.")
def nlu_corrections(nlu_dir: Path | None, dry_run: bool) -> None:
    """Write staff corrections from the console into nlu_data/<lang>/corrections.yml."""
    from bot.db import session_scope
    from bot.models import utcnow
    from bot.nlu.corrections import export_corrections
    from bot.nlu.training import PROJECT

    nlu_dir = nlu_dir or PROJECT / "nlu_data"
    sessions = sessions_for(read_settings())
    with session_scope(sessions) as session:
        summary = export_corrections(session, nlu_dir, utcnow(), dry_run=dry_run)
    verb = "Would add" if dry_run else "Added"
    for language, by_intent in sorted(summary.written.items()):
        for intent, count in sorted(by_intent.items()):
            plural = "s" if count != 1 else ""
            click.echo(f"{verb} {count} example{plural} to {intent} ({language})")
    for skipped in summary.skipped:
        click.echo(
            f"Skipped message {skipped.message_id} ({skipped.language}, {skipped.intent}): "
            f"{skipped.reason}"
        )
    if not summary.files:
        click.echo("No new corrections to write." if not summary.skipped else "Nothing written.")
        return
    files = ", ".join(str(path) for path in summary.files)
    if dry_run:
        click.echo(f"Would write {files}. Nothing was changed.")
        return
    click.echo(f"Wrote {files}.")
    click.echo(
        "Next: review the changes (git diff nlu_data), remove anything personal, then run "
        "`bot train` and `make nlu-eval` to compare the new model with the old one."
    )
