"""Every read model, followed along in small batches, equals a rebuild from the whole log."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projection_scenarios import OPENING, Scenario, operations, views_contents
from sqlite_utils import Database

from bco.application import BCOApplication
from bco.domain.case import Case
from bco.projections import all_read_models, rebuild
from bco.projections.readmodel import CASE_EVENTS, Batch, Handler, ReadModel, _CachedTable
from bco.projections.rebuild import PARALLEL_FROM_EVENTS, SHARE_SLOTS, CaseShare, Rebuilder
from bco.projections.runner import ReadModelRunner
from bco.projections.viewsdb import connect_file, views_key

PERSONAL = ("Sanne", "Vries", "Jansen", "Piet", "Bakker", "Kees", "+3161234", "+3162345",
            "+3163123", "example.org")
REPLAY = settings(max_examples=15, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])


def fresh_runner(app: BCOApplication, tmp_path: Path, batch_size: int = 7) -> ReadModelRunner:
    views = tmp_path / f"views-{uuid.uuid4().hex[:8]}.db"
    return ReadModelRunner(app, views, all_read_models(app), batch_size=batch_size)


def play(app: BCOApplication, clock: Any, runner: ReadModelRunner,
         ops: list[tuple[Any, ...]]) -> None:
    scenario = Scenario(app, clock)
    for op in [*OPENING, *ops]:
        if op[0] == "catch_up":
            runner.catch_up()
        else:
            scenario.run(op)
    runner.catch_up()


@REPLAY
@given(ops=st.lists(operations, min_size=5, max_size=45))
def test_incremental_equals_rebuild(app: BCOApplication, clock: Any, tmp_path: Path,
                                    ops: list[tuple[Any, ...]]) -> None:
    runner = fresh_runner(app, tmp_path)
    play(app, clock, runner, ops)
    followed = views_contents(runner.views_path, app.settings)
    Rebuilder(runner).rebuild()
    assert views_contents(runner.views_path, app.settings) == followed
    assert all(s.lag == 0 and s.error is None for s in runner.status())


@REPLAY
@given(ops=st.lists(operations, min_size=5, max_size=45))
def test_personal_data_only_in_people_tables(app: BCOApplication, clock: Any, tmp_path: Path,
                                             ops: list[tuple[Any, ...]]) -> None:
    runner = fresh_runner(app, tmp_path, batch_size=50)
    play(app, clock, runner, ops)
    for table, rows in views_contents(runner.views_path, app.settings).items():
        if table.startswith("people_"):
            continue
        text = repr(rows)
        assert not [word for word in PERSONAL if word in text], table


@pytest.mark.parametrize("name", ["worklist", "caseload", "timeline", "casefile", "contacts",
                                  "completeness", "prompt_yield", "people", "accounts",
                                  "exports"])
def test_rebuilding_one_read_model_leaves_the_rest(app: BCOApplication, clock: Any,
                                                   tmp_path: Path, name: str) -> None:
    runner = fresh_runner(app, tmp_path, batch_size=5)
    ops: list[tuple[Any, ...]] = [
        ("register", 0, True, True), ("register", 1, False, False), ("assign", 0, "anna", None),
        ("call", 0, "reached"), ("start", 0), ("answer", 0, ("household_size", 2)),
        ("contact", 0, True, "household", {}, True), ("follow_up", 0, "setting:work", True),
        ("contact", 0, False, "setting:work", {"duration_min": 20, "distance_m": 1}, False),
        ("complete", 0), ("inform", 0, 0, "informed"), ("call", 1, "callback_requested"),
    ]
    play(app, clock, runner, ops)
    followed = views_contents(runner.views_path, app.settings)
    Rebuilder(runner).rebuild(only=name)
    assert views_contents(runner.views_path, app.settings) == followed
    assert runner.positions()[name] == app.store_position()


def test_rebuild_shared_between_processes_equals_following_along(
        app: BCOApplication, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app), batch_size=4)
    ops: list[tuple[Any, ...]] = [
        ("register", 0, True, True), ("register", 1, False, False), ("assign", 0, "anna", None),
        ("call", 0, "reached"), ("start", 0), ("answer", 0, ("household_size", 2)),
        ("contact", 0, True, "household", {}, True), ("follow_up", 0, "setting:work", True),
        ("contact", 0, False, "setting:work", {"duration_min": 20, "distance_m": 1}, False),
        ("catch_up",), ("complete", 0), ("inform", 0, 0, "informed"),
        ("call", 1, "callback_requested"), ("assign", 1, "bert", None), ("call", 1, "reached"),
        ("start", 1), ("answer", 1, ("household_size", 1)),
    ]
    play(app, clock, runner, ops)
    followed = views_contents(runner.views_path, app.settings)
    assert app.store_position() < PARALLEL_FROM_EVENTS  # so only the explicit count splits it

    cases = case_ids(followed)
    shares = shares_splitting(cases, 3, first_takes=False)
    monkeypatch.setattr(rebuild, "case_shares", lambda *_: shares)
    # the two cases are in different helpers' shares, and what sums or matches across cases
    # (built by the rebuilding process from every event) counts both
    assert {holder(case, shares) for case in cases} == {1, 2}
    assert followed["matches_proposals"] and followed["timeline_by_day"]

    tables_and_indexes = schema(runner.views_path, app)

    Rebuilder(runner, made_by=all_read_models).rebuild(processes=3)

    assert views_contents(runner.views_path, app.settings) == followed
    assert schema(runner.views_path, app) == tables_and_indexes  # indexes made again
    assert all(s.lag == 0 and s.error is None for s in runner.status())
    assert sorted(p.name for p in tmp_path.glob("views.db*")) == ["views.db", "views.db.lock"]


def case_ids(contents: dict[str, list[tuple[Any, ...]]]) -> list[uuid.UUID]:
    """The cases of a views.db (its case files)."""
    return [uuid.UUID(row[0]) for row in contents["casefile"]]


def shares_splitting(cases: list[uuid.UUID], processes: int, *,
                     first_takes: bool = True) -> list[CaseShare]:
    """Shares that give each process some of `cases` (cut between their slots), so events of
    different cases are decoded by different processes; with `first_takes` False the first
    process gets none and builds only what needs every event."""
    takers = processes if first_takes else processes - 1
    order = sorted({case.int % SHARE_SLOTS for case in cases})
    cuts = [0, *(order[min(len(order) - 1, round(n * len(order) / takers))]
                 for n in range(1, takers)), SHARE_SLOTS]
    shares = [CaseShare(low, high, False) for low, high in itertools.pairwise(cuts)]
    if not first_takes:
        shares.insert(0, CaseShare(0, 0, True))
    return [CaseShare(share.low, share.high, n == 0) for n, share in enumerate(shares)]


def holder(case: uuid.UUID, shares: list[CaseShare]) -> int:
    return next(n for n, share in enumerate(shares) if share.holds(case))


@REPLAY
@given(ops=st.lists(operations, min_size=5, max_size=45))
def test_rebuild_shared_by_case_equals_following_along(
        app: BCOApplication, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ops: list[tuple[Any, ...]]) -> None:
    runner = fresh_runner(app, tmp_path)
    play(app, clock, runner, ops)
    followed = views_contents(runner.views_path, app.settings)
    shares = shares_splitting(case_ids(followed), 3)
    assert len({holder(case, shares) for case in case_ids(followed)}) == 3
    monkeypatch.setattr(rebuild, "case_shares", lambda *_: shares)

    Rebuilder(runner, made_by=all_read_models).rebuild(processes=3)

    assert views_contents(runner.views_path, app.settings) == followed
    assert all(s.lag == 0 and s.error is None for s in runner.status())


def schema(path: Path, app: BCOApplication) -> list[tuple[str, str, str]]:
    conn = connect_file(path, views_key(app.settings))
    try:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master "
                                   "WHERE name NOT LIKE 'sqlite_%'").fetchall())
    finally:
        conn.close()


def test_handlers_look_rows_up_only_by_declared_columns(
        app: BCOApplication, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild drops the indexes no handler needs while it replays (`ReadModel.lookups`); a
    lookup by a column left out of them would scan its whole table for every batch."""
    runner = fresh_runner(app, tmp_path, batch_size=3)
    seen: set[tuple[str, str]] = set()
    find = _CachedTable.find

    def recording(table: _CachedTable, column: str, value: Any, unique: bool) -> list[Any]:
        seen.add((table.shape.name, column))
        return find(table, column, value, unique)

    monkeypatch.setattr(_CachedTable, "find", recording)
    ops: list[tuple[Any, ...]] = [
        ("assign", 0, "anna", "north"), ("call", 0, "reached"),
        ("answer", 0, ("household_size", 2)),
        ("contact", 0, True, "household", {}, True), ("follow_up", 0, "setting:work", True),
        ("update_contact", 0, 0, {"household": False}), ("remove_contact", 0, 0),
        ("contact", 0, False, None, {"duration_min": 20}, True), ("inform", 0, 0, "informed"),
        ("pause", 0), ("resume", 0), ("complete", 0), ("reopen_interview", 0), ("start", 1),
        ("contact", 1, True, "household", {}, True), ("close", 0),
        ("erase", 0, ("index", "contacts")),
        ("correct", 1, {"onset": None, "test_date": None}),
    ]
    play(app, clock, runner, ops)
    declared = {pair for model in runner.read_models for pair in model.lookups}
    assert seen, "no handler looked anything up"
    assert seen <= declared, seen - declared


class Fussy(ReadModel):
    """Built per case: counts each case's events, and cannot take a case being closed."""

    name = "fussy"
    tables = ("fussy",)
    by_case = True

    def create(self, db: Database) -> None:
        db.table("fussy").create({"case_id": str, "events": int}, pk="case_id",
                                 if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return dict.fromkeys(CASE_EVENTS, self._count)

    def _count(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Case.Closed):
            raise ValueError("no closing")
        case_id = str(event.originator_id)
        found = rows.get("fussy", case_id) or {"case_id": case_id, "events": 0}
        rows.put("fussy", {**found, "events": found["events"] + 1})


def with_fussy(app: BCOApplication) -> list[ReadModel]:
    return [*all_read_models(app), Fussy()]


def test_a_read_model_that_stops_in_a_share_stops_where_following_along_does(
        app: BCOApplication, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = ReadModelRunner(app, tmp_path / "views.db", with_fussy(app), batch_size=4)
    ops: list[tuple[Any, ...]] = [
        ("assign", 0, "anna", None), ("assign", 1, "bert", None), ("call", 1, "reached"),
        ("close", 1), ("call", 0, "reached"), ("call", 2, "reached"), ("assign", 2, "cem", None),
    ]
    play(app, clock, runner, ops)
    followed = views_contents(runner.views_path, app.settings)
    stopped = {s.name: (s.position, s.error) for s in runner.status()}
    assert stopped["fussy"][1] is not None and "no closing" in stopped["fussy"][1]
    shares = shares_splitting(case_ids(followed), 3, first_takes=False)
    monkeypatch.setattr(rebuild, "case_shares", lambda *_: shares)

    Rebuilder(runner, made_by=with_fussy).rebuild(processes=3)

    assert views_contents(runner.views_path, app.settings) == followed
    assert {s.name: (s.position, s.error) for s in runner.status()} == stopped
