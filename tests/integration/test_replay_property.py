"""Property: for any valid command sequence, the aggregate read back equals the one in memory."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.errors import DomainError
from bco.domain.interview import Interview

ANSWERS = st.one_of(st.integers(0, 20), st.booleans(), st.text(max_size=20),
                    st.sampled_from(["2026-11-20", "ja", "nee"]))
COMMANDS = st.lists(st.one_of(
    st.tuples(st.just("answer"), st.sampled_from(["q1", "q2", "q3"]), ANSWERS),
    st.tuples(st.just("contact"), st.text(min_size=1, max_size=12), st.integers(0, 5)),
    st.tuples(st.just("update"), st.integers(0, 5), st.text(max_size=10)),
    st.tuples(st.just("remove"), st.integers(0, 5), st.just("reported twice")),
    st.tuples(st.just("probe"), st.sampled_from(["day:2026-11-21", "final", "household"]),
              st.booleans()),
    st.tuples(st.just("note"), st.text(min_size=1, max_size=30), st.none()),
    st.tuples(st.just("pause"), st.just("handover"), st.none()),
    st.tuples(st.just("resume"), st.none(), st.none()),
    st.tuples(st.just("complete"), st.none(), st.none()),
    st.tuples(st.just("reopen"), st.just("remembered someone"), st.none()),
    st.tuples(st.just("call"), st.sampled_from([o.value for o in CallOutcome
                                                if o != "callback_requested"]), st.none()),
), max_size=25)


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _apply(case: Case, interview: Interview, command: tuple, now: Any) -> None:
    kind, a, b = command
    contacts = [c.contact_id for c in interview.contacts.values()]
    actor = {"now": now, "actor": "tom"}
    if kind == "answer":
        interview.record_answer(a, b, **actor)
    elif kind == "contact":
        interview.report_contact(uuid4(), {"name": a, "day": date(2026, 11, 20) +
                                           timedelta(days=b)}, region="NL", **actor)
    elif kind in ("update", "remove") and contacts:
        target = contacts[a % len(contacts)]
        if kind == "update":
            interview.update_contact(target, {"relation": b}, region="NL", **actor)
        else:
            interview.remove_contact(target, b, **actor)
    elif kind == "probe":
        interview.raise_follow_up(a, **actor)
        interview.answer_follow_up(a, nobody=b, answer=None if b else "Piet", **actor)
    elif kind == "note":
        interview.add_note(a, **actor)
    elif kind == "pause":
        interview.pause(a, **actor)
    elif kind == "resume":
        interview.resume(**actor)
    elif kind == "complete":
        interview.complete(**actor)
        case.interview_completed(**actor)
    elif kind == "reopen":
        interview.reopen(a, **actor)
        case.interview_reopened(**actor)
    elif kind == "call":
        case.log_call_attempt(CallOutcome(a), **actor)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=COMMANDS)
def test_aggregates_read_back_equal_in_memory(app: BCOApplication, clock: Any,
                                              commands: list[tuple]) -> None:
    now = clock()
    case = Case.register(case_id=uuid4(), person=IndexPerson(name="A B", phone="0612345678"),
                         disease="covid-19", onset=date(2026, 11, 22), test_date=None,
                         source="lab", received_at=now, region="NL", now=now, actor="x")
    interview = Interview.start(interview_id=uuid4(), case_id=case.id, guide_id="covid-19",
                                guide_version="1", guide_hash="h", now=now, actor="tom")
    case.interview_started(interview.id, now=now, actor="tom")
    for command in commands:
        try:
            _apply(case, interview, command, now)
        except DomainError:
            continue  # refused commands change nothing, which the comparison also checks
    app.save(case, interview)
    assert _state(app.repository.get(case.id)) == _state(case)
    assert _state(app.repository.get(interview.id)) == _state(interview)
