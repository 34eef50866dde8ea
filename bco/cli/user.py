"""`bco user`: accounts for tracers, team leads, authorities and admins."""

from __future__ import annotations

import sys

import click

from bco.cli.context import CliContext, mapped_errors
from bco.domain.account import LANGUAGES, Role
from bco.passwords import hash_password


@click.group("user")
def user() -> None:
    """Add and disable accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="What the account may do.")
@click.option("--team", help="Team, e.g. 'north'; team leads see their team's cases.")
@click.option("--language", type=click.Choice(LANGUAGES), default="nl", show_default=True,
              help="Language of the screens for this account.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line).")
@click.pass_obj
@mapped_errors
def add(ctx: CliContext, name: str, role: str, team: str | None, language: str,
        password_stdin: bool) -> None:
    """Add an account NAME; the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\n")
    ctx.app.add_user(name, role=role, team=team, language=language,
                     password_hash=hash_password(password), actor=ctx.actor)
    click.echo(f"Added {role} '{name}'" + (f" in team {team}." if team else "."))


@user.command("disable")
@click.argument("name")
@click.pass_obj
@mapped_errors
def disable(ctx: CliContext, name: str) -> None:
    """Disable account NAME: it can no longer sign in; its history stays."""
    ctx.app.disable_user(name, actor=ctx.actor)
    click.echo(f"Disabled '{name}'.")
