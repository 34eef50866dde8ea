"""Property: the read models show the status (and its flags) the aggregates have, after every
event of any sequence of commands, because both take it from the domain's one definition."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.case_status import CaseFlags, CaseStatus
from bco.domain.errors import DomainError
from bco.domain.interview import STATUS_AFTER, Interview
from bco.projections import casefile, caseload, worklist
from bco.projections.readmodel import utc_text

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

CASE_COMMANDS = st.lists(st.one_of(
    st.tuples(st.just("assign"), st.sampled_from(["anna", "bram"]),
              st.sampled_from([None, "north", "south"])),
    st.tuples(st.just("unassign"), st.none(), st.none()),
    st.tuples(st.just("call"), st.sampled_from(list(CallOutcome)), st.integers(1, 48)),
    st.tuples(st.just("unreachable"), st.just("no answer three times"), st.none()),
    st.tuples(st.just("start"), st.none(), st.none()),
    st.tuples(st.just("complete"), st.none(), st.none()),
    st.tuples(st.just("reopen_interview"), st.none(), st.none()),
    st.tuples(st.just("close"), st.just("done"), st.none()),
    st.tuples(st.just("reopen"), st.just("new contacts"), st.none()),
    st.tuples(st.just("correct"), st.sampled_from(["covid-19", "measles"]), st.none()),
), max_size=30)

INTERVIEW_COMMANDS = st.lists(st.sampled_from(
    ["answer", "pause", "resume", "complete", "reopen", "note"]), max_size=30)


def run_case_command(case: Case, command: tuple[str, Any, Any], now: datetime) -> None:
    kind, a, b = command
    at = {"now": now, "actor": "lead"}
    if kind == "assign":
        case.assign(a, b, **at)
    elif kind == "unassign":
        case.unassign(**at)
    elif kind == "call":
        callback = now + timedelta(hours=b) if a == CallOutcome.CALLBACK_REQUESTED else None
        case.log_call_attempt(a, callback_at=callback, **at)
    elif kind == "unreachable":
        case.mark_unreachable(a, **at)
    elif kind == "start":
        case.interview_started(uuid4(), **at)
    elif kind == "complete":
        case.interview_completed(**at)
    elif kind == "reopen_interview":
        case.interview_reopened(**at)
    elif kind == "close":
        case.close(a, **at)
    elif kind == "reopen":
        case.reopen(a, **at)
    elif kind == "correct":
        case.correct_details({"disease": a}, region="NL", **at)


@settings(max_examples=150, deadline=None)
@given(commands=CASE_COMMANDS)
def test_case_rows_show_the_aggregates_status_after_every_event(
        commands: list[tuple[str, Any, Any]]) -> None:
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="06 12345678"),
        disease="covid-19", onset=None, test_date=date(2026, 11, 24), source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    rows: dict[Any, Any] = dict.fromkeys((worklist.on_case_event, casefile.on_case_event,
                                          caseload.on_case_event))
    moment = NOW
    for command in [("registered", None, None), *commands]:
        moment += timedelta(minutes=1)
        try:
            run_case_command(case, command, moment)
        except DomainError:
            continue
        for event in case.collect_events():
            for handler in rows:
                rows[handler] = handler(rows[handler], event)
        for row in rows.values():
            assert row["status"] == case.status.value
            assert (row["tracer"], row["team"]) == (case.tracer, case.team)
            assert row["interview_id"] == (str(case.interview_id) if case.interview_id
                                           else None)
            assert row["callback_at"] == utc_text(case.callback_at)
            assert (row["unreachable"], row["interviewed"], row["closed"]) == (
                int(case.unreachable), int(case.interviewed),
                int(case.closed_reason is not None))


def test_the_status_rule_in_its_order() -> None:
    """Closed wins over everything, then interviewed, interview started, unreachable, assigned."""
    assert CaseFlags().status is CaseStatus.NEW
    assert CaseFlags(tracer="anna").status is CaseStatus.ASSIGNED
    assert CaseFlags(tracer="anna", unreachable=True).status is CaseStatus.UNREACHABLE
    assert CaseFlags(unreachable=True, interview_started=True).status is CaseStatus.IN_PROGRESS
    assert CaseFlags(interview_started=True, interviewed=True).status is CaseStatus.INTERVIEWED
    assert CaseFlags(tracer="anna", interviewed=True, closed=True).status is CaseStatus.CLOSED


def test_an_event_that_moves_no_flag_leaves_them() -> None:
    flags = CaseFlags(tracer="anna", team="north", callback_at=NOW)
    assert flags.after(object()) is flags


@settings(max_examples=100, deadline=None)
@given(commands=INTERVIEW_COMMANDS)
def test_interview_status_in_the_read_models_is_the_aggregates(commands: list[str]) -> None:
    case = Case.register(
        case_id=uuid4(), person=IndexPerson(name="Sanne", phone="06 12345678"),
        disease="covid-19", onset=None, test_date=date(2026, 11, 24), source="lab",
        received_at=NOW, region="NL", now=NOW, actor="lead")
    interview = Interview.start(interview_id=uuid4(), case_id=case.id, guide_id="covid-19",
                                guide_version="1", guide_hash="h", now=NOW, actor="anna")
    row: dict[str, Any] = {"interview_status": None}
    (registered,) = case.collect_events()
    case_file = casefile.on_case_event(None, registered)
    moment = NOW
    for command in ["started", *commands]:
        moment += timedelta(minutes=1)
        at = {"now": moment, "actor": "anna"}
        try:
            if command == "answer":
                interview.record_answer("q1", command, **at)
            elif command == "pause":
                interview.pause("stopped at day 3", **at)
            elif command == "resume":
                interview.resume(**at)
            elif command == "complete":
                interview.complete(**at)
            elif command == "reopen":
                interview.reopen("remembered someone", **at)
            elif command == "note":
                interview.add_note("called back", **at)
        except DomainError:
            continue
        for event in interview.collect_events():
            if type(event) in STATUS_AFTER:
                row = worklist.on_interview_event(row, event)
            case_file = casefile.on_interview_event(case_file, event)
        assert row["interview_status"] == interview.status.value
        assert case_file["interview_status"] == interview.status.value
