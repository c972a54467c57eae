"""`bot broadcast`: announcements to many families at once, from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import read_settings, staff_session


@click.group()
def broadcast() -> None:
    """Announcements to many families at once: preview, send, follow, pause, cancel."""


AUDIENCE_HELP = (
    "Who gets it: everyone | school:SLUG | neighborhood:SLUG | language:en|es | session:ID "
    "| list:FILE (a CSV or text file of numbers)."
)


def _audience(session, to: str, waitlist: bool):
    from bot.broadcasting.audience import Audience, AudienceError, parse_numbers

    kind, _, value = to.partition(":")
    data: dict = {"kind": kind}
    try:
        if kind in ("school", "neighborhood", "language"):
            data[kind] = value
        elif kind == "session":
            if not value.isdigit():
                raise AudienceError("Give the session's number: session:12 (see the console).")
            data.update(session_id=int(value), include_waitlist=waitlist)
        elif kind == "list":
            path = Path(value)
            if not path.is_file():
                raise AudienceError(f"There is no file {value!r}.")
            return Audience.from_list(parse_numbers(path.read_bytes()))
        return Audience.parse(data, session=session)
    except AudienceError as error:
        raise click.ClickException(str(error)) from None


def _print_preview(result) -> None:
    from bot.text.languages import name_of

    click.echo(f"To: {result.audience}: {_families(result.recipients)}")
    skipped = result.exclusions
    if skipped.total or skipped.rejected:
        click.echo(
            f"Left out: {skipped.opted_out:,} opted out, {skipped.invalid:,} invalid numbers, "
            f"{skipped.duplicates:,} repeated; {len(skipped.rejected):,} lines were no number"
        )
    for figures in result.by_language.values():
        click.echo(
            f"{name_of(figures.language)}: {_families(figures.recipients)}, "
            f"{figures.characters} characters, "
            f"{figures.segments} segment{'s' if figures.segments != 1 else ''} "
            f"({figures.encoding}), ${figures.cost:,.2f}"
        )
    click.echo(f"Cost: ${result.total_cost:,.2f} at ${result.price_per_segment} a segment")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}")


def _broadcast_options(command):
    for option in reversed(
        [
            click.option("--en", "english", default="", help="The English text."),
            click.option("--es", "spanish", default="", help="The Spanish text."),
            click.option("--to", "to", required=True, help=AUDIENCE_HELP),
            click.option(
                "--waitlist", is_flag=True, help="With session:ID, the waitlist gets it too."
            ),
        ]
    ):
        command = option(command)
    return command


@broadcast.command("preview")
@_broadcast_options
def broadcast_preview(english: str, spanish: str, to: str, waitlist: bool) -> None:
    """Who would get it, segments per language and cost; sends nothing."""
    from bot.broadcasting.compose import ComposeError, clean_texts, preview_for

    settings = read_settings()
    with staff_session() as session:
        audience = _audience(session, to, waitlist)
        try:
            result = preview_for(
                session, clean_texts({"en": english, "es": spanish}), audience, settings
            )
        except ComposeError as error:
            raise click.ClickException(str(error)) from None
        session.rollback()  # a list's new numbers are not kept by a preview
    _print_preview(result)


def _local_time(text: str):
    from bot.broadcasting.compose import ComposeError, parse_when

    try:
        return parse_when(text)
    except ComposeError as error:
        raise click.ClickException(f"--at must be a Los Angeles time: {error}") from None


@broadcast.command("send")
@_broadcast_options
@click.option("--title", default=None, help="Your label for it in the history.")
@click.option("--at", "at", default=None, help="Send later: Los Angeles time, 2026-12-01 09:00.")
@click.option("--urgent", is_flag=True, help="Send outside the send window (SEND_WINDOW) too.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def broadcast_send(
    english: str,
    spanish: str,
    to: str,
    waitlist: bool,
    title: str | None,
    at: str | None,
    urgent: bool,
    yes: bool,
) -> None:
    """Send now (or --at a time): the workers send at SEND_RATE_PER_SECOND."""
    from bot.broadcasting import service
    from bot.broadcasting.compose import ComposeError, clean_texts, preview_for
    from bot.worker import build_huey

    settings = read_settings()
    when = _local_time(at) if at else None
    with staff_session() as session:
        audience = _audience(session, to, waitlist)
        texts = {"en": english, "es": spanish}
        try:
            previewed = preview_for(session, clean_texts(texts), audience, settings)
            _print_preview(previewed)
            if not yes:
                click.confirm("Send it?", abort=True)
            created = service.create_broadcast(
                session,
                build_huey(settings),
                settings,
                service.Actor(None, "cli"),
                texts,
                audience,
                title=title,
                scheduled_at=when,
                urgent=urgent,
                previewed_families=previewed.recipients,
            )
        except ComposeError as error:
            raise click.ClickException(str(error)) from None
        broadcast_id = created.broadcast.id
    if created.started:
        click.echo(
            f"Broadcast {broadcast_id} is sending. Follow it: bot broadcast status {broadcast_id}"
        )
        if created.queued is False:
            click.echo(QUEUE_LATE)
        _say_if_quiet_hours(created.quiet_until)
    else:
        click.echo(f"Broadcast {broadcast_id} is scheduled for {at} (Los Angeles time).")


# What the operator is told when the send queue (Redis, or Huey's SQLite file) did not answer.
QUEUE_LATE = "The send queue did not answer: the worker starts sending within a minute or two."


def _find_broadcast(session, broadcast_id: int):
    from bot.models import Broadcast

    found = session.get(Broadcast, broadcast_id)
    if found is None:
        raise click.ClickException(f"There is no broadcast {broadcast_id}.")
    return found


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
def broadcast_status(broadcast_id: int) -> None:
    """Progress of one broadcast: queued, sent, delivered, failed (by error code and language)."""
    from bot.broadcasting.compose import BUCKET_ORDER, report
    from bot.broadcasting.service import quiet_until

    with staff_session() as session:
        found = _find_broadcast(session, broadcast_id)
        progress = report(session, found)
    click.echo(f"Broadcast {found.id} ({found.title or 'no title'}): {found.state}")
    click.echo(_families(progress.total))
    for bucket in BUCKET_ORDER:
        count = progress.buckets.get(bucket, 0)
        click.echo(
            f"  {bucket.replace('_', ' '):<10} {count:>8,}  {progress.percent(bucket):5.1f}%"
        )
    for code, count in progress.failures_by_code:
        click.echo(f"  failed with error {code}: {count:,}")
    for language, count in progress.failures_by_language.items():
        click.echo(f"  failed in {language}: {count:,}")
    if found.state == "sending" and progress.buckets.get("queued"):
        _say_if_quiet_hours(quiet_until(read_settings(), found))


def _families(count: int) -> str:
    return f"{count:,} famil{'y' if count == 1 else 'ies'}"


def _say_if_quiet_hours(held) -> None:
    """Tells the operator when the texts wait for SEND_WINDOW (the console says it too)."""
    from bot.text.staff_time import staff_time

    if held is not None:
        click.echo(
            f"It is quiet hours: the texts wait until {staff_time(held)} "
            "(Los Angeles time). Only an urgent broadcast (--urgent) goes out now."
        )


def _change_state(broadcast_id: int, change: str) -> None:
    from bot.broadcasting import service, states
    from bot.worker import build_huey

    settings = read_settings()
    done = service.CHANGES[change][1]
    with staff_session() as session:
        found = _find_broadcast(session, broadcast_id)
        try:
            changed = service.change_broadcast(
                session, build_huey(settings), service.Actor(None, "cli"), found, change
            )
        except states.BroadcastStateError:
            raise click.ClickException(
                f"Broadcast {broadcast_id} is {found.state}: it cannot be {done}."
            ) from None
    click.echo(f"Broadcast {broadcast_id}: {done}.")
    if changed.queued is False:
        click.echo(QUEUE_LATE)


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
def broadcast_pause(broadcast_id: int) -> None:
    """Stop sending for now (texts on their way still go)."""
    _change_state(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
def broadcast_resume(broadcast_id: int) -> None:
    """Go on sending a paused broadcast."""
    _change_state(broadcast_id, "resume")


@broadcast.command("cancel")
@click.argument("broadcast_id", type=int)
def broadcast_cancel(broadcast_id: int) -> None:
    """Stop for good: no family still waiting gets it."""
    _change_state(broadcast_id, "cancel")


@broadcast.command("list")
def broadcast_list() -> None:
    """The latest broadcasts and their state."""
    from bot.broadcasting.history import history

    with staff_session() as session:
        latest, _ = history(session, 30)
        for found in latest:
            click.echo(
                f"{found.id}\t{found.state}\t{_families(found.recipients or 0)}\t"
                f"{found.title or (found.texts or {}).get('es', '')[:40]}"
            )
