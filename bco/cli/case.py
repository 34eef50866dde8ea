"""`bco case`: register a case, look at it, read its history, send the index a link."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import click

from bco.application import Issued
from bco.cli.case_id import CaseId
from bco.cli.context import CliContext, echo_json, mapped_errors, terminal_safe
from bco.cli.guides import ISO_DATE
from bco.domain.case import LANGUAGES, Case, IndexPerson
from bco.domain.event_data import plain


@click.group("case")
def case() -> None:
    """Register, show and audit cases."""


@case.command("register")
@click.option("--name", required=True, help="Full name of the index person.")
@click.option("--phone", required=True, help="Phone number; normalised to E.164.")
@click.option("--disease", required=True, help="A disease that has an interview guide.")
@click.option("--onset", type=ISO_DATE, help="Symptom onset date, YYYY-MM-DD.")
@click.option("--test-date", type=ISO_DATE, help="Test date (YYYY-MM-DD) when asymptomatic.")
@click.option("--birth-date", type=ISO_DATE, help="Birth date, YYYY-MM-DD.")
@click.option("--email", help="E-mail address.")
@click.option("--postcode", help="Postcode.")
@click.option("--language", type=click.Choice(LANGUAGES), default="nl", show_default=True,
              help="Language to speak with the index.")
@click.option("--source", default="cli", show_default=True,
              help="Where the notification came from (lab, GP, portal…).")
@click.option("--command-id", help="Client command id: a retry with the same id registers "
                                   "nothing twice.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as one JSON object.")
@click.pass_obj
@mapped_errors
def register(ctx: CliContext, name: str, phone: str, disease: str, onset: date | None,
             test_date: date | None, birth_date: date | None, email: str | None,
             postcode: str | None, language: str, source: str, command_id: str | None,
             as_json: bool) -> None:
    """Register a new case (give --onset, or --test-date when there are no symptoms)."""
    if (onset is None) == (test_date is None):
        raise click.UsageError(
            "Give exactly one of --onset (symptom onset) or --test-date (no symptoms).")
    person = IndexPerson(name=name, phone=phone, birth_date=birth_date, email=email,
                         postcode=postcode, language=language)
    recorded = ctx.app.register_case(
        person=person, disease=disease, onset=onset, test_date=test_date,
        source=source, actor=ctx.actor, command_id=command_id)
    registered = ctx.app.get_case(recorded.aggregate_id)
    link = None
    if ctx.settings.invite_on_register and not registered.invitations:
        link = link_summary(ctx.app.invite_index(registered.id, actor=ctx.actor))
        registered = ctx.app.get_case(registered.id)
    if as_json:
        echo_json({**case_summary(registered), **({"invitation": link} if link else {})})
    else:
        click.echo(f"Registered case {registered.id} ({registered.disease}).")
        if link:
            click.echo(f"Self-report link (send it to the index): {link['url']}")


@case.command("invite")
@click.argument("case_id", type=CaseId())
@click.option("--json", "as_json", is_flag=True, help='Print {"url": ..., "expires_at": ...}.')
@click.pass_obj
@mapped_errors
def invite(ctx: CliContext, case_id: UUID, as_json: bool) -> None:
    """Make a link for the index to prepare their contacts (earlier links stop working)."""
    link = link_summary(ctx.app.invite_index(case_id, actor=ctx.actor))
    if as_json:
        echo_json(link)
    else:
        click.echo(f"Send this link to the index; it works until {link['expires_at']}:")
        click.echo(link["url"])


@case.command("revoke-invite")
@click.argument("case_id", type=CaseId())
@click.option("--reason", required=True, help="Why the link is withdrawn (kept in the history).")
@click.pass_obj
@mapped_errors
def revoke_invite(ctx: CliContext, case_id: UUID, reason: str) -> None:
    """Stop the case's self-report links at once; what was entered stays for the tracer."""
    ctx.app.revoke_invitations(case_id, reason=reason, actor=ctx.actor)
    click.echo("The link no longer works.")


def link_summary(issued: Issued) -> dict[str, str]:
    """A new link as the command prints it; the token is in the URL and nowhere else."""
    return {"url": issued.url, "expires_at": plain(issued.expires_at)}


@case.command("show")
@click.argument("case_id", type=CaseId())
@click.option("--json", "as_json", is_flag=True, help="Print the case as one JSON object.")
@click.pass_obj
@mapped_errors
def show(ctx: CliContext, case_id: UUID, as_json: bool) -> None:
    """Show a case as it stands now."""
    found = ctx.app.get_case(case_id)
    summary = case_summary(found)
    if as_json:
        echo_json(summary)
        return
    for key, value in summary.items():
        if key != "call_attempts":
            click.echo(terminal_safe(f"{key:>16}: {'' if value is None else value}"))
    for attempt in summary["call_attempts"]:
        click.echo(terminal_safe(
            f"{'call':>16}: {attempt['at']} {attempt['outcome']} {attempt['note']}"))


@case.command("history")
@click.argument("case_id", type=CaseId())
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array of {type, timestamp, actor, version, data}.")
@click.pass_obj
@mapped_errors
def history(ctx: CliContext, case_id: UUID, as_json: bool) -> None:
    """Every event of the case and its interview, oldest first."""
    events = ctx.app.case_history(case_id)
    if as_json:
        echo_json(events)
        return
    for event in events:
        click.echo(terminal_safe(f"{event['timestamp']}  v{event['version']:<3} "
                                 f"{event['type']:<28} by {event['actor']}"))


def case_summary(found: Case) -> dict[str, Any]:
    """A case as plain data for --json output."""
    person = found.person
    return plain({
        "id": found.id, "status": found.status.value, "disease": found.disease,
        "name": person.name, "phone": person.phone, "birth_date": person.birth_date,
        "email": person.email, "postcode": person.postcode, "language": person.language,
        "onset": found.onset, "test_date": found.test_date, "source": found.source,
        "received_at": found.received_at, "tracer": found.tracer, "team": found.team,
        "callback_at": found.callback_at, "interview_id": found.interview_id,
        "closed_reason": found.closed_reason, "version": found.version,
        "call_attempts": found.call_attempts,
    })

