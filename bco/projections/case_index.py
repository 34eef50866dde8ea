"""Case index: one row per case with what an API client filters and pages by.

`updated_at` is the time of the newest event of the case or its interview, so a client can ask
for what changed since its last pull; paging runs in (updated_at, case_id) order, so a case that
changes while a client pages through comes again later instead of being skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.projections.casefile import INTERVIEW_EVENTS
from bco.projections.readmodel import (
    CASE_EVENTS,
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    evolve_case_flags,
    key_text,
    utc_text,
)

TABLE = "case_index"
COLUMNS = ("case_id", "status", "disease", "team", "tracer", "onset", "test_date",
           "received_at", "updated_at", "interview_id")


def on_case_event(row: Row | None, event: Any) -> Row:
    """The index row after an event of the case itself."""
    if isinstance(event, Case.Registered):
        row = {"case_id": key_text(event.originator_id), "disease": event.disease,
               "onset": day_text(event.onset), "test_date": day_text(event.test_date),
               "received_at": utc_text(event.received_at)}
    assert row is not None, "a case event before its registration"
    row = dict(row)
    if isinstance(event, Case.DetailsCorrected):
        if "disease" in event.changes:
            row["disease"] = event.changes["disease"]
        for key in ("onset", "test_date"):
            if key in event.changes:
                row[key] = day_text(event.changes[key])
    row.update(evolve_case_flags(row, event))
    row["updated_at"] = utc_text(event.timestamp)
    return row


class CaseIndex(ReadModel):
    """Status, disease, team and last change per case, for the API's case list."""

    name = "case_index"
    tables = (TABLE,)
    lookups = ((TABLE, "interview_id"),)
    rebuild_cost = 10.0
    by_case = True

    def create(self, db: Database) -> None:
        db.table(TABLE).create({
            "case_id": str, "status": str, "disease": str, "team": str, "tracer": str,
            "onset": str, "test_date": str, "received_at": str, "updated_at": str,
            "interview_id": str, "unreachable": int, "interviewed": int, "closed": int,
            "callback_at": str,
        }, pk="case_id", if_not_exists=True)
        db.table(TABLE).create_index(["updated_at", "case_id"], if_not_exists=True)
        db.table(TABLE).create_index(["interview_id"], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = dict.fromkeys(CASE_EVENTS, self._case_event)
        table.update(dict.fromkeys(INTERVIEW_EVENTS, self._interview_event))
        return table

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, key_text(event.originator_id)))
        rows.put(TABLE, on_case_event(found, event))

    def _interview_event(self, rows: Batch, event: Any) -> None:
        """Anything recorded in the interview changes the case for an export client."""
        if hasattr(event, "case_id"):
            found = rows.get(TABLE, key_text(event.case_id))
        else:
            matches = rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True)
            found = matches[0] if matches else None
        if found is not None:
            rows.put(TABLE, {**found, "updated_at": utc_text(event.timestamp)})


@dataclass(frozen=True)
class CaseFilter:
    """What a client asks for; None means any."""

    status: str | None = None
    disease: str | None = None
    team: str | None = None
    updated_since: str | None = None  # a stored UTC timestamp (utc_text)


def case_page(db: Database, chosen: CaseFilter, *, after: tuple[str, str] | None,
              limit: int) -> list[Row]:
    """Up to `limit` cases in (updated_at, case_id) order, after the (updated_at, case_id) of
    the previous page's last case."""
    where, parameters = [], []
    for column in ("status", "disease", "team"):
        value = getattr(chosen, column)
        if value is not None:
            where.append(f"{column} = ?")
            parameters.append(value)
    if chosen.updated_since is not None:
        where.append("updated_at >= ?")
        parameters.append(chosen.updated_since)
    if after is not None:
        where.append("(updated_at > ? OR (updated_at = ? AND case_id > ?))")
        parameters.extend([after[0], after[0], after[1]])
    sql = (f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY updated_at, case_id LIMIT ?")
    cursor = db.execute(sql, [*parameters, limit])
    return [dict(zip(COLUMNS, found, strict=True)) for found in cursor.fetchall()]
