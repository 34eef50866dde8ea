"""`bco projections`: look at, follow and rebuild the read models in views.db."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bco.audit.store import VIEWS_COPY
from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.projections import rebuilder_for, runner_for
from bco.projections.runner import ReadModelStatus
from bco.projections.views_copy import copy_views


@click.group("projections")
def projections() -> None:
    """Read models: status, catch up or follow, rebuild, copy for a new node."""


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
@click.option("--from", "copy", metavar="FILE", type=click.Path(path_type=Path),
              help="Start from a copy of another node's read models (made there with 'bco "
                   "projections copy FILE') and replay only the events after it.")
@click.pass_obj
@mapped_errors
def rebuild(ctx: CliContext, only: str | None, copy: Path | None) -> None:
    """Replay the event log into a new views.db and swap it in; safe while the server runs."""
    rebuilder = rebuilder_for(ctx.app)
    runner = rebuilder.runner
    if only is not None and copy is not None:
        raise click.UsageError("Give --only or --from, not both: a copy holds every read "
                               "model.")
    if only is not None and only not in {m.name for m in runner.read_models}:
        known = ", ".join(m.name for m in runner.read_models)
        raise click.BadParameter(f"No read model named '{only}'; known: {known}.",
                                 param_hint="--only")
    if copy is not None:
        click.echo(f"Checking {copy}, then replaying the events written since it was made...")
        replayed = _counted(lambda count: rebuilder.join(copy, progress=count))
        _report_stopped(runner.status())
        events = "1 event" if replayed == 1 else f"{replayed} events"
        click.echo(f"Started from {copy} and replayed the {events} written since it was made; "
                   f"the read models are at {runner.views_path}.")
        return
    with click.progressbar(length=rebuilder.remaining_events(),
                           label="Replaying events") as bar:
        rebuilder.rebuild(only=only, progress=bar.update)
    _report_stopped(runner.status())
    click.echo(f"Rebuilt {only or 'all read models'} at {runner.views_path}.")


@projections.command("copy")
@click.argument("target", metavar="FILE", type=click.Path(path_type=Path))
@click.pass_obj
@mapped_errors
def copy(ctx: CliContext, target: Path) -> None:
    """Copy this node's read models, as they stand, for a new node to start from.

    Safe while the server runs. The copy is encrypted as views.db is (under a key derived
    from the events key), but it holds personal data: move it only as you would a backup,
    and delete it once the new node has started from it (bco projections rebuild --from).
    """
    runner = runner_for(ctx.app)
    positions = copy_views(runner.views_path, runner.key, target)
    furthest = max(positions.values(), default=0)
    ctx.log_reads(VIEWS_COPY, [None], detail=f"to {target}, at event {furthest}")
    click.echo(f"Copied the read models at event {furthest} of "
               f"{ctx.app.store_position()} to {target}.")


def _counted(run: Callable[[Callable[[int], None]], None]) -> int:
    """Run `run` with a progress callback and return the events it reported."""
    total = 0

    def count(read: int) -> None:
        nonlocal total
        total += read

    run(count)
    return total


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
