"""`bco projections`: look at, follow and rebuild the read models in views.db."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.projections import rebuilder_for, runner_for
from bco.projections.runner import ReadModelStatus


@click.group("projections")
def projections() -> None:
    """Read models: status, catch up or follow, rebuild."""


@projections.command("status")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array of {name, position, store_position, lag, error, "
                   "error_event}.")
@click.pass_obj
@mapped_errors
def status(ctx: CliContext, as_json: bool) -> None:
    """Per read model: its position, the store's position, lag in events, and any error."""
    found = runner_for(ctx.app).status()
    if as_json:
        echo_json([s.to_json() for s in found])
        return
    for entry in found:
        line = (f"{entry.name:<14} position {entry.position:>8} of {entry.store_position:<8} "
                f"lag {entry.lag}")
        if entry.error:
            line += f"  STOPPED at notification {entry.error_event}: {entry.error}"
        click.echo(line)


@projections.command("rebuild")
@click.option("--only", "only", metavar="NAME", help="Rebuild one read model (e.g. worklist).")
@click.pass_obj
@mapped_errors
def rebuild(ctx: CliContext, only: str | None) -> None:
    """Replay the event log into a new views.db and swap it in; safe while the server runs."""
    rebuilder = rebuilder_for(ctx.app)
    runner = rebuilder.runner
    if only is not None and only not in {m.name for m in runner.read_models}:
        known = ", ".join(m.name for m in runner.read_models)
        raise click.BadParameter(f"No read model named '{only}'; known: {known}.",
                                 param_hint="--only")
    with click.progressbar(length=rebuilder.remaining_events(),
                           label="Replaying events") as bar:
        rebuilder.rebuild(only=only, progress=bar.update)
    _report_stopped(runner.status())
    click.echo(f"Rebuilt {only or 'all read models'} at {runner.views_path}.")


@projections.command("run")
@click.option("--follow", is_flag=True, help="Keep following new events until interrupted.")
@click.pass_obj
@mapped_errors
def run(ctx: CliContext, follow: bool) -> None:
    """Catch the read models up with the event store once, or keep following it."""
    runner = runner_for(ctx.app)
    read = runner.catch_up()
    click.echo(f"Caught up: {read} events read.")
    _report_stopped(runner.status())
    if follow:
        click.echo("Following; press Ctrl-C to stop.")
        try:
            runner.follow()
        except KeyboardInterrupt:
            runner.stop()


def _report_stopped(found: list[ReadModelStatus]) -> None:
    for entry in found:
        if entry.error:
            click.echo(f"Read model {entry.name} stopped at notification {entry.error_event}: "
                       f"{entry.error}. Fix the cause and run again; it retries from there.",
                       err=True)
