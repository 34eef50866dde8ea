"""The unusual reads found from what the access log narrows down equal those found from every
entry, on SQLite and PostgreSQL, while far fewer entries are read."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from bco.application import BCOApplication
from bco.audit.store import (
    ASSIGNED,
    CASE_PAGE,
    INTERVIEW,
    OUTSIDE,
    POOL,
    SEARCH,
    TEAM,
    AccessEntry,
    AccessQuery,
)
from bco.audit.unusual import bursts, outside_reads

START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


def a_fortnight_of_reads(seed: int) -> list[AccessEntry]:
    """Tracers working their own cases through the day, taking some pool cases and leaving
    others, a lead reading the team's, a few reads outside, and two accounts browsing fast."""
    rng = random.Random(seed)
    cases = [uuid4() for _ in range(400)]
    entries: list[AccessEntry] = []

    def read(at: datetime, account: str, case_id: UUID | None, relation: str,
             action: str = CASE_PAGE) -> None:
        entries.append(AccessEntry(at=at, account=account, role="tracer", action=action,
                                   purpose="tracer.case_page", address="10.0.0.1",
                                   case_id=case_id, relation=relation))

    for day in range(14):
        for tracer in range(12):
            account = f"tracer{tracer}"
            moment = START + timedelta(days=day, minutes=rng.uniform(0, 30))
            for _ in range(rng.randint(20, 60)):
                moment += timedelta(seconds=rng.uniform(20, 600))
                case_id = rng.choice(cases)
                roll = rng.random()
                if roll < 0.08:
                    read(moment, account, case_id, POOL)
                    if rng.random() < 0.6:  # taken: read as its tracer later that day
                        read(moment + timedelta(minutes=3), account, case_id, ASSIGNED,
                             INTERVIEW)
                elif roll < 0.1:
                    read(moment, account, case_id, OUTSIDE)
                elif roll < 0.15:
                    read(moment, account, None, ASSIGNED, SEARCH)
                else:
                    read(moment, account, case_id, ASSIGNED, rng.choice([CASE_PAGE, INTERVIEW]))
        moment = START + timedelta(days=day, hours=rng.uniform(1, 8))
        for _ in range(rng.randint(5, 40)):
            moment += timedelta(seconds=rng.uniform(30, 900))
            read(moment, "lead", rng.choice(cases), TEAM)
    for browser, day in (("tracer3", 4), ("nosy", 9)):  # bursts: many cases in minutes
        moment = START + timedelta(days=day, hours=5)
        for _ in range(rng.randint(35, 70)):
            moment += timedelta(seconds=rng.uniform(2, 25))
            read(moment, browser, rng.choice(cases), rng.choice([POOL, OUTSIDE, ASSIGNED]))
    # 31 cases in under ten minutes, 15 and 16 of them on either side of a ten-minute mark:
    # the least a burst (more than 30) can put in the busier of two buckets.
    edge = START + timedelta(days=11, hours=3)  # a multiple of ten minutes since 1970
    for number in range(31):
        read(edge + timedelta(seconds=(number - 15) * 17), "edge", cases[number], POOL)
    return entries


@pytest.mark.parametrize("seed", [1, 2])
def test_unusual_reads_from_the_narrowed_entries_equal_those_from_all(
        app: BCOApplication, seed: int) -> None:
    app.access_log.append(a_fortnight_of_reads(seed))
    for since, browsing in ((START, {"tracer3", "nosy", "edge"}),
                            (START + timedelta(days=6, hours=3), {"nosy", "edge"})):
        everything = app.access_log.entries(AccessQuery(since=since))
        single = [e for e in everything if e.action in (CASE_PAGE, INTERVIEW)]
        for reads, minutes in ((30, 10), (12, 5), (7, 30)):
            material = app.access_log.unusual_material(since, reads=reads, minutes=minutes)
            assert outside_reads(material.maybe_outside, material.taken) == outside_reads(
                everything)
            expected = bursts(everything, reads=reads, minutes=minutes)
            assert bursts(material.maybe_bursts, reads=reads, minutes=minutes) == expected
            if reads == 30:
                assert {burst.account for burst in expected} == browsing
                assert len(material.maybe_bursts) < len(single) / 10
        assert len(material.maybe_outside) < len(everything) / 5
