"""`bco demo`: fill an empty store with realistic demo cases."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, mapped_errors
from bco.demo import DEMO_ACCOUNTS, load_demo, load_demo_accounts


@click.command("demo")
@click.option("--cases", type=click.IntRange(1, 100_000), default=60, show_default=True,
              help="How many demo cases to create.")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed; the same seed gives the same cases.")
@click.option("--accounts-only", is_flag=True,
              help="Only create (and print) the demo sign-ins, no cases.")
@click.pass_obj
@mapped_errors
def demo(ctx: CliContext, cases: int, seed: int, accounts_only: bool) -> None:
    """Create demo sign-ins and cases across every status; running it again adds nothing twice."""
    app = ctx.app
    load_demo_accounts(app)
    if not accounts_only:
        with click.progressbar(length=cases, label="Demo cases") as bar:
            created = load_demo(app, cases=cases, now=app.clock(), seed=seed,
                                progress=bar.update)
        skipped = cases - created
        click.echo(f"Created {created} demo cases"
                   + (f", {skipped} existed already." if skipped else "."))
    click.echo("Demo sign-ins (name / password):")
    for name, role, team, _language, password in DEMO_ACCOUNTS:
        click.echo(f"  {name:<10} {password:<22} {role}" + (f", team {team}" if team else ""))
