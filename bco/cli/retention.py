"""`bco retention`: the end of retention, by destroying the keys of cases past it."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import click

from bco.application import Erasure
from bco.cli.context import CliContext, echo_json, mapped_errors
from bco.domain.reference import case_reference
from bco.projections import retention, runner_for


@click.group("retention")
def retention_group() -> None:
    """Forget cases and contacts whose retention has ended."""


@retention_group.command("run")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Judge retention at the end of this local day (YYYY-MM-DD, not after "
                   "today); default: now.")
@click.option("--dry-run", is_flag=True, help="Report what is due; destroy nothing.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"as_of", "dry_run", "cases", "contacts", "keys_destroyed", '
                   '"erased": [...]}.')
@click.pass_obj
@mapped_errors
def run(ctx: CliContext, as_of: str | None, dry_run: bool, as_json: bool) -> None:
    """Destroy the keys of cases closed more than BCO_RETENTION_DAYS ago and of contacts past
    BCO_CONTACT_RETENTION_DAYS; the events stay, without the personal data."""
    app, settings = ctx.app, ctx.settings
    moment = _moment(as_of, ctx)
    runner = runner_for(app)
    runner.catch_up()
    with runner.reading() as db:
        candidates = retention.maybe_due(
            db, closed_before=moment - timedelta(days=settings.retention_days),
            contacts_before=moment - timedelta(days=settings.contact_retention_days))
    done: list[Erasure] = []
    with click.progressbar(candidates, label="Checking cases", file=sys.stderr) as bar:
        for case_id in bar:
            due = app.retention_due(UUID(case_id), as_of=moment,
                                    case_days=settings.retention_days,
                                    contact_days=settings.contact_retention_days)
            if due is not None:
                done.append(due if dry_run else app.erase(due, actor=ctx.actor))
    if not dry_run:
        runner.catch_up()  # this machine's read models let go at once; others follow
    report = _report(done, moment, dry_run)
    if as_json:
        echo_json(report)
        return
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"{verb} the personal data of {report['cases']} cases and the details of "
               f"{report['contacts']} contacts (in {report['contact_interviews']} interviews), "
               f"as of {report['as_of']}; {report['keys_destroyed']} keys destroyed.")
    for entry in report["erased"]:
        parts = ", ".join(entry["parts"])
        note = (f" (stored before per-case keys: {', '.join(entry['unkeyed'])} hidden, not "
                "destroyed)" if entry["unkeyed"] else "")
        click.echo(f"  {entry['reference']}: {parts}{note}")


def _moment(as_of: str | None, ctx: CliContext) -> datetime:
    """The end of the given local day, or now; a later day would erase data before its
    retention ended, so it is refused."""
    now = ctx.app.clock()
    if as_of is None:
        return now
    zone = ctx.settings.zone
    try:
        day = date.fromisoformat(as_of.strip())
    except ValueError:
        raise click.BadParameter(f"'{as_of}' is not a date; use YYYY-MM-DD.",
                                 param_hint="'--as-of'") from None
    if day > now.astimezone(zone).date():
        raise click.BadParameter(f"{day} lies after today; retention is judged on a day that "
                                 "has come, never ahead of it.", param_hint="'--as-of'")
    end = datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(microseconds=1)
    return min(end, now)


def _report(done: list[Erasure], moment: datetime, dry_run: bool) -> dict[str, Any]:
    return {
        "as_of": moment.isoformat(timespec="seconds"),
        "dry_run": dry_run,
        "cases": sum(1 for e in done if e.whole_case),
        "contacts": sum(e.contact_count for e in done if e.contacts),
        "contact_interviews": sum(1 for e in done if e.contacts),
        "keys_destroyed": sum(e.keys_destroyed for e in done),
        "erased": [{"case_id": str(e.case_id), "reference": case_reference(e.case_id),
                    "parts": sorted({*e.case_parts, *e.interview_parts}),
                    "contacts": e.contact_count if e.contacts else 0,
                    "unkeyed": list(e.unkeyed)} for e in done],
    }
