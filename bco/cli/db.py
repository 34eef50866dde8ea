"""`bco db`: prepare the event store and its key."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.storage import KeyNotCreatedError, create_key_file


@click.group("db")
def db() -> None:
    """Prepare and inspect the event store."""


@db.command("init")
@click.pass_obj
@mapped_errors
def init(ctx: CliContext) -> None:
    """Create the data directory, the events key and the tables; safe to run again."""
    ctx.settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        app = ctx.app
    except KeyNotCreatedError:
        create_key_file(ctx.settings.key_file)
        click.echo(f"Created a new events key at {ctx.settings.key_file} (mode 0600). "
                   "Back it up: without it the events cannot be read.")
        app = ctx.app
    click.echo(f"Event store ready ({app.store_description()}), "
               f"{app.store_position()} events.")


@db.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
@mapped_errors
def status(ctx: CliContext, as_json: bool) -> None:
    """Where the events are and how many there are."""
    app = ctx.app
    summary = {"store": app.store_description(), "store_position": app.store_position()}
    if as_json:
        echo_json(summary)
    else:
        click.echo(f"Event store {summary['store']}: {summary['store_position']} events.")
