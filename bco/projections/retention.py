"""Retention: per case when its clocks started (closed, interview completed) and what of it is
erased already, so `bco retention run` looks only at cases that may be due.

The application decides on the aggregates themselves; this read model only narrows the search.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.personal import CONTACTS, INDEX
from bco.projections.readmodel import Batch, Handler, ReadModel, key_text, utc_text

TABLE = "retention_cases"


class Retention(ReadModel):
    """Closing and completion moments per case, and the parts erased after retention."""

    name = "retention"
    rebuild_cost = 1.0
    by_case = True
    tables = (TABLE,)
    lookups = ((TABLE, "interview_id"),)

    def create(self, db: Database) -> None:
        db.table(TABLE).create({
            "case_id": str, "interview_id": str, "closed_at": str, "completed_at": str,
            "index_erased": int, "contacts_erased": int,
        }, pk="case_id", if_not_exists=True)
        db.table(TABLE).create_index(["interview_id"], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Case.Registered: self._registered,
            Case.InterviewStarted: self._case_change,
            Case.Closed: self._case_change,
            Case.Reopened: self._case_change,
            Case.PersonalDataErased: self._case_change,
            Interview.Completed: self._interview_change,
            Interview.Reopened: self._interview_change,
            Interview.PersonalDataErased: self._interview_change,
        }

    def _registered(self, rows: Batch, event: Any) -> None:
        rows.put(TABLE, {"case_id": key_text(event.originator_id), "interview_id": None,
                         "closed_at": None, "completed_at": None, "index_erased": 0,
                         "contacts_erased": 0})

    def _case_change(self, rows: Batch, event: Any) -> None:
        row = rows.get(TABLE, key_text(event.originator_id))
        assert row is not None, "a case event before its registration"
        row = dict(row)
        if isinstance(event, Case.InterviewStarted):
            row["interview_id"] = key_text(event.interview_id)
        elif isinstance(event, Case.Closed):
            row["closed_at"] = utc_text(event.timestamp)
        elif isinstance(event, Case.Reopened):
            row["closed_at"] = None
        elif INDEX in event.parts:
            row["index_erased"] = 1
        rows.put(TABLE, row)

    def _interview_change(self, rows: Batch, event: Any) -> None:
        found = rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True)
        if not found:
            return
        row = dict(found[0])
        if isinstance(event, Interview.Completed):
            row["completed_at"] = utc_text(event.timestamp)
        elif isinstance(event, Interview.Reopened):
            row["completed_at"] = None
            row["contacts_erased"] = 0  # contacts named now are kept until their own time
        elif CONTACTS in event.parts:
            row["contacts_erased"] = 1
        rows.put(TABLE, row)


def maybe_due(db: Database, *, closed_before: datetime, contacts_before: datetime
              ) -> list[str]:
    """Case ids that may be past retention: closed before `closed_before` and not erased, or
    whose contacts' clock (the interview's completion, else the case's closing) started
    before `contacts_before` and whose contacts are not erased; oldest first."""
    closed, contacts = utc_text(closed_before), utc_text(contacts_before)
    return [case_id for (case_id,) in db.execute(
        f"SELECT case_id FROM {TABLE} WHERE (closed_at <= ? AND index_erased = 0) OR "
        "(interview_id IS NOT NULL AND contacts_erased = 0 AND "
        "coalesce(completed_at, closed_at) <= ?) "
        "ORDER BY coalesce(closed_at, completed_at), case_id", [closed, contacts]).fetchall()]
