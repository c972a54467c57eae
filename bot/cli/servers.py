"""`bot train`, `bot worker`, `bot run` and `bot haproxy-config`: the model and the line's
processes."""

from __future__ import annotations

import sys

import click

from bot.cli.common import read_settings


@click.command()
def train() -> None:
    """Train the Rasa model if config, domain or training data changed since the last one."""
    from bot.nlu.training import ensure_model, model_path

    target = model_path()
    if target.exists():
        click.echo(f"Model is current: {target}")
        return
    _require_rasa_environment()  # training runs there
    click.echo(f"Training {target.name} (about three minutes on two cores)…")
    click.echo(f"Model ready: {ensure_model()}")


@click.command()
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker threads (default: a broadcast's lanes at SEND_RATE_PER_SECOND, plus 2).",
)
def worker(workers: int | None) -> None:
    """Run the background worker (Huey consumer)."""
    from bot.worker import run_worker

    run_worker(read_settings(), workers=workers)


@click.command()
@click.option(
    "--scaled",
    is_flag=True,
    help="The production topology on this machine: replicas behind HAProxy (docs/deploy.md).",
)
@click.option(
    "--replicas", default=2, show_default=True, help="Rasa and action servers (--scaled)."
)
@click.option("--workers", default=2, show_default=True, help="Worker processes (--scaled).")
@click.option("--web-workers", default=2, show_default=True, help="gunicorn workers (--scaled).")
def run(scaled: bool, replicas: int, workers: int, web_workers: int) -> None:
    """Start web, Rasa server, action server and worker in the foreground. Ctrl-C stops all."""
    from bot.processes.command_lines import (
        Topology,
        all_processes,
        child_env,
        local_url,
        scaled_processes,
    )
    from bot.processes.supervisor import run_all

    settings = read_settings()
    _require_rasa_environment()  # the Rasa server runs there
    if scaled:
        _check_shared_state(settings)
        _check_haproxy()
    model = _model_to_serve(settings)
    if scaled:
        topology = Topology.around(
            settings, replicas, web_workers=web_workers, workers=workers, log_senders=True
        )
        # A model staff choose on the Training page must reach each replica, not the balancer.
        settings = settings.with_overrides(
            rasa_replica_urls=tuple(local_url(port) for port in topology.rasa_ports)
        )
        specs = scaled_processes(settings, model, topology)
    else:
        specs = all_processes(settings, model)

    def ready() -> None:
        lines = ["", "The family text line is running:"] + [f"  {s.listens}" for s in specs]
        lines += [
            f"  Database        {mask_url(settings.database_url)}",
            '  Try it:         .venv/bin/bot sms try "hola, donde queda markham?"',
            "  Ctrl-C stops everything.",
            "",
        ]
        click.echo("\n".join(lines))

    sys.exit(run_all(specs, child_env(settings), ready))


def _require_rasa_environment() -> None:
    """One line saying how to build Rasa's environment when it is missing, not a traceback from
    the first subprocess that needs it."""
    from bot.rasa.venv import RasaMissing, rasa_program

    try:
        rasa_program("rasa")
    except RasaMissing as missing:
        raise click.ClickException(str(missing)) from None


def _model_to_serve(settings):
    """The model staff last chose on the Training page, or the project's (`bot train`)."""
    from bot.db import engine_for, session_factory
    from bot.nlu.review_training import active_model

    with session_factory(engine_for(settings.database_url))() as session:
        model = active_model(session, settings)
    if not model.exists():
        raise click.ClickException(f"no trained model at {model}: run `bot train` first")
    return model


def _check_shared_state(settings) -> None:
    # Replicas share conversations through PostgreSQL (Rasa's trackers) and Redis (its locks,
    # Huey's queue): on SQLite and in-memory stores each replica would have its own.
    problems = []
    if not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL=postgresql://user@host:5432/family_line")
    if not settings.redis_url:
        problems.append("REDIS_URL=redis://host:6379/0")
    if problems:
        raise click.ClickException(
            "the scaled topology keeps conversations in PostgreSQL and Redis; set "
            + " and ".join(problems)
            + " (make run-scaled sets local ones)"
        )


def _check_haproxy() -> None:
    from bot.processes.haproxy import INSTALL_HINT, find_haproxy

    if find_haproxy() is None:
        raise click.ClickException(INSTALL_HINT)


def mask_url(url: str) -> str:
    """A database or Redis URL with its password hidden, for the console."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: show nothing of it rather than a secret
        return "(set)"


@click.command("haproxy-config")
@click.argument("kind", type=click.Choice(["rasa", "actions"]))
@click.option("--bind", "bind", required=True, help="Where HAProxy listens, HOST:PORT.")
@click.option(
    "--replica", "replicas", multiple=True, required=True, help="A replica's HOST:PORT (repeat)."
)
def haproxy_config(kind: str, bind: str, replicas: tuple[str, ...]) -> None:
    """Print the HAProxy config for the Rasa replicas or the action servers on other machines:
    the one `bot run --scaled` and the topology test run (docs/deploy.md)."""
    from bot.processes.haproxy import Balancer, config_text

    for option, address in [("--bind", bind), *(("--replica", r) for r in replicas)]:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise click.BadParameter(
                f"{address!r} is not HOST:PORT (e.g. 10.0.0.11:5005)", param_hint=option
            )
    host, _, port = bind.rpartition(":")
    click.echo(config_text(Balancer.in_front_of(kind, int(port), list(replicas), host)), nl=False)
