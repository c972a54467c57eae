"""`bot sms try`: text the running line as a family would."""

from __future__ import annotations

import click

from bot.cli.common import read_settings


@click.group()
def sms() -> None:
    """Talk to the running line as a family would."""


@sms.command("try")
@click.argument("text")
@click.option("--from", "from_number", default="+13235550100", show_default=True)
@click.option(
    "--url", default=None, help="Webhook URL (default: http://127.0.0.1:$PORT/twilio/sms)"
)
def sms_try(text: str, from_number: str, url: str | None) -> None:
    """Send TEXT as a Twilio-signed SMS to the running web process and print the reply."""
    from bot.sms.inbound_request import send_signed_sms

    settings = read_settings()
    if not settings.twilio_auth_token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set (run `bot env init`).")
    url = url or f"http://127.0.0.1:{settings.port}/twilio/sms"
    try:
        status, replies = send_signed_sms(url, settings.twilio_auth_token, from_number, text)
    except OSError as error:
        raise click.ClickException(
            f"cannot reach {url}: is `make run` running? ({error})"
        ) from None
    if status != 200:
        raise click.ClickException(f"{url} answered HTTP {status}")
    if not replies:
        click.echo("(no reply)")
    for reply in replies:
        click.echo(reply)
