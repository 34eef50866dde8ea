"""Activity: when each staff member last recorded anything, and when each case or its
interview last moved, so a lead can see who is away and which interviews are stuck."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.stamped import StampedAggregate
from bco.projections.readmodel import Batch, Handler, ReadModel, key_text, utc_text

ACTORS = "activity_actors"
CASES = "activity_cases"


def recorded_events(aggregate: type) -> tuple[type, ...]:
    """Every event class an aggregate records (its nested events, not the base classes)."""
    return tuple(value for name, value in vars(aggregate).items()
                 if isinstance(value, type) and issubclass(value, StampedAggregate.Event)
                 and name not in ("Event", "Created"))


class Activity(ReadModel):
    """Last event per actor and per case (an interview's events count for its case), and the
    case's version, so a hand-out made from a list notices a change made since."""

    name = "activity"
    rebuild_cost = 9.0
    tables = (ACTORS, CASES)
    lookups = ((CASES, "interview_id"),)

    def create(self, db: Database) -> None:
        db.table(ACTORS).create({"actor": str, "last_at": str}, pk="actor", if_not_exists=True)
        db.table(CASES).create({"case_id": str, "interview_id": str, "last_at": str,
                                "last_actor": str, "case_version": int}, pk="case_id",
                               if_not_exists=True)
        db.table(CASES).create_index(["interview_id"], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = dict.fromkeys(recorded_events(Case), self._case)
        table.update(dict.fromkeys(recorded_events(Interview), self._interview))
        return table

    def _actor(self, rows: Batch, event: Any, moment: str | None) -> None:
        if event.actor:
            rows.put(ACTORS, {"actor": event.actor, "last_at": moment})

    def _case(self, rows: Batch, event: Any) -> None:
        moment = utc_text(event.timestamp)
        case_id = key_text(event.originator_id)
        row = rows.get(CASES, case_id) or {"case_id": case_id, "interview_id": None}
        row = {**row, "last_at": moment, "last_actor": event.actor,
               "case_version": event.originator_version}
        if isinstance(event, Case.InterviewStarted):
            row["interview_id"] = key_text(event.interview_id)
        rows.put(CASES, row)
        self._actor(rows, event, moment)

    def _interview(self, rows: Batch, event: Any) -> None:
        moment = utc_text(event.timestamp)
        interview_id = key_text(event.originator_id)
        if isinstance(event, Interview.Started):
            row = rows.get(CASES, key_text(event.case_id)) or {"case_id": key_text(event.case_id),
                                                          "case_version": None}
            actor: str = getattr(event, "actor", "")
            rows.put(CASES, {**row, "interview_id": interview_id, "last_at": moment,
                             "last_actor": actor})
        else:
            for row in rows.find(CASES, "interview_id", interview_id, unique=True):
                rows.put(CASES, {**row, "last_at": moment, "last_actor": event.actor})
        self._actor(rows, event, moment)


def last_activity(db: Database) -> dict[str, str]:
    """Actor name → the stored time of the last event they recorded."""
    return dict(db.execute(f"SELECT actor, last_at FROM {ACTORS}").fetchall())
