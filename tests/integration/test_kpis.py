"""KPIs against a hand calculation: rows written into real read-model tables, then queried.

The period is 20 Nov 2026 in Europe/Amsterdam (UTC+1): from 19 Nov 23:00 to 20 Nov 23:00 UTC.

case  team   received (UTC)   first call  reached  completed (UTC)  contacts
A     north  19 Nov 23:30     +2 h        +3 h     20 Nov 19:30     3 live (2 by the service)
B     north  19 Nov 22:30     +1 h        +1 h     20 Nov 01:00     1 (by the service)
C     north  20 Nov 22:59:59  —           —        —                —
D     north  20 Nov 10:00     +5 h        +30 h    21 Nov 19:00     —
E     south  20 Nov 12:00     +1 h        +1 h     20 Nov 16:00     0

B was received on 19 Nov local time (23:30), so it is not a case of the period; its interview
was completed in the period, so it counts for the contacts KPIs. Now is 21 Nov 20:00 UTC:
C's first 24 h have not passed yet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from bco.projections import timeline as timeline_model
from bco.projections.kpis import Period, Scope, compute_kpis
from bco.projections.readmodel import utc_text

AMS = ZoneInfo("Europe/Amsterdam")
DAY = Period(date(2026, 11, 20), date(2026, 11, 20), AMS)
NOW = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)


def at(text: str, **later: float) -> str | None:
    return utc_text(datetime.fromisoformat(text).replace(tzinfo=UTC) + timedelta(**later))


def case(db: Database, case_id: str, team: str, received: str, *, first: float | None = None,
         reached: float | None = None, completed: str | None = None, handovers: int = 0,
         disease: str = "COVID-19") -> None:
    row: dict[str, Any] = {
        "case_id": case_id, "disease": disease, "team": team, "received_at": at(received),
        "first_attempt_at": None if first is None else at(received, hours=first),
        "reached_at": None if reached is None else at(received, hours=reached),
        "interview_id": f"i-{case_id}" if completed else None,
        "interview_started_at": None, "interview_completed_at": completed and at(completed),
        "closed_at": None, "handovers": handovers, "contacts_reported": 0,
        "contacts_informed": 0, "first_informed_at": None, "all_informed_at": None}
    db.table(timeline_model.TABLE).insert(timeline_model.with_durations(row))


def contact(db: Database, contact_id: str, case_id: str, informs: str, *,
            informed: str | None = None, removed: bool = False) -> None:
    db.table(timeline_model.CONTACTS).insert({
        "contact_id": contact_id, "case_id": case_id, "reported_at": None,
        "removed": int(removed), "inform_outcome": "informed" if informed else None,
        "informed_at": informed, "informs_own": informs, "informs": informs})
    live = [r for r in db.table(timeline_model.CONTACTS).rows_where("case_id = ?", [case_id])]
    row = db.table(timeline_model.TABLE).get(case_id)
    db.table(timeline_model.TABLE).update(
        case_id, timeline_model.with_contact_counts(row, live))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite3.connect(str(tmp_path / "views.db")))
    timeline_model.Timeline().create(database)
    yield database
    database.close()


@pytest.fixture
def filled(db: Database) -> Database:
    case(db, "A", "north", "2026-11-19T23:30", first=2, reached=3,
         completed="2026-11-20T19:30", handovers=1)
    contact(db, "a1", "A", "authority", informed=at("2026-11-21T05:30"))  # +10 h
    contact(db, "a2", "A", "authority")  # never informed
    contact(db, "a3", "A", "index", informed=at("2026-11-20T20:00"))  # the index informs
    contact(db, "a4", "A", "authority", informed=at("2026-11-20T20:00"), removed=True)
    case(db, "B", "north", "2026-11-19T22:30", first=1, reached=1,
         completed="2026-11-20T01:00")
    contact(db, "b1", "B", "authority", informed=at("2026-11-21T02:00"))  # +25 h
    case(db, "C", "north", "2026-11-20T22:59:59")
    case(db, "D", "north", "2026-11-20T10:00", first=5, reached=30,
         completed="2026-11-21T19:00")
    case(db, "E", "south", "2026-11-20T12:00", first=1, reached=1,
         completed="2026-11-20T16:00", disease="measles")
    return db


def test_every_kpi_matches_the_hand_calculation(filled: Database) -> None:
    kpis = compute_kpis(filled, DAY, now=NOW)
    assert kpis["cases"] == 4  # A, C, D, E; B was received the day before, locally
    assert kpis["cases_past_24h"] == 3  # C was received 21 h ago
    assert kpis["reached_within_24h"] == pytest.approx(2 / 3)  # A, E; D after 30 h
    assert kpis["interviewed_within_24h"] == pytest.approx(2 / 3)  # A (20 h), E (4 h)
    assert kpis["first_call_hours_median"] == 2.0  # A 2, D 5, E 1; C has none
    assert kpis["interviews_completed"] == 3  # A, B, E; D on 21 Nov
    assert kpis["contacts_per_case_median"] == 1.0  # 3, 1, 0 (removed a4 not counted)
    assert kpis["cases_without_contacts"] == pytest.approx(1 / 3)  # E
    assert kpis["contacts_to_inform"] == 3  # a1, a2, b1: a3 by the index, a4 removed
    assert kpis["contacts_informed_within_24h"] == pytest.approx(1 / 3)  # a1 only
    assert kpis["handovers_per_interview"] == pytest.approx(1 / 3)


def test_a_period_boundary_is_local_midnight(filled: Database) -> None:
    day_before = Period(date(2026, 11, 19), date(2026, 11, 19), AMS)
    kpis = compute_kpis(filled, day_before, now=NOW)
    assert kpis["cases"] == 1  # B, at 23:30 local time
    assert kpis["first_call_hours_median"] == 1.0
    assert kpis["interviews_completed"] == 0
    assert kpis["contacts_per_case_median"] is None


def test_per_team_and_disease(filled: Database) -> None:
    north = compute_kpis(filled, DAY, now=NOW, scope=Scope(team="north"))
    assert north["cases"] == 3
    assert north["reached_within_24h"] == pytest.approx(1 / 2)  # A yes, D no; C not ripe
    assert north["contacts_per_case_median"] == 2.0  # A 3, B 1
    measles = compute_kpis(filled, DAY, now=NOW, scope=Scope(disease="measles"))
    assert measles["cases"] == 1
    assert measles["cases_without_contacts"] == 1.0
    assert measles["contacts_informed_within_24h"] is None  # nobody to inform
    nobody = compute_kpis(filled, DAY, now=NOW, scope=Scope(team="south", disease="COVID-19"))
    assert nobody["cases"] == 0


def test_an_empty_period_gives_null_not_zero(filled: Database) -> None:
    kpis = compute_kpis(filled, Period(date(2026, 10, 1), date(2026, 10, 31), AMS), now=NOW)
    assert kpis["cases"] == 0
    for key in ("reached_within_24h", "interviewed_within_24h", "first_call_hours_median",
                "contacts_per_case_median", "cases_without_contacts",
                "contacts_informed_within_24h", "handovers_per_interview"):
        assert kpis[key] is None, key


def test_cases_with_no_call_yet_count_as_not_reached(db: Database) -> None:
    case(db, "X", "north", "2026-11-20T08:00")
    case(db, "Y", "north", "2026-11-20T09:00", first=30)
    kpis = compute_kpis(db, DAY, now=NOW)
    assert kpis["reached_within_24h"] == 0.0
    assert kpis["interviewed_within_24h"] == 0.0
    assert kpis["first_call_hours_median"] == 30.0  # X has no call, so it is left out
