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
              help='Print {"as_of", "dry_run", "cases", "contacts", "contact_interviews", '
                   '"keys_destroyed", "keys_due" (what the run destroys or, with --dry-run, '
                   'would), "erased": [...]}.')
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
    keys_due = 0
    with click.progressbar(candidates, label="Checking cases", file=sys.stderr) as bar:
        for case_id in bar:
            due = app.retention_due(UUID(case_id), as_of=moment,
                                    case_days=settings.retention_days,
                                    contact_days=settings.contact_retention_days)
            if due is None:
                continue
            if dry_run:
                keys_due += app.keys_due(due)
                done.append(due)
            else:
                erased = app.erase(due, actor=ctx.actor)
                keys_due += erased.keys_destroyed
                done.append(erased)
    if not dry_run:
        runner.catch_up()  # this machine's read models let go at once; others follow
    report = _report(done, moment, dry_run, keys_due)
    if as_json:
        echo_json(report)
        return
    summary = (f"the personal data of {_count(report['cases'], 'case')} and the details of "
               f"{_count(report['contacts'], 'contact')} (in "
               f"{_count(report['contact_interviews'], 'interview')}), as of {report['as_of']}")
    if dry_run:
        click.echo(f"Would erase {summary}, destroying {_count(keys_due, 'key')}. Nothing "
                   "was changed (--dry-run).")
    else:
        click.echo(f"Erased {summary}; {_count(report['keys_destroyed'], 'key')} destroyed.")
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


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _report(done: list[Erasure], moment: datetime, dry_run: bool,
            keys_due: int) -> dict[str, Any]:
    return {
        "as_of": moment.isoformat(timespec="seconds"),
        "dry_run": dry_run,
        "cases": sum(1 for e in done if e.whole_case),
        "contacts": sum(e.contact_count for e in done if e.contacts),
        "contact_interviews": sum(1 for e in done if e.contacts),
        "keys_destroyed": sum(e.keys_destroyed for e in done),
        "keys_due": keys_due,
        "erased": [{"case_id": str(e.case_id), "reference": case_reference(e.case_id),
                    "parts": sorted({*e.case_parts, *e.interview_parts}),
                    "contacts": e.contact_count if e.contacts else 0,
                    "unkeyed": list(e.unkeyed)} for e in done],
    }
