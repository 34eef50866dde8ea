"""The timeline summed per local day: charts against a hand calculation (across midnight in
Europe/Amsterdam), known contacts among new cases, and the sums equal to the rows however the
rows were written.

Rows for the charts, written by hand (now is 21 Nov 20:00 UTC; first-call target 24 h):

case  received (UTC)     local day  first call  closed (UTC)
P     18 Nov 10:00       18 Nov     +1 h        20 Nov 10:00 (20 Nov local)
B     19 Nov 22:30       19 Nov     +30 h       —
A     19 Nov 23:30       20 Nov     +2 h        —
D     20 Nov 10:00       20 Nov     —           —   (target passed 21 Nov 10:00)
C     20 Nov 22:59:59    20 Nov     —           —   (target passes 21 Nov 22:59:59)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from test_kpis import AMS, NOW, at, case

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.projections import all_read_models, distributions, timeline_days
from bco.projections import contacts as contacts_model
from bco.projections import timeline as timeline_model
from bco.projections.dashboard import Reach
from bco.projections.kpis import Period, Scope, compute_kpis
from bco.projections.runner import ReadModelRunner

PERIOD = Period(date(2026, 11, 19), date(2026, 11, 21), AMS)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite3.connect(str(tmp_path / "views.db")))
    timeline_model.Timeline().create(database)
    contacts_model.Contacts({}).create(database)
    yield database
    database.close()


@pytest.fixture
def days(db: Database) -> Database:
    case(db, "P", "north", "2026-11-18T10:00", first=1)
    db.table(timeline_model.TABLE).update("P", {"closed_at": at("2026-11-20T10:00")})
    case(db, "B", "north", "2026-11-19T22:30", first=30)
    case(db, "A", "north", "2026-11-19T23:30", first=2)
    case(db, "D", "north", "2026-11-20T10:00")
    case(db, "C", "north", "2026-11-20T22:59:59")
    case(db, "S", "south", "2026-11-20T12:00")  # another team: never in north's numbers
    return db


def test_cases_per_day_split_at_local_midnight(days: Database) -> None:
    found = distributions.cases_per_day(days, Reach(team="north"), PERIOD, now=NOW,
                                        target_hours=24)
    assert found == [
        (date(2026, 11, 19), 1, 0, 1),  # B, called after 30 h
        (date(2026, 11, 20), 3, 1, 1),  # A in time; D over; C's target has not passed yet
        (date(2026, 11, 21), 0, 0, 0),
    ]


def test_open_cases_per_day_with_first_call_breaches(days: Database) -> None:
    found = distributions.caseload_per_day(days, Reach(team="north"), PERIOD, now=NOW,
                                           target_hours=24)
    assert [(d.day, d.open_cases, d.breaches) for d in found] == [
        (date(2026, 11, 19), 2, 1),  # P (received before), B
        (date(2026, 11, 20), 4, 1),  # + A, D, C; P closed at 11:00 local
        (date(2026, 11, 21), 4, 0),
    ]
    everyone = distributions.caseload_per_day(days, Reach(), PERIOD, now=NOW, target_hours=24)
    assert [d.open_cases for d in everyone] == [2, 5, 5]  # S of south too


def test_the_sums_follow_updates_and_deletes_of_rows(days: Database) -> None:
    days.table(timeline_model.TABLE).update("D", {"team": "south"})
    days.table(timeline_model.TABLE).delete("C")
    north = compute_kpis(days, Period(date(2026, 11, 20), date(2026, 11, 20), AMS), now=NOW,
                         scope=Scope(team="north"))
    assert north["cases"] == 1  # A only: D moved to south, C deleted
    rows = days.execute(f"SELECT kind, day, team, n FROM {timeline_days.BY_DAY} "
                        "WHERE team = 'north' ORDER BY kind, day").fetchall()
    assert rows == [("closed", "2026-11-20", "north", 1), ("received", "2026-11-18", "north", 1),
                    ("received", "2026-11-19", "north", 1),
                    ("received", "2026-11-20", "north", 1)]  # no rows left at zero


def test_a_plain_connection_without_recursive_triggers_sums_the_same(tmp_path: Path) -> None:
    """INSERT OR REPLACE fires delete triggers only with recursive_triggers on."""
    plain = sqlite3.connect(str(tmp_path / "plain.db"))
    plain.execute("PRAGMA recursive_triggers = OFF")
    database = Database(plain, recursive_triggers=False)
    timeline_model.Timeline().create(database)
    for first in (None, 2, 3):  # the projection rewrites a case's row as it changes
        row = timeline_model.with_durations({
            "case_id": "A", "disease": "covid-19", "team": "north",
            "received_at": at("2026-11-20T08:00"), "first_attempt_at":
                None if first is None else at("2026-11-20T08:00", hours=first),
            "reached_at": None, "interview_id": None, "interview_started_at": None,
            "interview_completed_at": None, "closed_at": None, "handovers": 0,
            "contacts_reported": 0, "contacts_informed": 0, "first_informed_at": None,
            "all_informed_at": None, "known_contact": 0})
        database.table(timeline_model.TABLE).insert(row, replace=True)
    assert plain.execute(f"SELECT n, called FROM {timeline_days.BY_DAY}").fetchall() == [(1, 1)]
    assert plain.execute(f"SELECT value, n FROM {timeline_days.VALUES}").fetchall() == [(30, 1)]


def test_known_contacts_among_new_cases(app: BCOApplication, clock: Any,
                                        tmp_path: Path) -> None:
    """A new case whose phone number an earlier interview listed on a contact was already
    someone's contact; one registered before that contact was listed was not."""
    def register(phone: str) -> Any:
        return app.register_case(person=IndexPerson(name="Index", phone=phone),
                                 disease="covid-19", test_date=clock.now.date(),
                                 actor="intake").aggregate_id

    first = register("06 11111112")
    earlier = register("06 23456781")  # listed as a contact only after it was registered
    app.assign_case(first, "anna", "north", actor="lead")
    interview = app.start_interview(first, actor="anna").aggregate_id
    for name, phone in (("Karin", "06 47658312"), ("Piet", "06 23456781")):
        app.report_contact(interview, {"name": name, "phone": phone, "facts": {}},
                           actor="anna")
    later = app.report_contact(interview, {"name": "Noor", "facts": {}},
                               actor="anna").aggregate_id
    app.update_contact(interview, later, {"phone": "06 34567812"}, actor="anna")
    clock.advance(hours=1)
    known = register("+31647658312")  # Karin, written another way
    given_later = register("06 34567812")  # Noor's number, given in an update
    register("06 45678123")
    runner = ReadModelRunner(app, tmp_path / "views.db", all_read_models(app))
    runner.catch_up()
    day = clock.now.astimezone(AMS).date()
    with runner.reading() as db:
        kpis = compute_kpis(db, Period(day, day, AMS), now=clock.now)
        flagged = {row[0] for row in db.execute(
            f"SELECT case_id FROM {timeline_model.TABLE} WHERE known_contact = 1")}
    assert flagged == {str(known), str(given_later)}
    assert str(earlier) not in flagged
    assert kpis["cases"] == 5
    assert kpis["known_contacts_among_new_cases"] == pytest.approx(2 / 5)
