"""Random but valid-looking command sequences, and a way to compare read-model files."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from bco.application import BCOApplication, Erasure
from bco.config import Settings
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import DomainError
from bco.projections.viewsdb import connect_file, views_key

QUESTIONS: list[tuple[str, Any]] = [
    ("household_size", 2), ("household_size", 0), ("went_to_work", True),
    ("went_to_work", False), ("has_symptoms", True), ("onset_date", "2026-11-20"),
    ("gathering_details", "Verjaardag bij Jan de Vries"), ("who_informs", "index"),
    ("no_such_question", "x"),
]
PROMPTS = ["setting:work", "setting:home", "final", "household", "day:2026-11-22",
           "day:2026-11-23", "went_to_work"]
FACTS: list[dict[str, Any]] = [
    {}, {"duration_min": 20, "distance_m": 1}, {"high_risk_exposure": True},
    {"duration_min": 5}, {"duration_min": "long"},
]

# Every sequence starts from three cases, one with an interview, so that most operations apply.
OPENING: list[tuple[Any, ...]] = [
    ("register", 0, True, True), ("register", 1, False, True), ("register", 2, True, False),
    ("start", 0),
]

case_index = st.integers(min_value=0, max_value=2)
contact_index = st.integers(min_value=0, max_value=4)
operations = st.one_of(
    st.tuples(st.just("register"), st.integers(0, 3), st.booleans(), st.booleans()),
    st.tuples(st.just("assign"), case_index, st.sampled_from(["anna", "bert", "cem"]),
              st.sampled_from([None, "north", "south"])),
    st.tuples(st.just("unassign"), case_index),
    st.tuples(st.just("call"), case_index, st.sampled_from(list(CallOutcome))),
    st.tuples(st.just("unreachable"), case_index),
    st.tuples(st.just("start"), case_index),
    st.tuples(st.just("start"), case_index),
    st.tuples(st.just("answer"), case_index, st.sampled_from(QUESTIONS)),
    *[st.tuples(st.just("contact"), case_index, st.booleans(),
                st.sampled_from([None, *PROMPTS]), st.sampled_from(FACTS), st.booleans())] * 3,
    st.tuples(st.just("update_contact"), case_index, contact_index,
              st.sampled_from([{"household": True}, {"facts": {"duration_min": 30}},
                               {"category_override": "3", "override_reason": "lead says"},
                               {"prompt": "final"}, {"phone": None}, {"name": "Ab"}])),
    st.tuples(st.just("remove_contact"), case_index, contact_index),
    st.tuples(st.just("follow_up"), case_index, st.sampled_from(PROMPTS), st.booleans()),
    st.tuples(st.just("pause"), case_index),
    st.tuples(st.just("resume"), case_index),
    st.tuples(st.just("complete"), case_index),
    st.tuples(st.just("reopen_interview"), case_index),
    st.tuples(st.just("inform"), case_index, contact_index,
              st.sampled_from(["informed", "unreachable", "refused"])),
    st.tuples(st.just("close"), case_index),
    st.tuples(st.just("reopen_case"), case_index),
    st.tuples(st.just("correct"), case_index,
              st.sampled_from([{"onset": None, "test_date": None}, {"birth_date": None},
                               {"name": "Sanne Jansen"}, {"phone": "06 23456789"}])),
    st.tuples(st.just("erase"), case_index, st.sampled_from([("contacts",),
                                                             ("index", "contacts")])),
    st.tuples(st.just("wait"), st.integers(1, 30)),
    st.tuples(st.just("catch_up")),
)


@dataclass
class Scenario:
    """Applies operations to the application; commands the domain refuses are skipped."""

    app: BCOApplication
    clock: Any
    cases: list[UUID] = field(default_factory=list)
    interviews: dict[UUID, UUID] = field(default_factory=dict)
    contacts: dict[UUID, list[UUID]] = field(default_factory=dict)

    def run(self, operation: tuple[Any, ...]) -> None:
        with contextlib.suppress(DomainError):
            self._run(operation)

    def _case(self, index: int) -> UUID | None:
        return self.cases[index % len(self.cases)] if self.cases else None

    def _interview(self, index: int) -> UUID | None:
        case_id = self._case(index)
        return self.interviews.get(case_id) if case_id else None

    def _contact(self, interview_id: UUID, index: int) -> UUID | None:
        known = self.contacts.get(interview_id, [])
        return known[index % len(known)] if known else None

    def _run(self, op: tuple[Any, ...]) -> None:
        app, kind = self.app, op[0]
        today = self.clock.now.date()
        if kind == "register":
            disease = app.catalog.known_diseases[op[1] % len(app.catalog.known_diseases)]
            person = IndexPerson(name="Sanne de Vries", phone="06 12345678",
                                 birth_date=today - timedelta(days=365 * 30) if op[2] else None,
                                 email="s@example.org")
            recorded = app.register_case(
                person=person, disease=disease, onset=today - timedelta(days=2) if op[3] else None,
                test_date=None if op[3] else today - timedelta(days=1), actor="lead")
            self.cases.append(recorded.aggregate_id)
            return
        if kind == "wait":
            self.clock.advance(minutes=op[1] * 20)
            return
        case_id = self._case(op[1]) if len(op) > 1 else None
        if case_id is None:
            return
        interview_id = self.interviews.get(case_id)
        if kind == "assign":
            app.assign_case(case_id, op[2], op[3], actor="lead")
        elif kind == "unassign":
            app.unassign_case(case_id, actor="lead")
        elif kind == "call":
            callback = (self.clock.now + timedelta(hours=2)
                        if op[2] == CallOutcome.CALLBACK_REQUESTED else None)
            app.log_call_attempt(case_id, op[2], callback_at=callback, actor="anna")
        elif kind == "unreachable":
            app.mark_unreachable(case_id, "three tries", actor="anna")
        elif kind == "start":
            self.interviews[case_id] = app.start_interview(case_id, actor="anna").aggregate_id
        elif kind == "close":
            app.close_case(case_id, "done", actor="lead")
        elif kind == "reopen_case":
            app.reopen_case(case_id, "new facts", actor="lead")
        elif kind == "erase":  # the end of retention, whenever it falls
            app.erase(Erasure(case_id, interview_id,
                              tuple(part for part in op[2] if part == "index"),
                              op[2] if interview_id is not None else ()), actor="retention")
        elif kind == "correct":
            changes = dict(op[2])
            if "onset" in changes:
                changes = {"onset": today - timedelta(days=3)}
            if "birth_date" in changes:
                changes = {"birth_date": today - timedelta(days=365 * 70)}
            app.correct_case_details(case_id, changes, actor="lead")
        elif interview_id is not None:
            self._interview_op(op, interview_id, today)

    def _interview_op(self, op: tuple[Any, ...], interview_id: UUID, today: Any) -> None:
        app, kind = self.app, op[0]
        if kind == "answer":
            app.record_answer(interview_id, op[2][0], op[2][1], actor="anna")
        elif kind == "contact":
            details = {"name": "Piet Bakker", "phone": "06 31234567" if op[5] else None,
                       "household": op[2], "prompt": op[3], "facts": op[4],
                       "day": today - timedelta(days=1), "setting": "work",
                       "informs": "authority"}
            recorded = app.report_contact(interview_id, details, actor="anna")
            self.contacts.setdefault(interview_id, []).append(recorded.aggregate_id)
        elif kind == "follow_up":
            app.answer_follow_up(interview_id, op[2], answer=None if op[3] else "Kees",
                                 nobody=op[3], actor="anna")
        elif kind == "pause":
            app.pause_interview(interview_id, "stopped at day 2", actor="anna")
        elif kind == "resume":
            app.resume_interview(interview_id, actor="bert")
        elif kind == "complete":
            app.complete_interview(interview_id, actor="anna")
        elif kind == "reopen_interview":
            app.reopen_interview(interview_id, "remembered someone", actor="anna")
        else:
            contact_id = self._contact(interview_id, op[2])
            if contact_id is None:
                return
            if kind == "update_contact":
                app.update_contact(interview_id, contact_id, op[3], actor="anna")
            elif kind == "remove_contact":
                app.remove_contact(interview_id, contact_id, "double", actor="anna")
            elif kind == "inform":
                app.log_inform_outcome(interview_id, contact_id, op[3], actor="authority")


def views_contents(path: Path, settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows in a stable order, positions left out."""
    conn = connect_file(path, views_key(settings))
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name != 'projection_positions' ORDER BY name")]
        return {table: sorted(conn.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr)
                for table in tables}
    finally:
        conn.close()
