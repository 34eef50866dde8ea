"""The `bco` command line: one click group, one module per command group."""

from __future__ import annotations

from typing import Any

import click

from bco.cli.audit import audit
from bco.cli.backup import backup, restore_command
from bco.cli.case import case
from bco.cli.casefile import casefile
from bco.cli.context import CliContext
from bco.cli.db import db
from bco.cli.demo import demo
from bco.cli.guides import guides
from bco.cli.projections import projections
from bco.cli.report import report
from bco.cli.retention import retention_group
from bco.cli.serve import serve
from bco.cli.token import token
from bco.cli.training import training
from bco.cli.user import user
from bco.config import Settings, SettingsError


class OneLineErrors(click.Group):
    """Bad arguments to a command end with one line naming the option (exit 2), without the
    usage text click prints above it: `--help` shows that."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.ctx = None
            raise


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--as", "actor", default="cli", show_default=True, metavar="NAME",
              help="Who acts: recorded as the actor on every event this command writes.")
@click.pass_context
def main(ctx: click.Context, actor: str) -> None:
    """BCO: guided contact-tracing interviews, stored as events."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx.obj = CliContext(settings=settings, actor=actor)
    ctx.call_on_close(ctx.obj.close)


for command in (db, audit, case, casefile, demo, guides, serve, user, projections, report, token,
                training, retention_group, backup, restore_command):
    main.add_command(command)
