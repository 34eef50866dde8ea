"""`bco guides`: check, list and try out interview guides without a case."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from bco.guides.engine import (
    FactError,
    all_steps,
    categorise,
    completeness,
    exposure_windows,
    next_steps,
)
from bco.guides.loader import GuideError, default_guides_dir, guide_files, load_guide, load_guides
from bco.guides.model import Guide
from bco.guides.state import InterviewState, StateError, state_problems

GUIDES_DIR_KEY = "bco.guides.dir"


class IsoDate(click.ParamType):
    """A calendar day written as YYYY-MM-DD, the only form the contract accepts."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        """Parse the day or fail with a one-line usage error."""
        if isinstance(value, date):
            return value
        text = str(value)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"expected a date as YYYY-MM-DD, got {value!r}", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text} does not exist as a date; check the day and the month",
                      param, ctx)


ISO_DATE = IsoDate()


@click.group("guides")
@click.option("--guides-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with the guide files (default: the configured interview_guides).")
@click.pass_context
def guides(ctx: click.Context, guides_dir: Path | None) -> None:
    """Check, list and preview interview guides."""
    ctx.meta[GUIDES_DIR_KEY] = guides_dir


def guides_directory() -> Path:
    """Use --guides-dir, else the folder the parent command configured, else the shipped one."""
    ctx = click.get_current_context()
    explicit = ctx.meta.get(GUIDES_DIR_KEY)
    configured = getattr(ctx.obj, "guides_dir", None)
    chosen = Path(explicit or configured or default_guides_dir())
    if not chosen.is_dir():
        raise click.UsageError(f"guides folder {chosen} does not exist; "
                               "point --guides-dir at the folder with the guide files")
    return chosen


def _fail_with(messages: list[str]) -> NoReturn:
    """Print guide problems to stderr and exit 1, as `check` promises."""
    for message in messages:
        click.echo(message, err=True)
    raise SystemExit(1)


def resolve_guide(reference: str) -> Guide:
    """Find a guide by id in the guides folder, or load it from a file path."""
    candidate = Path(reference)
    try:
        if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
            return load_guide(candidate)
        directory = guides_directory()
        for suffix in (".yaml", ".yml"):
            direct = directory / f"{reference}{suffix}"
            if direct.is_file():
                guide = load_guide(direct)
                if guide.id == reference:
                    return guide
        found = load_guides(directory)
    except GuideError as error:
        _fail_with(error.messages)
    if reference not in found:
        available = ", ".join(sorted(found)) or "none"
        raise click.BadParameter(f"unknown guide {reference!r}; available: {available}",
                                 param_hint="GUIDE")
    return found[reference]


def _require_date(onset: date | None, test_date: date | None) -> None:
    """Refuse a window request without any date to anchor it."""
    if onset is None and test_date is None:
        raise click.UsageError("give --onset DATE (symptom onset) or --test-date DATE "
                               "(test date, when there are no symptoms)")


def _emit(data: Any) -> None:
    """Print JSON the same way for every command."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@guides.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(files: tuple[Path, ...], as_json: bool) -> None:
    """Validate guide files (default: every guide in the guides folder); exit 1 on any problem."""
    paths = list(files) or guide_files(guides_directory())
    results: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            guide = load_guide(path)
        except GuideError as error:
            results.append({"file": str(path), "valid": False, "messages": error.messages})
            continue
        messages = []
        if guide.id in seen:
            messages.append(f"{path}:1: id: guide id {guide.id!r} is also used by {seen[guide.id]}")
        seen.setdefault(guide.id, path)
        results.append({"file": str(path), "valid": not messages, "messages": messages,
                        "id": guide.id, "version": guide.version})
    valid = all(r["valid"] for r in results)
    if as_json:
        _emit({"valid": valid, "files": results})
    else:
        for result in results:
            if result["valid"]:
                click.echo(f"ok    {result['file']} ({result['id']} version {result['version']})")
            else:
                click.echo(f"FAIL  {result['file']}")
                for message in result["messages"]:
                    click.echo(f"  {message}", err=True)
        if not results:
            click.echo("no guide files found")
    if not valid:
        raise SystemExit(1)


@guides.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the guides as JSON.")
def list_guides(as_json: bool) -> None:
    """List the available guides with version, languages and content hash."""
    try:
        found = load_guides(guides_directory())
    except GuideError as error:
        _fail_with(error.messages)
    rows: list[dict[str, Any]] = [
        {"id": g.id, "version": g.version, "disease": g.disease, "languages": list(g.languages),
         "content_hash": g.content_hash}
        for g in sorted(found.values(), key=lambda g: g.id)
    ]
    if as_json:
        _emit(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:<16} v{row['version']:<4} {row['disease']:<16} "
                   f"{','.join(row['languages']):<8} {row['content_hash'][:12]}")


@guides.command("window")
@click.argument("guide_ref", metavar="GUIDE")
@click.option("--onset", type=ISO_DATE, help="Symptom onset (for measles: first day of the rash).")
@click.option("--test-date", type=ISO_DATE, help="Test date, used when there are no symptoms.")
@click.option("--json", "as_json", is_flag=True, help="Print the windows as JSON.")
def window(guide_ref: str, onset: date | None, test_date: date | None, as_json: bool) -> None:
    """Show the exposure windows for a symptom onset or test date."""
    _require_date(onset, test_date)
    guide = resolve_guide(guide_ref)
    windows = exposure_windows(guide, onset, test_date)
    if as_json:
        _emit(windows.to_json())
        return
    anchor = "symptom onset" if windows.anchor == "onset" else "test date"
    click.echo(f"{guide.id}: windows from the {anchor}")
    click.echo(f"infectious  {windows.infectious.start} to {windows.infectious.end} "
               f"({len(windows.infectious.days())} days)")
    if windows.source is not None:
        click.echo(f"source      {windows.source.start} to {windows.source.end}")


@guides.command("categorise")
@click.argument("guide_ref", metavar="GUIDE")
@click.option("--facts", "facts_json", required=True, metavar="JSON",
              help='Contact facts as a JSON object, e.g. {"duration_min": 20, "distance_m": 1}.')
@click.option("--json", "as_json", is_flag=True, help="Print the category as JSON.")
def categorise_command(guide_ref: str, facts_json: str, as_json: bool) -> None:
    """Categorise a contact from its facts with the guide's rules."""
    try:
        facts = json.loads(facts_json)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"expected a JSON object ({error.msg})",
                                 param_hint="--facts") from error
    if not isinstance(facts, dict):
        raise click.BadParameter("expected a JSON object of fact names and values",
                                 param_hint="--facts")
    guide = resolve_guide(guide_ref)
    try:
        result = categorise(guide, facts)
    except FactError as error:
        raise click.BadParameter(str(error), param_hint="--facts") from error
    if as_json:
        _emit(result.to_json())
        return
    category = guide.category(result.category)
    label = category.label.in_language("en") if category else result.category
    click.echo(f"{result.category} ({label}) by rule {result.rule}")


@guides.command("preview")
@click.argument("guide_ref", metavar="GUIDE")
@click.option("--onset", type=ISO_DATE, help="Symptom onset (for measles: first day of the rash).")
@click.option("--test-date", type=ISO_DATE, help="Test date, used when there are no symptoms.")
@click.option("--today", type=ISO_DATE, help="The day of the call (default: today).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Interview state as JSON: {answers, contacts, done}.")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the texts.")
@click.option("--all", "show_all", is_flag=True, help="Show every section, not only what is next.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
def preview(guide_ref: str, onset: date | None, test_date: date | None, today: date | None,
            state_file: Path | None, language: str, show_all: bool, as_json: bool) -> None:
    """Walk through an interview without a case: what the engine proposes for a given state."""
    _require_date(onset, test_date)
    guide = resolve_guide(guide_ref)
    state = _read_state(state_file, onset, test_date)
    problems = state_problems(guide, state)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="--state")
    day = today or date.today()
    windows = exposure_windows(guide, onset, test_date)
    steps = next_steps(guide, state, day, language)
    score = completeness(guide, state, day, language)
    if as_json:
        shape: dict[str, Any] = {
            "window": windows.to_json(),
            "next": [s.to_json() for s in steps],
            "completeness": score.to_json(),
        }
        if show_all:
            shape["sections"] = [s.to_json() for s in all_steps(guide, state, day, language)]
        _emit(shape)
        return
    click.echo(f"{guide.id} v{guide.version}: infectious {windows.infectious.start} to "
               f"{windows.infectious.end}, today {day}")
    if show_all:
        for section in all_steps(guide, state, day, language):
            click.echo(f"\n== {section.title}")
            for view in section.steps:
                click.echo(f"  [{view.status:<10}] {view.step.id}: {view.step.text}")
    else:
        for number, step in enumerate(steps, start=1):
            click.echo(f"{number:>3}. [{step.kind}] {step.id}: {step.text}")
    click.echo(f"\ncompleteness {score.score}/100, {len(score.missing)} missing")
    for item in score.missing:
        click.echo(f"  - {item.text} -> {item.step}")


def _read_state(path: Path | None, onset: date | None, test_date: date | None) -> InterviewState:
    """Read the --state file, turning any problem into a usage error that names the option."""
    if path is None:
        return InterviewState(onset=onset, test_date=test_date)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return InterviewState.from_json(data, onset, test_date)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"{path} is not JSON ({error.msg}, line {error.lineno})",
                                 param_hint="--state") from error
    except StateError as error:
        raise click.BadParameter(str(error), param_hint="--state") from error
