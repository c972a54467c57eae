"""`bot retention`: what is older than RETENTION_DAYS goes, on demand."""

from __future__ import annotations

import click

from bot.cli.common import read_settings, sessions_for


@click.group()
def retention() -> None:
    """How long the line keeps families' data (RETENTION_DAYS; docs/privacy.md)."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Remove now what is older than RETENTION_DAYS (the worker does it daily at 03:30)."""
    from bot.privacy.retention import audit_detail, purge
    from bot.privacy.retention import dry_run as count_only
    from bot.staff import audit

    settings = read_settings()
    if not settings.retention_days:
        click.echo("RETENTION_DAYS is 0: the line keeps everything, so nothing is purged.")
        return
    sessions = sessions_for(settings)
    if dry_run:
        report = count_only(sessions, settings)
    else:
        report = purge(sessions, settings)
        with sessions() as session:
            audit.record_cli(session, "retention.purge", **audit_detail(report))
            session.commit()
    for line in report.lines():
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
