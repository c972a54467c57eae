"""`bot`: everything an operator does, from the command line. Errors are one clear line, exit 1.

One module per command group; this one only gathers them under `bot`."""

from __future__ import annotations

import logging

import click

from bot.cli import broadcasts, families, nlu, retention, servers, setup, sms, users


@click.group()
def main() -> None:
    """The Partnership family text line."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


for command in (
    setup.env,
    setup.db,
    servers.train,
    servers.worker,
    servers.run,
    servers.haproxy_config,
    sms.sms,
    users.user,
    nlu.nlu,
    broadcasts.broadcast,
    families.family,
    retention.retention,
):
    main.add_command(command)
