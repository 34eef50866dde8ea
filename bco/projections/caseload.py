"""Caseload: how many cases there are per status, tracer, team, disease and age group."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.personal import INDEX
from bco.projections.readmodel import (
    CASE_EVENTS,
    Batch,
    Handler,
    ReadModel,
    Row,
    evolve_case_flags,
    key_text,
)

TABLE = "caseload"
NOBODY = "(unassigned)"
NO_TEAM = "(no team)"
UNKNOWN_AGE = "unknown"
AGE_BUCKETS = ((0, 17), (18, 29), (30, 49), (50, 69), (70, 200))
GROUPINGS = {"by_status": "status", "by_tracer": "tracer", "by_team": "team",
             "by_disease": "disease", "by_age": "age_bucket"}


def age_bucket(birth_date: date | None, on: date) -> str:
    """An age group instead of a birth date, so the caseload holds no personal data."""
    if birth_date is None:
        return UNKNOWN_AGE
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for low, high in AGE_BUCKETS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return UNKNOWN_AGE


def on_case_event(row: Row | None, event: Any) -> Row:
    """The caseload row after a case event."""
    if isinstance(event, Case.Registered):
        received_on = event.received_at.date()
        row = {"case_id": key_text(event.originator_id), "disease": event.disease,
               "received_on": received_on.isoformat(),
               "age_bucket": age_bucket(event.birth_date, received_on)}
    assert row is not None, "a case event before its registration"
    row = dict(row)
    if isinstance(event, Case.DetailsCorrected):
        if "disease" in event.changes:
            row["disease"] = event.changes["disease"]
        if "birth_date" in event.changes:
            row["age_bucket"] = age_bucket(event.changes["birth_date"],
                                           date.fromisoformat(row["received_on"]))
    row.update(evolve_case_flags(row, event))
    return row


class Caseload(ReadModel):
    """One row per case with the dimensions a team lead counts by."""

    name = "caseload"
    rebuild_cost = 3.5
    by_case = True
    tables = (TABLE,)

    def create(self, db: Database) -> None:
        db.table(TABLE).create({
            "case_id": str, "status": str, "tracer": str, "team": str, "disease": str,
            "age_bucket": str, "received_on": str, "unreachable": int, "interview_id": str,
            "interviewed": int, "closed": int, "callback_at": str,
        }, pk="case_id", if_not_exists=True)
        for column in ("status", "tracer", "team", "disease", "age_bucket"):
            db.table(TABLE).create_index([column], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {**dict.fromkeys(CASE_EVENTS, self._case_event),
                Case.PersonalDataErased: self._erased}

    def _erased(self, rows: Batch, event: Any) -> None:
        """The birth date is gone after retention, and with it the age group (a rebuild could
        not tell it either); every other count stays."""
        row = rows.get(TABLE, key_text(event.originator_id))
        if row is not None and INDEX in event.parts:
            rows.put(TABLE, {**row, "age_bucket": UNKNOWN_AGE})

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, key_text(event.originator_id)))
        rows.put(TABLE, on_case_event(found, event))


def caseload_summary(db: Database) -> dict[str, Any]:
    """Totals per dimension; each dimension's counts add up to the total."""
    (total,) = db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    summary: dict[str, Any] = {"total": total}
    missing = {"tracer": NOBODY, "team": NO_TEAM}
    for key, column in GROUPINGS.items():
        rows = db.execute(
            f"SELECT [{column}], count(*) FROM {TABLE} GROUP BY [{column}] ORDER BY [{column}]"
        ).fetchall()
        summary[key] = {(value if value is not None else missing.get(column, UNKNOWN_AGE)): n
                        for value, n in rows}
    return summary
