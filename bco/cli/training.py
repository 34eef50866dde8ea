"""`bco training`: check the practice scenarios and play one against a guide's full walk."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from bco.cli.guides import ISO_DATE, resolve_guide
from bco.guides.loader import GuideError, load_guides
from bco.training.rubric import RubricError, load_rubric, rubric_path
from bco.training.scenarios import ScenarioError, load_scenario, scenario_files
from bco.training.walk import play


def _directory() -> Path:
    ctx = click.get_current_context()
    return Path(ctx.obj.settings.training_dir) / "scenarios"


def _guides() -> dict[str, Any]:
    ctx = click.get_current_context()
    try:
        return dict(load_guides(ctx.obj.settings.guides_dir))
    except GuideError as error:
        for message in error.messages:
            click.echo(message, err=True)
        raise SystemExit(1) from None


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("training")
def training() -> None:
    """Practice scenarios for new tracers."""


@training.command("check")
@click.option("--json", "as_json", is_flag=True,
              help="Print the scenarios (id, guide, language, title) and problems as JSON.")
def check(as_json: bool) -> None:
    """Validate every scenario in BCO_TRAINING_DIR/scenarios and the coaching rubric
    (BCO_TRAINING_DIR/rubric.yaml); exit 1 on any problem."""
    guides = _guides()
    rubric: dict[str, Any] | None = None
    messages: list[str] = []
    try:
        loaded = load_rubric(rubric_path(click.get_current_context().obj.settings.training_dir))
        rubric = {"id": loaded.id, "version": loaded.version,
                  "items": [item.id for item in loaded.items]}
    except RubricError as error:
        messages.extend(error.messages)
    found: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path in scenario_files(_directory()):
        try:
            scenario = load_scenario(path, guides)
        except ScenarioError as error:
            messages.extend(error.messages)
            continue
        if scenario.id in seen:
            messages.append(f"{path}:1: id: scenario id {scenario.id!r} is also used by "
                            f"{seen[scenario.id]}")
            continue
        seen[scenario.id] = path
        found.append({"id": scenario.id, "guide": scenario.guide_id,
                      "language": scenario.language, "title": scenario.title,
                      "manner": scenario.manner, "contacts": len(scenario.contacts),
                      "file": str(path)})
    if not found and not messages:
        messages.append(f"{_directory()}: no scenario files (*.yaml) found")
    if as_json:
        _emit({"valid": not messages, "scenarios": found, "rubric": rubric,
               "messages": messages})
    else:
        for item in found:
            click.echo(f"ok    {item['id']} ({item['guide']}, {item['language']})")
        if rubric is not None:
            click.echo(f"ok    rubric {rubric['id']} version {rubric['version']}")
        for message in messages:
            click.echo(message, err=True)
    if messages:
        raise SystemExit(1)


@training.command("play")
@click.argument("scenario_id", metavar="SCENARIO")
@click.option("--guide", "guide_ref", required=True, metavar="GUIDE",
              help="The guide to walk (id or file), e.g. the scenario's own or a new version.")
@click.option("--today", type=ISO_DATE, default=None, help="The day of the call (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the walk as JSON.")
def play_command(scenario_id: str, guide_ref: str, today: date | None, as_json: bool) -> None:
    """Play the scenario's index against the guide's full walk; exit 1 when a contact is never
    named at its cue, gets another category, or the walk does not reach 100."""
    guides = _guides()
    guide = resolve_guide(guide_ref)
    guides[guide.id] = guide
    path = next((p for p in scenario_files(_directory()) if p.stem == scenario_id), None)
    if path is None:
        known = ", ".join(p.stem for p in scenario_files(_directory())) or "none"
        raise click.BadParameter(f"unknown scenario {scenario_id!r}; available: {known}",
                                 param_hint="SCENARIO")
    try:
        scenario = load_scenario(path, guides)
    except ScenarioError as error:
        for message in error.messages:
            click.echo(message, err=True)
        raise SystemExit(1) from None
    walk = play(scenario, guide, today or date.today())
    if as_json:
        _emit(walk.to_json())
    else:
        for name, prompt in walk.surfaced.items():
            click.echo(f"{name}: named at {prompt or 'the start (unprompted)'}")
        click.echo(f"completeness {walk.score}")
        for problem in walk.problems:
            click.echo(problem, err=True)
    if not walk.ok:
        raise SystemExit(1)
