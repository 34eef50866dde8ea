"""`bco audit`: the access log from the shared store, for the privacy officer and audits."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

import click

from bco.audit.store import ACCESS_REPORT, AccessEntry, AccessQuery, UnusualMaterial
from bco.audit.unusual import bursts, outside_reads
from bco.cli.case_id import CaseId
from bco.cli.context import CliContext, echo_json, mapped_errors, terminal_safe
from bco.domain.reference import case_reference
from bco.reports.access_report import access_report_pdf
from bco.reports.output import write_atomically


@click.command("audit")
@click.option("--case", "case_id", type=CaseId(), help="Only reads of this case (id or "
              "reference, e.g. C-1c58eac0).")
@click.option("--user", "user", metavar="NAME", help="Only reads by this account or token.")
@click.option("--since", metavar="DATE", help="Only reads on or after this day (YYYY-MM-DD, "
              "local).")
@click.option("--unusual", is_flag=True, help="Only reads outside the reader's cases and team, "
              "and bursts (BCO_AUDIT_BURST_READS cases in BCO_AUDIT_BURST_MINUTES).")
@click.option("--report", "report", type=click.Path(dir_okay=False, writable=True,
                                                    path_type=Path),
              help="With --case: write the index's access report (PDF) to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.pass_obj
@mapped_errors
def audit(ctx: CliContext, case_id: UUID | None, user: str | None, since: str | None,
          unusual: bool, report: Path | None, as_json: bool) -> None:
    """Who read which case, when, from where and why, oldest first."""
    if report is not None:
        if case_id is None:
            raise click.BadParameter("needs --case: the report is about one case.",
                                     param_hint="'--report'")
        pdf = access_report_pdf(ctx.app, case_id)

        def write(stream: BinaryIO) -> None:
            stream.write(pdf)

        write_atomically(report, write)
        ctx.log_reads(ACCESS_REPORT, [case_id])
        click.echo(f"Wrote the access report of {case_reference(case_id)} to {report}.")
        return
    moment = _since(since, ctx)
    if unusual and case_id is None and user is None:
        _unusual(ctx, _whole_log_material(ctx, moment), as_json)
        return
    entries = ctx.app.access_log.entries(AccessQuery(case_id=case_id, account=user,
                                                     since=moment))
    if unusual:
        _unusual(ctx, UnusualMaterial(entries, set(), entries), as_json)
        return
    if as_json:
        echo_json({"entries": [_plain(entry) for entry in entries]})
        return
    for entry in entries:
        click.echo(terminal_safe(_line(entry, ctx)))
    if not entries:
        click.echo("No reads in the access log for this selection.")


def _whole_log_material(ctx: CliContext, since: datetime | None) -> UnusualMaterial:
    """Across every reader, only the entries that can make an unusual read are read."""
    settings = ctx.settings
    return ctx.app.access_log.unusual_material(
        since, reads=settings.audit_burst_reads, minutes=settings.audit_burst_minutes)


def _unusual(ctx: CliContext, material: UnusualMaterial, as_json: bool) -> None:
    settings = ctx.settings
    found = bursts(material.maybe_bursts, reads=settings.audit_burst_reads,
                   minutes=settings.audit_burst_minutes)
    outside = outside_reads(material.maybe_outside, material.taken)
    if as_json:
        echo_json({"bursts": [{**asdict(b), "start": b.start.isoformat(),
                               "end": b.end.isoformat()} for b in found],
                   "outside": [_plain(entry) for entry in outside]})
        return
    for burst in found:
        click.echo(terminal_safe(
            f"burst: {burst.account} ({burst.role}) read {burst.cases} cases "
            f"({burst.reads} reads) from {_local(burst.start, ctx)} to "
            f"{_local(burst.end, ctx)}"))
    for entry in outside:
        click.echo(terminal_safe("outside: " + _line(entry, ctx)))
    if not found and not outside:
        click.echo("Nothing unusual in the access log for this selection.")


def _since(text: str | None, ctx: CliContext) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date; give a day as YYYY-MM-DD.",
                                 param_hint="'--since'") from None
    return datetime.combine(day, time(0), tzinfo=ctx.settings.zone)


def _local(moment: datetime, ctx: CliContext) -> str:
    return f"{moment.astimezone(ctx.settings.zone):%Y-%m-%d %H:%M:%S}"


def _line(entry: AccessEntry, ctx: CliContext) -> str:
    case = case_reference(entry.case_id) if entry.case_id else "-"
    count = f" records={entry.records}" if entry.records is not None else ""
    detail = f" ({entry.detail})" if entry.detail else ""
    relation = f" [{entry.relation}]" if entry.relation else ""
    return (f"{_local(entry.at, ctx)}  {entry.account} ({entry.role})  {case}  {entry.action}"
            f"{count}{detail}  why={entry.purpose}{relation}  from={entry.address}")


def _plain(entry: AccessEntry) -> dict[str, Any]:
    return {"at": entry.at.isoformat(), "account": entry.account, "role": entry.role,
            "action": entry.action, "purpose": entry.purpose, "address": entry.address,
            "case_id": str(entry.case_id) if entry.case_id else None,
            "reference": case_reference(entry.case_id) if entry.case_id else None,
            "relation": entry.relation, "records": entry.records, "detail": entry.detail}
