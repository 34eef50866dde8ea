"""`bco backup` and `bco restore`: a copy of the event store and the practice store while BCO
serves, and putting one back into an empty data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bco.backup import BackupError, Manifest, back_up, restore
from bco.cli.context import CliContext, mapped_errors
from bco.projections import rebuilder_for

DIRECTORY = click.Path(path_type=Path, file_okay=False)


@click.command("backup")
@click.argument("directory", type=DIRECTORY)
@click.pass_obj
@mapped_errors
def backup(ctx: CliContext, directory: Path) -> None:
    """Copy the event store (events, snapshots, case keys) and the practice sandbox's store
    into DIRECTORY, new or empty, with a manifest; safe while the server runs. The events key
    is not copied."""
    try:
        manifest = back_up(ctx.settings, directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = ", ".join(f"{table} {count}" for table, count in manifest.rows.items())
    click.echo(f"Backed up {manifest.events} events to {directory / manifest.file} "
               f"({manifest.size} bytes, sha256 {manifest.sha256[:16]}…; {rows}).")
    click.echo(_practice_line(manifest, "Backed up", lambda name: directory / name))
    click.echo(f"The events key is not in the backup: keep {ctx.settings.key_file} "
               "(BCO_KEY_FILE) safe, and apart from it.")


@click.command("restore")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_obj
@mapped_errors
def restore_command(ctx: CliContext, directory: Path) -> None:
    """Put the backup in DIRECTORY back as the event store (and practice store) of an empty
    BCO_DATA_DIR (SQLite; for PostgreSQL it says how with pg_restore), then rebuild the read
    models."""
    try:
        manifest = restore(ctx.settings, directory)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {manifest.events} events from the backup of {manifest.created_at} "
               f"to {ctx.settings.events_path}.")
    click.echo(_practice_line(manifest, "Restored", lambda _: ctx.settings.training_events_path))
    rebuilder = rebuilder_for(ctx.app)  # opening it checks the events key against the store
    with click.progressbar(length=rebuilder.remaining_events(),
                           label="Rebuilding the read models") as bar:
        rebuilder.rebuild(progress=bar.update)
    click.echo(f"Read models rebuilt at {rebuilder.runner.views_path}.")


def _practice_line(manifest: Manifest, done: str, where: Callable[[str], Path]) -> str:
    """What became of the practice sandbox's store (trainees' records and results)."""
    practice = manifest.practice
    if practice is None:
        return ("No practice store: this backup was made before 'bco backup' copied it, so "
                "the sandbox's practice records are not in it.")
    if practice.file is None:
        return f"No practice store: {practice.note}."
    rows = ", ".join(f"{table} {count}" for table, count in practice.rows.items())
    return f"{done} the practice store's {practice.events} events ({where(practice.file)}; {rows})."
