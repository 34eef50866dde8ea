"""`bco token`: bearer tokens for programs that read the export API."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.domain.api_token import TOKEN_ROLES
from bco.projections import runner_for
from bco.projections.api_tokens import api_tokens


@click.group("token")
def token() -> None:
    """Create, revoke and list API tokens."""


@token.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(TOKEN_ROLES),
              help="What the token may do: 'authority' reads the export API, 'intake' posts "
                   "new cases (POST /api/cases, /api/fhir/Bundle).")
@click.option("--expires", "expires_days", type=click.IntRange(min=1), metavar="DAYS",
              help="Days until the token stops working (default: until revoked).")
@click.pass_obj
@mapped_errors
def create(ctx: CliContext, name: str, role: str, expires_days: int | None) -> None:
    """Create token NAME and print it once; only its hash is kept."""
    text, _ = ctx.app.issue_api_token(name, role=role, expires_days=expires_days,
                                      actor=ctx.actor)
    click.echo(text)
    click.echo(f"Created {role} token '{name}'. It is shown only now: keep it in a secret store "
               "and send it as 'Authorization: Bearer <token>'.", err=True)


@token.command("revoke")
@click.argument("name")
@click.pass_obj
@mapped_errors
def revoke(ctx: CliContext, name: str) -> None:
    """Revoke token NAME: it stops working at once; its history stays."""
    ctx.app.revoke_api_token(name, actor=ctx.actor)
    click.echo(f"Revoked '{name}'.")


@token.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="Print a list of {name, role, issued_at, issued_by, expires_at, revoked_at}.")
@click.pass_obj
@mapped_errors
def list_tokens(ctx: CliContext, as_json: bool) -> None:
    """Every token by name, with its role, expiry and revocation (catches up first)."""
    runner = runner_for(ctx.app)
    runner.catch_up()
    with runner.reading() as db:
        rows = api_tokens(db)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No tokens yet; 'bco token create NAME --role authority' makes one.")
    for row in rows:
        state = (f"revoked {row['revoked_at']}" if row["revoked_at"]
                 else f"expires {row['expires_at']}" if row["expires_at"] else "no expiry")
        click.echo(f"{row['name']:<24} {row['role']:<10} issued {row['issued_at']}  {state}")
