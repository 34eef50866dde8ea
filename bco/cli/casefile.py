"""`bco casefile`: print one case file, or all (some) of them into a zip, as PDF."""

from __future__ import annotations

import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO
from uuid import UUID
from zoneinfo import ZoneInfo

import click

from bco.audit.store import CASE_FILE
from bco.cli.case import CaseId
from bco.cli.context import CliContext, mapped_errors
from bco.domain.case import LANGUAGES, CaseStatus
from bco.projections import runner_for
from bco.projections.casefile import case_ids
from bco.projections.readmodel import utc_text
from bco.reports.moment import MomentError, parse_moment
from bco.reports.output import case_file_pdf, write_atomically, write_case_files_zip


@click.command("casefile")
@click.argument("case_id", type=CaseId(), required=False)
@click.option("--all", "every", is_flag=True,
              help="All cases (narrowed by --status and --since) into one zip.")
@click.option("--as-of", "as_of", metavar="DATETIME",
              help="Print the case as it stood then (local time unless an offset is given; "
                   "a date alone means the end of that day). Default: now.")
@click.option("--language", type=click.Choice(LANGUAGES), default="nl", show_default=True,
              help="Language of the case file.")
@click.option("--status", type=click.Choice([s.value for s in CaseStatus]),
              help="With --all: only cases with this status now.")
@click.option("--since", metavar="DATE",
              help="With --all: only cases with something recorded on or after this day "
                   "(YYYY-MM-DD, local).")
@click.option("-o", "--output", "output", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The PDF (one case) or zip (--all) to write; replaced only when complete.")
@click.pass_obj
@mapped_errors
def casefile(ctx: CliContext, case_id: UUID | None, every: bool, as_of: str | None,
             language: str, status: str | None, since: str | None, output: Path) -> None:
    """Print a case file as PDF, or all case files into a zip (bco casefile --all -o x.zip)."""
    zone = ctx.settings.zone
    moment = _moment(as_of, zone)
    if every == (case_id is not None):
        raise click.UsageError("Give one case ID, or --all (not both).")
    if case_id is not None:
        if status or since:
            raise click.BadParameter("goes only with --all.",
                                     param_hint="'--status'" if status else "'--since'")
        pdf = case_file_pdf(ctx.app, case_id, as_of=moment, language=language)

        def write(stream: BinaryIO) -> None:
            stream.write(pdf)

        write_atomically(output, write)
        ctx.log_reads(CASE_FILE, [case_id], detail=_as_of_detail(moment))
        click.echo(f"Wrote {output} ({len(pdf) // 1024} KiB).")
        return
    changed_since = _since(since, zone)
    runner = runner_for(ctx.app)
    runner.catch_up()
    with runner.reading() as db:
        chosen = [UUID(found) for found in case_ids(db, status=status,
                                                     changed_since=changed_since)]
    with click.progressbar(chosen, label="Case files", file=sys.stderr) as bar:
        skipped = write_case_files_zip(ctx.app, bar, output, as_of=moment, language=language)
    ctx.log_reads(CASE_FILE, [case_id for case_id in chosen if case_id not in skipped],
                  detail=_as_of_detail(moment))
    note = f"; {len(skipped)} not registered yet at --as-of left out" if skipped else ""
    written = len(chosen) - len(skipped)
    click.echo(f"Wrote {output}: {written} case file{'' if written == 1 else 's'}{note}.")


def _as_of_detail(moment: datetime | None) -> str:
    return f"as of {moment.isoformat(timespec='seconds')}" if moment else ""


def _moment(text: str | None, zone: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_moment(text, zone, datetime.now(tz=zone))
    except MomentError as exc:
        raise click.BadParameter(str(exc), param_hint="'--as-of'") from None


def _since(text: str | None, zone: ZoneInfo) -> str | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date; use YYYY-MM-DD.",
                                 param_hint="'--since'") from None
    return utc_text(datetime.combine(day, time(), zone))
