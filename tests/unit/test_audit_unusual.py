"""Unusual access: reads outside one's cases and team, and bursts of many cases at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from bco.audit.store import AccessEntry
from bco.audit.unusual import bursts, outside_reads

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def read(minute: float, case_id: UUID | None, *, account: str = "tracer",
         relation: str = "assigned", action: str = "case") -> AccessEntry:
    return AccessEntry(at=START + timedelta(minutes=minute), account=account, role="tracer",
                       action=action, purpose="tracer.case_page", address="10.0.0.1",
                       case_id=case_id, relation=relation)


def test_a_pool_case_left_in_the_pool_is_outside_and_one_taken_is_not() -> None:
    left, taken = uuid4(), uuid4()
    entries = [read(0, left, relation="pool"), read(1, taken, relation="pool"),
               read(2, taken, relation="assigned"), read(3, uuid4(), relation="team"),
               read(4, uuid4(), relation="role"), read(5, uuid4(), relation="outside"),
               read(6, None, relation="", action="search")]
    found = outside_reads(entries)
    assert [(e.case_id, e.relation) for e in found] == [(left, "pool"), (entries[5].case_id,
                                                                          "outside")]


def test_taking_is_per_reader() -> None:
    case_id = uuid4()
    found = outside_reads([read(0, case_id, account="tracer", relation="pool"),
                           read(1, case_id, account="tracer2", relation="assigned")])
    assert [e.account for e in found] == ["tracer"]


def test_more_distinct_cases_than_allowed_within_the_window_is_one_burst() -> None:
    entries = [read(minute, uuid4()) for minute in range(4)]  # 4 cases in 3 minutes
    [burst] = bursts(entries, reads=3, minutes=10)
    assert (burst.account, burst.cases, burst.reads) == ("tracer", 4, 4)
    assert (burst.start, burst.end) == (START, START + timedelta(minutes=3))
    assert bursts(entries, reads=4, minutes=10) == []
    assert bursts(entries, reads=3, minutes=2) == []


def test_one_case_opened_again_and_again_and_lists_are_no_burst() -> None:
    same = uuid4()
    entries = [read(minute, same) for minute in range(20)]
    entries += [read(minute, uuid4(), action="inform-list") for minute in range(20)]
    assert bursts(entries, reads=3, minutes=10) == []


def test_bursts_far_apart_are_reported_apart_and_per_account() -> None:
    entries = [read(minute, uuid4()) for minute in (0, 1, 2)]
    entries += [read(minute, uuid4()) for minute in (60, 61, 62, 63)]
    entries += [read(minute, uuid4(), account="lead") for minute in (0, 1)]
    found = bursts(entries, reads=2, minutes=5)
    assert [(b.account, b.cases, b.start) for b in found] == [
        ("tracer", 4, START + timedelta(minutes=60)), ("tracer", 3, START)]
