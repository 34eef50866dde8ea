"""Exports: per case and per contact the record a health authority pulls, and where it changed.

Each row carries `position`, the notification id of the last event that changed it, so an
incremental export takes the rows past a cursor. Names, phones, e-mails, birth dates and
postcodes are not copied here: the queries below join them from the people tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.guide_version import GuideVersion
from bco.domain.interview import InformOutcome, Interview
from bco.domain.personal import CONTACTS as CONTACTS_PART
from bco.domain.personal import INDEX
from bco.domain.reference import case_reference
from bco.guides.model import Guide
from bco.projections import contacts as contact_rows
from bco.projections import people, timeline
from bco.projections.guide_library import GuideLibrary
from bco.projections.readmodel import (
    POSITIONS,
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    evolve_case_flags,
    key_text,
    utc_text,
)

CASES = "exports_cases"
CONTACTS = "exports_contacts"
INTERVIEWS = "exports_interviews"
GUIDES = "exports_guides"
ANSWERS = "exports_answers"  # the batch's scratch: case id → answers gathered so far

# What an export holds per case and per contact, in this order (personal data joined later).
CASE_COLUMNS = (
    "case_id", "reference", "status", "disease", "onset_date", "test_date", "received_at",
    "language", "team", "tracer", "interview_id", "guide_id", "guide_version",
    "call_attempts", "handovers", "contacts_reported", "contacts_informed",
    "first_attempt_at", "reached_at", "interview_started_at", "interview_completed_at",
    "closed_at", "first_informed_at", "all_informed_at",
    *(column for column, _start, _end in timeline.DURATIONS), "answers",
)
CONTACT_COLUMNS = (
    "contact_id", "case_id", "reference", "interview_id", "reported_at", "relation",
    "household", "day", "setting", "prompt", "category", "category_source", "informs",
    "inform_outcome", "informed_at", "removed", "removed_at",
)
CASE_PERSON = ("name", "phone", "email", "birth_date", "postcode")
CONTACT_PERSON = ("name", "phone", "email")
# Answers exported as they are: typed values, never free text that may name people.
ANSWER_TYPES = frozenset({"date", "choice", "multichoice", "yesno", "number"})


def on_case_event(row: Row | None, event: Any, position: int) -> Row:
    """The case record after a case event: timeline moments, status flags and key facts."""
    if isinstance(event, Case.Registered):
        case_id = key_text(event.originator_id)
        row = {"case_id": case_id, "reference": case_reference(case_id),
               "onset_date": day_text(event.onset), "test_date": day_text(event.test_date),
               "language": event.language, "interview_id": None, "guide_id": None,
               "guide_version": None, "call_attempts": 0, "answers": "{}",
               "callback_at": None}
    assert row is not None, "a case event before its registration"
    timed = timeline.on_case_event(row, event)  # a copy that keeps our own columns, but
    row = {**row, **timed} if isinstance(event, Case.Registered) else timed  # not at the start
    if isinstance(event, Case.DetailsCorrected):
        for key, column in (("onset", "onset_date"), ("test_date", "test_date")):
            if key in event.changes:
                row[column] = day_text(event.changes[key])
        if "language" in event.changes:
            row["language"] = event.changes["language"]
    elif isinstance(event, Case.CallAttemptLogged):
        row["call_attempts"] += 1
    row.update(evolve_case_flags(row, event), position=position)
    return row


def on_interview_started(row: Row, event: Any, position: int) -> Row:
    return {**row, "interview_id": key_text(event.originator_id), "guide_id": event.guide_id,
            "guide_version": str(event.guide_version), "position": position}


def exported_answer(guide: Guide | None, question_id: str) -> bool:
    """Typed answers (dates, choices, yes/no, numbers) join the record; free text never does."""
    question = None if guide is None else guide.questions.get(question_id)
    return question is not None and question.type in ANSWER_TYPES


def answers_text(answers: Mapping[str, Any]) -> str:
    return json.dumps(answers, sort_keys=True, default=str)


def on_contact_event(row: Row | None, interview: Row, event: Any, guide: Guide | None,
                     position: int) -> Row:
    """The contact record after it was reported, changed, removed or an inform attempt."""
    if isinstance(event, Interview.ContactReported):
        row = {**contact_rows.on_reported(interview, event, guide),
               "reference": case_reference(interview["case_id"]), "first_informed_at": None}
    elif isinstance(event, Interview.ContactUpdated):
        assert row is not None, "an update of an unknown contact"
        row = contact_rows.on_updated(row, event, guide, interview)
    elif isinstance(event, Interview.ContactRemoved):
        assert row is not None, "a removal of an unknown contact"
        row = contact_rows.on_removed(row, event)
    else:
        assert row is not None, "an inform outcome of an unknown contact"
        row = contact_rows.on_inform_outcome(row, event)
        if event.outcome == InformOutcome.INFORMED and not row["first_informed_at"]:
            row["first_informed_at"] = utc_text(event.timestamp)
    return {**row, "position": position}


def with_counts(row: Row, contacts: list[Row], position: int) -> Row:
    """Contact counts and inform times of a case; its position moves only when they change."""
    counted = timeline.with_contact_counts(row, [
        {"removed": c["removed"], "informed_at": c["first_informed_at"]} for c in contacts])
    # the export's columns only: the timeline's other counts and clocks, absent from a row
    # read back from the file, would move the position at every batch boundary
    if all(counted.get(column) == row.get(column) for column in CASE_COLUMNS):
        return row
    return {**counted, "position": position}


class Exports(ReadModel):
    """Export records per case and per contact, each with the position where it last changed."""

    name = "exports"
    rebuild_cost = 18.0
    by_case = True
    tables = (CASES, CONTACTS, INTERVIEWS, GUIDES)
    lookups = ((CONTACTS, "interview_id"), (CONTACTS, "case_id"))

    def __init__(self, guides: Mapping[str, Guide]) -> None:
        self.library = GuideLibrary(guides, GUIDES)

    def create(self, db: Database) -> None:
        case_columns: dict[str, Any] = dict.fromkeys(CASE_COLUMNS, str)
        case_columns.update(dict.fromkeys(
            ("call_attempts", "handovers", "contacts_reported", "contacts_informed",
             *(column for column, _start, _end in timeline.DURATIONS)), int))
        case_columns.update({"position": int, "unreachable": int, "interviewed": int,
                             "closed": int, "callback_at": str})
        db.table(CASES).create(case_columns, pk="case_id", if_not_exists=True)
        db.table(CASES).create_index(["position"], if_not_exists=True)
        db.table(CASES).create_index(["interview_id"], if_not_exists=True)
        contact_columns: dict[str, Any] = dict.fromkeys(CONTACT_COLUMNS, str)
        contact_columns.update({"household": int, "removed": int, "position": int,
                                "guide_id": str, "informs_own": str, "facts": str,
                                "category_override": str, "category_rule": str,
                                "category_problem": str, "has_phone": int, "has_email": int,
                                "has_no_reach_reason": int, "first_informed_at": str})
        db.table(CONTACTS).create(contact_columns, pk="contact_id", if_not_exists=True)
        for columns in (["position"], ["case_id"], ["interview_id"]):
            db.table(CONTACTS).create_index(columns, if_not_exists=True)
        db.table(INTERVIEWS).create({"interview_id": str, "case_id": str, "guide_id": str,
                                     "guide_hash": str, "informs_answer": str},
                                    pk="interview_id", if_not_exists=True)
        self.library.create(db)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = dict.fromkeys(
            (Case.Registered, Case.DetailsCorrected, Case.Assigned, Case.Unassigned,
             Case.CallAttemptLogged, Case.MarkedUnreachable, Case.InterviewStarted,
             Case.InterviewCompleted, Case.InterviewReopened, Case.Closed, Case.Reopened),
            self._case)
        table.update(dict.fromkeys(
            (Interview.ContactReported, Interview.ContactUpdated, Interview.ContactRemoved,
             Interview.ContactInformOutcomeLogged), self._contact))
        table.update({
            GuideVersion.Archived: self.library.keep,
            Interview.Started: self._started,
            Interview.AnswerRecorded: self._answered,
            Interview.AnswerChanged: self._answered,
            Interview.Paused: self._paused,
            Case.PersonalDataErased: self._erased,
            Interview.PersonalDataErased: self._erased,
        })
        return table

    def _erased(self, rows: Batch, event: Any) -> None:
        """After retention the records go out again, without the personal data, so an export
        client that pulls what changed since its cursor learns to forget it too."""
        if isinstance(event, Case.PersonalDataErased):
            case = rows.get(CASES, key_text(event.originator_id))
        else:
            interview, case = self._interview(rows, event)
            if CONTACTS_PART in event.parts:
                for contact in rows.find(CONTACTS, "interview_id", interview["interview_id"]):
                    rows.put(CONTACTS, {**contact, "position": rows.position})
        if case is not None and INDEX in event.parts:
            rows.put(CASES, {**case, "position": rows.position})

    def _case(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(CASES, key_text(event.originator_id)))
        rows.put(CASES, on_case_event(found, event, rows.position))

    def _started(self, rows: Batch, event: Any) -> None:
        interview = {"interview_id": key_text(event.originator_id),
                     "case_id": key_text(event.case_id), "guide_id": event.guide_id,
                     "guide_hash": event.guide_hash,
                     "informs_answer": None}
        rows.put(INTERVIEWS, interview)
        case = rows.get(CASES, interview["case_id"])
        if case is not None:
            rows.put(CASES, on_interview_started(case, event, rows.position))

    def _interview(self, rows: Batch, event: Any) -> tuple[Row, Row | None]:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "an interview event before the interview started"
        return interview, rows.get(CASES, interview["case_id"])

    def _answered(self, rows: Batch, event: Any) -> None:
        """Answers gather in the batch and are written into their case once, in finish_batch."""
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "an answer before the interview started"
        guide = self.library.find(rows, interview["guide_hash"])
        if exported_answer(guide, event.question_id):
            gathered: dict[str, tuple[dict[str, Any], int]] = rows.scratch.setdefault(
                ANSWERS, {})
            answers, _last = gathered.get(interview["case_id"], ({}, 0))
            answers[event.question_id] = event.value
            gathered[interview["case_id"]] = (answers, rows.position)
        if guide is None or event.question_id != guide.inform_question:
            return
        interview = {**interview, "informs_answer": event.value}
        rows.put(INTERVIEWS, interview)
        for contact in rows.find(CONTACTS, "interview_id", interview["interview_id"]):
            changed = contact_rows.with_informer(contact, interview)
            if changed != contact:
                rows.put(CONTACTS, {**changed, "position": rows.position})

    def finish_batch(self, batch: Batch) -> None:
        """The answers gathered in this batch, and the position of the last, into each case."""
        for case_id, (answers, last) in batch.scratch.get(ANSWERS, {}).items():
            case = batch.get(CASES, case_id)
            if case is not None:
                merged = {**json.loads(case["answers"]), **answers}
                batch.put(CASES, {**case, "answers": answers_text(merged),
                                  "position": max(case["position"], last)})

    def _paused(self, rows: Batch, event: Any) -> None:
        _interview, case = self._interview(rows, event)
        if case is not None:
            rows.put(CASES, {**case, "handovers": case["handovers"] + 1,
                             "position": rows.position})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview, case = self._interview(rows, event)
        guide = self.library.find(rows, interview["guide_hash"])
        found = (None if isinstance(event, Interview.ContactReported)
                 else rows.get(CONTACTS, key_text(event.contact_id)))
        rows.put(CONTACTS, on_contact_event(found, interview, event, guide, rows.position))
        if case is not None:
            contacts = rows.find(CONTACTS, "case_id", case["case_id"])
            rows.put(CASES, with_counts(case, contacts, rows.position))


# -- reading: one snapshot per export ------------------------------------------------------


def snapshot_position(conn: sqlite3.Connection) -> int:
    """How far both exports and people are complete, so no row outruns its personal data."""
    found = dict(conn.execute(
        f"SELECT name, position FROM [{POSITIONS}] WHERE name IN (?, ?)",
        [Exports.name, people.People.name]).fetchall())
    return min(found.get(Exports.name, 0), found.get(people.People.name, 0))


def case_records(conn: sqlite3.Connection, since: int, until: int
                 ) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """Column names and rows of the cases changed after `since`, up to `until`, in log order."""
    columns = ", ".join(f"e.[{c}]" for c in CASE_COLUMNS)
    person = ", ".join(f"p.[{c}]" for c in CASE_PERSON)
    cursor = conn.execute(
        f"SELECT {columns}, {person} FROM [{CASES}] e "
        f"LEFT JOIN [{people.CASES}] p ON p.case_id = e.case_id "
        "WHERE e.position > ? AND e.position <= ? ORDER BY e.position", [since, until])
    return (*CASE_COLUMNS, *CASE_PERSON), iter(cursor)


def contact_records(conn: sqlite3.Connection, since: int, until: int
                    ) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """Column names and rows of the contacts changed after `since`, up to `until`."""
    columns = ", ".join(f"e.[{c}]" for c in CONTACT_COLUMNS)
    person = ", ".join(f"p.[{c}]" for c in CONTACT_PERSON)
    cursor = conn.execute(
        f"SELECT {columns}, {person} FROM [{CONTACTS}] e "
        f"LEFT JOIN [{people.CONTACTS}] p ON p.contact_id = e.contact_id "
        "WHERE e.position > ? AND e.position <= ? ORDER BY e.position", [since, until])
    return (*CONTACT_COLUMNS, *CONTACT_PERSON), iter(cursor)
