"""Property: nightly pulls with the cursor, merged by id, equal one full export at the end."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_scenarios import OPENING, Scenario, operations

from bco.application import BCOApplication
from bco.config import Settings
from bco.projections import all_read_models
from bco.projections.runner import ReadModelRunner
from bco.reports.exports import export_cases, export_contacts

PULLS = settings(max_examples=12, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


def pull(settings_: Settings, export: Any, since: str | None) -> tuple[list[Any], str]:
    result = export(settings_, fmt="ndjson", since=since, pseudonymised=False)
    lines = [json.loads(line) for line in b"".join(result.chunks).decode().splitlines()]
    assert lines[-1] == {"cursor": result.cursor}
    return lines[:-1], result.cursor


@PULLS
@given(ops=st.lists(operations, min_size=5, max_size=40))
def test_incremental_pulls_add_up_to_a_full_export(
        app: BCOApplication, clock: Any, tmp_path: Path, ops: list[tuple[Any, ...]]) -> None:
    data = tmp_path / uuid.uuid4().hex[:8]
    data.mkdir()
    chosen = app.settings.with_overrides(data_dir=data,  # its own views.db, the same key
                                         pseudonym_key_file=tmp_path / "pseudonym.key")
    runner = ReadModelRunner(app, chosen.views_path, all_read_models(app), batch_size=6)
    scenario = Scenario(app, clock)
    merged: dict[str, dict[str, Any]] = {"cases": {}, "contacts": {}}
    cursors: dict[str, str | None] = {"cases": None, "contacts": None}

    def nightly() -> None:
        runner.catch_up()
        for name, export, key in (("cases", export_cases, "case_id"),
                                  ("contacts", export_contacts, "contact_id")):
            rows, cursors[name] = pull(chosen, export, cursors[name])
            assert len({row[key] for row in rows}) == len(rows)  # each changed row once
            merged[name].update({row[key]: row for row in rows})

    for op in [*OPENING, *ops]:
        if op[0] == "catch_up":
            nightly()
        else:
            scenario.run(op)
    nightly()

    full_cases, _ = pull(chosen, export_cases, None)
    full_contacts, _ = pull(chosen, export_contacts, None)
    assert merged["cases"] == {row["case_id"]: row for row in full_cases}
    assert merged["contacts"] == {row["contact_id"]: row for row in full_contacts}
    for row in full_cases:
        case = app.get_case(uuid.UUID(row["case_id"]))
        assert (row["status"], row["tracer"], row["name"]) == (
            case.status.value, case.tracer, case.person.name)
