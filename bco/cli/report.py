"""`bco report`: figures for team leads and the health authority, from the read models."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.projections import runner_for
from bco.projections.caseload import caseload_summary


@click.group("report")
def report() -> None:
    """Reports built from the read models."""


@report.command("caseload")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"total", "by_status", "by_tracer", "by_team", "by_disease", '
                   '"by_age"}; each adds up to total.')
@click.pass_obj
@mapped_errors
def caseload(ctx: CliContext, as_json: bool) -> None:
    """Cases per status, tracer, team, disease and age group (catches up first)."""
    runner = runner_for(ctx.app)
    runner.catch_up()
    with runner.reading() as db:
        summary = caseload_summary(db)
    if as_json:
        echo_json(summary)
        return
    click.echo(f"Total cases: {summary['total']}")
    for key, counts in summary.items():
        if key == "total":
            continue
        click.echo(f"{key.removeprefix('by_').capitalize()}:")
        for value, count in counts.items():
            click.echo(f"  {value:<24} {count:>6}")
