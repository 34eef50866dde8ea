"""The `bco guides` commands and their contract (exit codes, JSON shapes, one-line errors)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import example_guide_text

from bco.cli.guides import guides


def run(*args: str, obj: object = None) -> Result:
    return CliRunner().invoke(guides, list(args), obj=obj)


def run_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_window_contract() -> None:
    assert run_json("window", "covid-19", "--onset", "2026-11-20")["infectious"] == {
        "start": "2026-11-18", "end": "2026-11-30"}
    assert run_json("window", "covid-19", "--test-date", "2026-11-20")["infectious"][
        "start"] == "2026-11-18"
    assert run_json("window", "measles", "--onset", "2026-11-20")["infectious"] == {
        "start": "2026-11-16", "end": "2026-11-24"}
    assert "source" not in run_json("window", "tuberculosis", "--onset", "2026-11-20")


def test_window_text_is_readable() -> None:
    result = run("window", "measles", "--onset", "2026-11-20")
    assert result.exit_code == 0
    assert "infectious  2026-11-16 to 2026-11-24 (9 days)" in result.output


@pytest.mark.parametrize(
    ("facts", "category"),
    [
        ({"household": True}, "1"),
        ({"duration_min": 20, "distance_m": 1.0}, "2a"),
        ({"duration_min": 15, "distance_m": 1.5}, "2a"),
        ({"duration_min": 5, "distance_m": 1.0, "high_risk_exposure": True}, "2b"),
        ({"duration_min": 5, "distance_m": 1.0}, "3"),
        ({"duration_min": 60, "distance_m": 3}, "3"),
    ],
)
def test_categorise_contract(facts: dict[str, object], category: str) -> None:
    shape = run_json("categorise", "covid-19", "--facts", json.dumps(facts))
    assert shape["category"] == category
    assert isinstance(shape["rule"], str) and shape["rule"]


@pytest.mark.parametrize(
    ("facts", "named"),
    [('{"duration": 5}', "'duration'"), ('{"duration_min": "5"}', "'duration_min'"),
     ("[1]", "JSON object"), ("{", "JSON object")],
)
def test_categorise_refuses_bad_facts_with_exit_2(facts: str, named: str) -> None:
    result = run("categorise", "covid-19", "--facts", facts, "--json")
    assert result.exit_code == 2
    (line,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert "--facts" in line and named in line


def test_bad_date_and_missing_date_exit_2() -> None:
    bad = run("window", "covid-19", "--onset", "20-11-2026")
    assert bad.exit_code == 2 and "expected a date as YYYY-MM-DD" in bad.output
    missing = run("window", "covid-19")
    assert missing.exit_code == 2 and "--onset DATE" in missing.output


def test_unknown_guide_lists_the_available_ones() -> None:
    result = run("window", "flu", "--onset", "2026-11-20")
    assert result.exit_code == 2
    assert "unknown guide 'flu'; available: covid-19, covid-19-vl, measles, tuberculosis" \
        in result.output


def test_list_shows_every_guide_with_hash() -> None:
    rows = run_json("list")
    assert [r["id"] for r in rows] == ["covid-19", "covid-19-vl", "measles", "tuberculosis"]
    assert all(len(r["content_hash"]) == 64 and r["languages"] == ["nl", "en"] for r in rows)


def test_check_passes_for_shipped_guides_and_fails_for_a_broken_one(tmp_path: Path) -> None:
    assert run("check").exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(example_guide_text().replace("version: 1", "version: one"), "utf-8")
    result = run("check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:2: version: expected a whole number" in result.output


def test_guides_dir_comes_from_the_parent_context(tmp_path: Path) -> None:
    (tmp_path / "example.yaml").write_text(example_guide_text(), encoding="utf-8")
    result = run("list", "--json", obj=SimpleNamespace(guides_dir=tmp_path))
    assert [r["id"] for r in json.loads(result.output)] == ["example"]
    option = CliRunner().invoke(guides, ["--guides-dir", str(tmp_path), "list", "--json"])
    assert [r["id"] for r in json.loads(option.output)] == ["example"]


def test_preview_fresh_interview() -> None:
    shape = run_json("preview", "covid-19", "--onset", "2026-11-20", "--today", "2026-11-21",
                     "--language", "en")
    assert shape["window"]["infectious"] == {"start": "2026-11-18", "end": "2026-11-30"}
    first = shape["next"][0]
    assert (first["id"], first["kind"]) == ("script:greeting", "script")
    question = next(s for s in shape["next"] if s["kind"] == "question")
    assert {"type", "section", "text"} <= set(question)
    days = [s for s in shape["next"] if s.get("trigger") == "day"]
    assert [s["day"] for s in days] == ["2026-11-21", "2026-11-20", "2026-11-19", "2026-11-18"]
    assert 0 <= shape["completeness"]["score"] < 100
    assert {"item", "step"} <= set(shape["completeness"]["missing"][0])


def test_preview_with_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({
        "answers": {"identity_confirmed": True, "household_size": 2, "went_to_work": True},
        "contacts": [{"name": "Sam", "day": "2026-11-20", "setting": "home",
                      "prompt": "household_members", "household": True}],
        "done": ["day:2026-11-21", "script:greeting"],
    }))
    shape = run_json("preview", "covid-19", "--onset", "2026-11-20", "--today", "2026-11-21",
                     "--state", str(state))
    proposed = [s["id"] for s in shape["next"]]
    assert "identity_confirmed" not in proposed and "script:greeting" not in proposed
    assert "day:2026-11-21" not in proposed
    assert "day:2026-11-20" in proposed, "Sam's last day is not the day's question answered"
    household = next(s for s in shape["next"] if s["id"] == "household")
    assert household["trigger"] == "household" and "2" in household["text"]
    consistency = next(s for s in shape["next"] if s["id"] == "consistency:work-without-contacts")
    assert consistency["setting"] == "work"


def test_preview_names_unknown_ids_in_the_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"answers": {"favourite_colour": "red"},
                                 "done": ["setting:moon"],
                                 "contacts": [{"name": "Sam", "shoe_size": 42}]}))
    result = run("preview", "covid-19", "--onset", "2026-11-20", "--state", str(state))
    assert result.exit_code == 2
    for name in ("favourite_colour", "setting:moon", "shoe_size"):
        assert name in result.output


def test_preview_text_output_is_numbered_and_in_dutch() -> None:
    result = run("preview", "measles", "--onset", "2026-11-20", "--today", "2026-11-20")
    assert result.exit_code == 0
    assert "  1. [script] script:greeting: Goedendag" in result.output
    assert "completeness" in result.output
