"""`bco case`: register or import cases, look at one, read its history, send the index a
self-report link."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from bco.application import Issued
from bco.audit.store import CLI_CASE
from bco.cli.case_id import CaseId
from bco.cli.context import CliContext, echo_json, mapped_errors, terminal_safe
from bco.cli.guides import ISO_DATE
from bco.domain.case import LANGUAGES, Case, IndexPerson
from bco.domain.errors import DomainError
from bco.domain.event_data import plain
from bco.domain.reference import case_reference
from bco.intake import Notification, receive
from bco.intake_csv import CsvRefused, RowRefused, read_notifications


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
@click.option("--region", default="",
              help="Country the case comes from (NL, BE…); picks the default guide.")
@click.option("--command-id", help="Client command id: a retry with the same id registers "
                                   "nothing twice.")
@click.option("--json", "as_json", is_flag=True, help="Print the case as one JSON object.")
@click.pass_obj
@mapped_errors
def register(ctx: CliContext, name: str, phone: str, disease: str, onset: date | None,
             test_date: date | None, birth_date: date | None, email: str | None,
             postcode: str | None, language: str, source: str, region: str,
             command_id: str | None, as_json: bool) -> None:
    """Register a new case (give --onset, or --test-date when there are no symptoms)."""
    if (onset is None) == (test_date is None):
        raise click.UsageError(
            "Give exactly one of --onset (symptom onset) or --test-date (no symptoms).")
    person = IndexPerson(name=name, phone=phone, birth_date=birth_date, email=email,
                         postcode=postcode, language=language)
    recorded = ctx.app.register_case(
        person=person, disease=disease, onset=onset, test_date=test_date,
        source=source, region=region, actor=ctx.actor, command_id=command_id)
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
    issued = ctx.app.invite_index(case_id, actor=ctx.actor)
    if as_json:
        echo_json(link_summary(issued))
    else:
        zone = ctx.settings.zone
        until = issued.expires_at.astimezone(zone).strftime("%a %d %b %Y %H:%M")
        click.echo(f"Send this link to the index; it works until {until} ({zone.key}):")
        click.echo(issued.url)


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


@case.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="csv", show_default=True,
              help="Who sent the file; with a row's notification_id it makes the case id, so "
                   "importing the file again creates nothing twice.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of {row, notification_id, result, case_id, field, "
                   "reason} (and invitation {url, expires_at} for a case created with "
                   "BCO_INVITE_ON_REGISTER).")
@click.pass_obj
@mapped_errors
def import_cases(ctx: CliContext, file: Path, source: str, dry_run: bool,
                 as_json: bool) -> None:
    """Register the cases in a CSV file (UTF-8, commas, a header row with the names of
    'case register' in snake case), each row completely or not at all; exit 1 when a row
    was refused."""
    try:
        rows = read_notifications(file.read_bytes())
    except CsvRefused as exc:
        raise click.BadParameter(str(exc), param_hint="FILE") from None
    report: list[dict[str, Any]] = []
    planned: dict[str, Notification] = {}
    with click.progressbar(rows, label="Importing", file=sys.stderr) as bar:
        for row in bar:
            report.append({"row": row.line, **_import_row(ctx, row.read, source, dry_run,
                                                          planned)})
    counts = {result: sum(1 for r in report if r["result"] == result)
              for result in ("created", "would_create", "duplicate", "refused")}
    if as_json:
        echo_json(report)
    else:
        for line in report:
            click.echo(terminal_safe(_report_line(line)))
        click.echo(", ".join(f"{n} {result.replace('_', ' ')}" for result, n in counts.items()
                             if n) + (" (dry run: nothing was written)." if dry_run else "."))
    if counts["refused"]:
        ctx.close()
        sys.exit(1)


def _import_row(ctx: CliContext, read: Notification | RowRefused, source: str, dry_run: bool,
                planned: dict[str, Notification]) -> dict[str, Any]:
    """One row's outcome: created (or would be), a duplicate, or refused with field and why."""
    if isinstance(read, RowRefused):
        return {"notification_id": read.notification_id or None, "result": "refused",
                "case_id": None, "field": read.field, "reason": read.reason}
    earlier = planned.get(read.notification_id)
    try:
        if earlier is not None and earlier != read:
            raise DomainError(f"notification {read.notification_id} is earlier in this file "
                              "with other details", field="notification_id")
        received = receive(ctx.app, read, sender=source, actor=ctx.actor, dry_run=dry_run)
    except DomainError as exc:
        return {"notification_id": read.notification_id, "result": "refused", "case_id": None,
                "field": exc.field or "row", "reason": exc.message}
    fresh = received.created and earlier is None
    planned[read.notification_id] = read
    result = ("would_create" if dry_run else "created") if fresh else "duplicate"
    line: dict[str, Any] = {"notification_id": read.notification_id, "result": result,
                            "case_id": str(received.case_id), "field": None, "reason": None}
    if received.invitation is not None:
        line["invitation"] = link_summary(received.invitation)
    return line


def _report_line(line: dict[str, Any]) -> str:
    where = f"row {line['row']}"
    if line["result"] == "refused":
        return f"{where}: refused, {line['field']}: {line['reason']}"
    reference = case_reference(UUID(line["case_id"]))
    if line["result"] == "duplicate":
        return f"{where}: duplicate, case {reference} exists"
    made = f"{where}: {line['result'].replace('_', ' ')} {reference}"
    if line.get("invitation"):
        made += f", self-report link {line['invitation']['url']}"
    return made


@case.command("show")
@click.argument("case_id", type=CaseId())
@click.option("--json", "as_json", is_flag=True, help="Print the case as one JSON object.")
@click.pass_obj
@mapped_errors
def show(ctx: CliContext, case_id: UUID, as_json: bool) -> None:
    """Show a case as it stands now."""
    found = ctx.app.get_case(case_id)
    summary = case_summary(found)
    ctx.log_reads(CLI_CASE, [case_id])
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
    ctx.log_reads(CLI_CASE, [case_id])
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
        "region": found.region,
        "received_at": found.received_at, "tracer": found.tracer, "team": found.team,
        "callback_at": found.callback_at, "interview_id": found.interview_id,
        "closed_reason": found.closed_reason, "version": found.version,
        "call_attempts": found.call_attempts,
    })

