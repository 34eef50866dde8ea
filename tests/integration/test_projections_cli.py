"""`bco projections` and `bco report` on a demo store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from projection_scenarios import views_contents

from bco.cli import main
from bco.config import Settings


def bco(settings: Settings, *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env=settings.to_env(), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_rebuild_equals_catch_up_and_caseload_adds_up(settings: Settings) -> None:
    bco(settings, "db", "init")
    bco(settings, "demo", "--cases", "30")
    ran = bco(settings, "projections", "run")
    assert "Caught up" in ran.output
    followed = views_contents(settings.views_path, settings)

    rebuilt = bco(settings, "projections", "rebuild")
    assert "Rebuilt all read models" in rebuilt.output
    assert views_contents(settings.views_path, settings) == followed
    assert sum(len(rows) for rows in followed.values()) > 30

    status = json.loads(bco(settings, "projections", "status", "--json").output)
    assert {entry["lag"] for entry in status} == {0}
    assert {entry["error"] for entry in status} == {None}
    assert {entry["name"] for entry in status} >= {"worklist", "caseload", "completeness",
                                                   "people"}

    report = json.loads(bco(settings, "report", "caseload", "--json").output)
    assert report["total"] == 30
    for key in ("by_status", "by_tracer", "by_team", "by_disease", "by_age"):
        assert sum(report[key].values()) == report["total"], key


def test_rebuild_only_one_read_model(settings: Settings) -> None:
    bco(settings, "db", "init")
    bco(settings, "case", "register", "--name", "Sanne de Vries", "--phone", "06 12345678",
        "--disease", "covid-19", "--onset", "2026-11-20")
    bco(settings, "projections", "run")
    before = views_contents(settings.views_path, settings)
    result = bco(settings, "projections", "rebuild", "--only", "worklist")
    assert "Rebuilt worklist" in result.output
    assert views_contents(settings.views_path, settings) == before
    human = bco(settings, "projections", "status").output
    assert "worklist" in human and "lag 0" in human


def test_rebuild_refuses_an_unknown_read_model(settings: Settings) -> None:
    bco(settings, "db", "init")
    result = CliRunner().invoke(main, ["projections", "rebuild", "--only", "nope"],
                                env=settings.to_env())
    assert result.exit_code == 2
    assert "No read model named 'nope'" in result.output
