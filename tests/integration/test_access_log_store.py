"""The access log in the shared store, on SQLite and PostgreSQL: one log for every node,
append-only, created with the store and kept across restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import PersistenceError

from bco.application import BCOApplication
from bco.audit.store import AccessEntry, AccessQuery
from bco.config import Settings


def entry(clock: Any, case_id: UUID | None = None, **changes: Any) -> AccessEntry:
    values: dict[str, Any] = {
        "at": clock.now, "account": "tracer", "role": "tracer", "action": "case",
        "purpose": "tracer.case_page", "address": "10.0.0.7",
        "case_id": case_id or uuid4(), "relation": "assigned"}
    values.update(changes)
    return AccessEntry(**values)


def test_two_nodes_on_one_store_see_one_log(settings: Settings, clock: Any) -> None:
    first = BCOApplication(settings, clock=clock)
    second = BCOApplication(settings, clock=clock)
    try:
        case_id = uuid4()
        first.access_log.append([entry(clock, case_id, account="tracer")])
        clock.advance(minutes=1)
        second.access_log.append([entry(clock, case_id, account="lead", role="team_lead",
                                        relation="team", records=None)])
        for node in (first, second):
            seen = node.access_log.entries(AccessQuery(case_id=case_id))
            assert [(e.account, e.role, e.relation) for e in seen] == [
                ("tracer", "tracer", "assigned"), ("lead", "team_lead", "team")]
            assert [e.at for e in seen] == [clock.now - timedelta(minutes=1), clock.now]
            assert all(e.case_id == case_id and e.address == "10.0.0.7" for e in seen)
    finally:
        first.close()
        second.close()


def test_the_log_refuses_updates_and_deletes_and_keeps_its_rows(app: BCOApplication,
                                                                  clock: Any) -> None:
    app.access_log.append([entry(clock), entry(clock, records=3, case_id=None)])
    table = app.access_log.table
    statements = [f"UPDATE {table} SET account = 'someone'", f"DELETE FROM {table}"]
    if app.settings.uses_postgres:
        statements.append(f"TRUNCATE {table}")
    for statement in statements:
        with pytest.raises(PersistenceError, match="append-only"), \
                app.recorder.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            cursor.execute(statement)
    kept = app.access_log.entries()
    assert [(e.account, e.records) for e in kept] == [("tracer", None), ("tracer", 3)]


def test_the_table_is_made_once_and_outlives_a_restart(settings: Settings, clock: Any) -> None:
    app = BCOApplication(settings, clock=clock)
    app.access_log.append([entry(clock)])
    app.close()
    again = BCOApplication(settings, clock=clock)
    try:
        again.access_log.append([entry(clock, account="lead")])
        assert [e.account for e in again.access_log.entries()] == ["tracer", "lead"]
    finally:
        again.close()


def test_a_request_with_many_cases_is_one_append(app: BCOApplication, clock: Any) -> None:
    many = [entry(clock, account="authority", role="authority", relation="role")
            for _ in range(1234)]
    assert app.access_log.append(many) == 1234
    assert app.access_log.append([]) == 0
    stored = app.access_log.entries()
    assert len(stored) == 1234 and {e.case_id for e in stored} == {e.case_id for e in many}


def test_entries_by_case_account_and_moment(app: BCOApplication, clock: Any) -> None:
    case_id = uuid4()
    start = clock.now
    app.access_log.append([entry(clock, case_id, account="tracer")])
    clock.advance(days=1)
    app.access_log.append([entry(clock, case_id, account="lead"), entry(clock, account="lead"),
                           entry(clock, account="tracer2")])
    log = app.access_log
    assert [e.account for e in log.entries(AccessQuery(case_id=case_id))] == ["tracer", "lead"]
    assert len(log.entries(AccessQuery(account="lead"))) == 2
    assert [e.account for e in log.entries(AccessQuery(account="tracer",
                                                       since=start + timedelta(hours=1)))] == []
    newest = log.entries(AccessQuery(newest_first=True, limit=1))
    assert newest[0].account == "tracer2"
    assert len(log.entries(AccessQuery(since=start + timedelta(hours=1)))) == 3
    assert log.entries(AccessQuery(cases=[])) == []
    assert [e.account for e in log.entries(AccessQuery(cases=[case_id]))] == ["tracer", "lead"]
    assert log.accounts() == ["lead", "tracer", "tracer2"]


def test_a_page_of_entries_and_how_many_there_are(app: BCOApplication, clock: Any) -> None:
    """Newest first, cut into pages by limit and offset; the count ignores both."""
    case_id = uuid4()
    app.access_log.append([entry(clock, case_id, detail=f"{number}")
                           for number in range(7)])  # one moment: the entry id orders them
    app.access_log.append([entry(clock, account="lead")])
    log = app.access_log
    mine = AccessQuery(case_id=case_id, newest_first=True)
    assert log.count(mine) == 7 and log.count() == 8
    assert log.count(AccessQuery(cases=[])) == 0
    assert log.count(AccessQuery(case_id=case_id, limit=2, offset=5)) == 7
    pages = [[e.detail for e in log.entries(AccessQuery(case_id=case_id, newest_first=True,
                                                        limit=3, offset=offset))]
             for offset in (0, 3, 6, 9)]
    assert pages == [["6", "5", "4"], ["3", "2", "1"], ["0"], []]
    assert [e.detail for e in log.entries(AccessQuery(case_id=case_id, offset=5))] == ["5", "6"]
