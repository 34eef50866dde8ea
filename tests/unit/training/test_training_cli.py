"""`bco training check` and `bco training play`: their exit codes and JSON shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bco.cli.training import training
from bco.config import Settings
from bco.training.scenarios import default_scenarios_dir

SHIPPED = sorted(p.stem for p in default_scenarios_dir().glob("*.yaml"))


def run(*args: str, settings: Settings | None = None) -> Result:
    return CliRunner().invoke(training, list(args),
                              obj=SimpleNamespace(settings=settings or Settings()))


def test_check_lists_every_scenario_with_id_guide_and_language() -> None:
    result = run("check", "--json")
    assert result.exit_code == 0, result.output
    shape = json.loads(result.output)
    assert shape["valid"] is True
    assert sorted(s["id"] for s in shape["scenarios"]) == SHIPPED
    assert all({"id", "guide", "language"} <= set(s) for s in shape["scenarios"])
    assert shape["rubric"]["id"] == "interview-quality"


def test_check_refuses_a_broken_rubric(tmp_path: Path) -> None:
    shutil.copytree(default_scenarios_dir(), tmp_path / "scenarios")
    rubric = (Settings().training_dir / "rubric.yaml").read_text()
    (tmp_path / "rubric.yaml").write_text(rubric.replace("version: 1", "version: one"))
    result = run("check", settings=Settings(training_dir=tmp_path))
    assert result.exit_code == 1
    assert "rubric.yaml:6: version: expected a whole number, got 'one'" in result.output


def test_check_fails_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    shutil.copy(Settings().training_dir / "rubric.yaml", tmp_path)
    source = default_scenarios_dir() / "covid-19-birthday-en.yaml"
    broken = source.read_text().replace("cue: {setting: sport}", "cue: {setting: gym}")
    (tmp_path / "scenarios" / "broken.yaml").write_text(broken)
    result = run("check", settings=Settings(training_dir=tmp_path))
    assert result.exit_code == 1
    line = broken.splitlines().index("    cue: {setting: gym}") + 1
    assert f"broken.yaml:{line}: contacts[2].cue: unknown setting 'gym'" in result.output


@pytest.mark.parametrize("scenario", SHIPPED)
def test_play_reaches_every_contact_of_every_scenario(scenario: str) -> None:
    guide = json.loads(run("check", "--json").output)
    guide_id = next(s["guide"] for s in guide["scenarios"] if s["id"] == scenario)
    result = run("play", scenario, "--guide", guide_id, "--today", "2026-11-25", "--json")
    assert result.exit_code == 0, result.output
    walk: dict[str, Any] = json.loads(result.output)
    assert walk["ok"] is True and walk["problems"] == [] and walk["score"] == 100
    assert all(c["surfaced_at"] for c in walk["contacts"])


def test_play_fails_when_the_guide_cannot_reach_a_contact(tmp_path: Path) -> None:
    """A guide version without the sport setting never brings back the football team-mate."""
    (tmp_path / "scenarios").mkdir()
    shutil.copy(default_scenarios_dir() / "covid-19-birthday-en.yaml", tmp_path / "scenarios")
    result = run("play", "covid-19-birthday-en", "--guide", "measles", "--today", "2026-11-25",
                 "--json", settings=Settings(training_dir=tmp_path))
    assert result.exit_code == 1
    walk = json.loads(result.output)
    assert walk["ok"] is False and walk["guide"] == "measles"
