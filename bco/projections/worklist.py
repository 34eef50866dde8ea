"""The worklist: the queue a tracer works from, and the pool of cases nobody has yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlite_utils import Database
from sqlite_utils.db import DescIndex

from bco.domain.case import NORMAL_PRIORITY, Case, CaseStatus
from bco.domain.interview import STATUS_AFTER, Interview, InterviewStatus
from bco.projections.activity import recorded_events
from bco.projections.readmodel import (
    CASE_EVENTS,
    OPEN_STATUSES,
    Batch,
    Handler,
    ReadModel,
    Row,
    evolve_case_flags,
    key_text,
    parse_utc,
    utc_text,
)

TABLE = "worklist"
UNASSIGNED = ""

def on_case_event(row: Row | None, event: Any) -> Row:
    """The worklist row after a case event."""
    if isinstance(event, Case.Registered):
        row = {"case_id": key_text(event.originator_id), "disease": event.disease,
               "received_at": utc_text(event.received_at), "attempts": 0,
               "last_attempt_at": None, "last_outcome": None, "interview_status": None,
               "priority": NORMAL_PRIORITY}
    assert row is not None, "a case event before its registration"
    row = dict(row)
    if isinstance(event, Case.PrioritySet):
        row["priority"] = event.priority
    if isinstance(event, Case.DetailsCorrected) and "disease" in event.changes:
        row["disease"] = event.changes["disease"]
    if isinstance(event, Case.CallAttemptLogged):
        row.update(attempts=row["attempts"] + 1, last_attempt_at=utc_text(event.timestamp),
                   last_outcome=event.outcome)
    row.update(evolve_case_flags(row, event))
    row["open"] = int(row["status"] in OPEN_STATUSES)
    row["queue"] = row["tracer"] or UNASSIGNED
    row["lane"] = lane(row)
    return row


def lane(row: Row) -> str | None:
    """Which part of the queue a case sits in, apart from whether its callback is due yet."""
    if not row["open"]:
        return None
    if row["callback_at"]:
        return "callback"
    return {CaseStatus.NEW.value: "waiting", CaseStatus.ASSIGNED.value: "waiting",
            CaseStatus.IN_PROGRESS.value: "interview"}.get(row["status"], "unreachable")


def on_interview_event(row: Row, event: Any) -> Row:
    """The worklist row of the interview's case after the interview paused, resumed or ended."""
    return {**row, "interview_status": STATUS_AFTER[type(event)].value}


OPEN_BY_TEAM = "idx_worklist_open_by_team"
SILENT_BY_TEAM = "idx_worklist_silent_by_team"
# Open cases whose interview is under way (the condition of SILENT_BY_TEAM, word for word, so
# that SQLite sees a query with it may use that index).
INTERVIEW_UNDER_WAY = (f"open = 1 AND interview_status IN ('{InterviewStatus.IN_PROGRESS.value}', "
                       f"'{InterviewStatus.PAUSED.value}')")


class Worklist(ReadModel):
    """One row per case with what ordering the queue needs; no names or phone numbers."""

    name = "worklist"
    rebuild_cost = 6.5  # 5.5 measured before it also followed every event for `last_at`
    by_case = True
    tables = (TABLE,)
    lookups = ((TABLE, "interview_id"),)

    def create(self, db: Database) -> None:
        if db.table(TABLE).exists() and "last_at" not in db.table(TABLE).columns_dict:
            self.forget(db)  # an older layout: replay into the new one
        db.table(TABLE).create({
            "case_id": str, "queue": str, "tracer": str, "team": str, "disease": str,
            "status": str, "open": int, "lane": str, "received_at": str, "callback_at": str,
            "attempts": int, "last_attempt_at": str, "last_outcome": str,
            "interview_id": str, "interview_status": str, "unreachable": int,
            "interviewed": int, "closed": int, "priority": int, "last_at": str,
        }, pk="case_id", if_not_exists=True)
        table = db.table(TABLE)
        table.create_index(["queue", "lane", "callback_at", "case_id"], if_not_exists=True)
        table.create_index(["queue", "lane", DescIndex("priority"), "received_at", "case_id"],
                           index_name="idx_worklist_priority", if_not_exists=True)
        table.create_index(["interview_id"], if_not_exists=True)
        # the dashboard's open cases of one team (and the pool: team NULL)
        table.create_index(["team", "closed"], if_not_exists=True)
        # caseload per tracer and stuck interviews read only the open cases of a team, and
        # from this index alone, not the table's pages (each one decrypted in views.db)
        db.execute(f"CREATE INDEX IF NOT EXISTS {OPEN_BY_TEAM} ON {TABLE} (team, tracer, "
                   "interview_status, lane, received_at, case_id) WHERE open = 1")
        db.execute(f"CREATE INDEX IF NOT EXISTS {SILENT_BY_TEAM} ON {TABLE} (team, last_at, "
                   f"tracer, disease, case_id) WHERE {INTERVIEW_UNDER_WAY}")

    def handlers(self) -> Mapping[type, Handler]:
        # Every event of a case or its interview moves `last_at` (stuck interviews); those
        # that change the queue do more.
        table: dict[type, Handler] = dict.fromkeys(recorded_events(Case), self._case_touched)
        table.update(dict.fromkeys(recorded_events(Interview), self._interview_touched))
        table.update(dict.fromkeys(CASE_EVENTS, self._case_event))
        table.update(dict.fromkeys(STATUS_AFTER, self._interview_event))
        table[Case.PrioritySet] = self._case_event
        return table

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, key_text(event.originator_id)))
        rows.put(TABLE, {**on_case_event(found, event), "last_at": utc_text(event.timestamp)})

    def _case_touched(self, rows: Batch, event: Any) -> None:
        found = rows.get(TABLE, key_text(event.originator_id))
        if found is not None:
            rows.put(TABLE, {**found, "last_at": utc_text(event.timestamp)})

    def _interview_event(self, rows: Batch, event: Any) -> None:
        for row in rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True):
            rows.put(TABLE, {**on_interview_event(row, event),
                             "last_at": utc_text(event.timestamp)})

    def _interview_touched(self, rows: Batch, event: Any) -> None:
        for row in rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True):
            rows.put(TABLE, {**row, "last_at": utc_text(event.timestamp)})


@dataclass(frozen=True)
class WorklistItem:
    """One line of a tracer's queue, with its waiting time against the first-call target."""

    case_id: UUID
    bucket: str
    status: str
    disease: str
    tracer: str | None
    team: str | None
    received_at: datetime
    first_call_due_at: datetime
    overdue: bool
    callback_at: datetime | None
    attempts: int
    last_attempt_at: datetime | None
    last_outcome: str | None
    interview_id: UUID | None
    interview_status: str | None
    priority: int = NORMAL_PRIORITY


# Each bucket is one index range scan: (condition on the lane, order within the bucket).
BY_PRIORITY = "priority DESC, received_at"  # a lead's priority first, then oldest first
BUCKET_QUERIES = (
    ("callback_due", "lane = 'callback' AND callback_at <= :now", "callback_at"),
    ("waiting", "lane = 'waiting'", BY_PRIORITY),
    ("interview", "lane = 'interview'", BY_PRIORITY),
    ("callback_later", "lane = 'callback' AND callback_at > :now", "callback_at"),
    ("unreachable", "lane = 'unreachable'", BY_PRIORITY),
)
# The pool: an interview handed over mid-way has an index waiting to go on, so it comes
# straight after due callbacks, before cases nobody has called yet.
POOL_BUCKET_QUERIES = (
    BUCKET_QUERIES[0],
    ("handed_over", "lane = 'interview'", "received_at"),
    *(query for query in BUCKET_QUERIES[1:] if query[0] != "interview"),
)


def for_tracer(db: Database, tracer: str, *, now: datetime, target_hours: int,
               limit: int = 200) -> list[WorklistItem]:
    """A tracer's open cases: due callbacks, waiting cases oldest first, interviews, the rest."""
    return _queue(db, tracer, now, target_hours, limit)


def unassigned(db: Database, *, now: datetime, target_hours: int,
               limit: int = 200) -> list[WorklistItem]:
    """The open cases nobody has, in the order a lead would hand them out."""
    return _queue(db, UNASSIGNED, now, target_hours, limit)


def next_unassigned(db: Database, *, now: datetime, limit: int = 20,
                    tracer: str | None = None) -> list[UUID]:
    """Candidates for the 'next case' button (BCOApplication.claim_next_case), in the order
    they are offered: the tracer's own due callbacks (as their worklist puts them first), then
    unassigned due callbacks, interviews handed over mid-way, and the oldest new cases."""
    moment = utc_text(now)
    own = [] if not tracer else db.execute(
        f"SELECT case_id FROM {TABLE} WHERE queue = ? AND lane = 'callback' "
        "AND callback_at <= ? ORDER BY callback_at, case_id LIMIT ?",
        [tracer, moment, limit]).fetchall()
    due = db.execute(
        f"SELECT case_id FROM {TABLE} WHERE queue = ? AND lane = 'callback' "
        "AND callback_at <= ? ORDER BY callback_at, case_id LIMIT ?",
        [UNASSIGNED, moment, limit]).fetchall()
    handed_over = db.execute(
        f"SELECT case_id FROM {TABLE} WHERE queue = ? AND lane = 'interview' "
        f"ORDER BY {BY_PRIORITY}, case_id LIMIT ?", [UNASSIGNED, limit]).fetchall()
    new = db.execute(
        f"SELECT case_id FROM {TABLE} WHERE queue = ? AND lane = 'waiting' "
        f"ORDER BY {BY_PRIORITY}, case_id LIMIT ?", [UNASSIGNED, limit]).fetchall()
    return [UUID(case_id) for (case_id,) in [*own, *due, *handed_over, *new]][:limit]


def team_tracers(db: Database, team: str | None) -> list[str]:
    """Who holds open cases of this team (or of no team), by name: also people who left it."""
    return [name for (name,) in db.execute(
        f"SELECT DISTINCT tracer FROM {TABLE} "
        "WHERE team IS ? AND open = 1 AND tracer IS NOT NULL ORDER BY tracer", [team])]


def for_team(db: Database, team: str, *, now: datetime, target_hours: int,
             limit: int = 200) -> list[WorklistItem]:
    """Every open case the team's tracers hold, bucket by bucket, most urgent first in each."""
    items = [item for name in team_tracers(db, team)
             for item in _queue(db, name, now, target_hours, limit) if item.team == team]
    order = {bucket: index for index, (bucket, _, _) in enumerate(BUCKET_QUERIES)}
    return sorted(items, key=lambda i: (order[i.bucket], i.callback_at or i.received_at))


def _queue(db: Database, queue: str, now: datetime, target_hours: int,
           limit: int) -> list[WorklistItem]:
    rows: list[tuple[str, Row]] = []
    for bucket, condition, order in (POOL_BUCKET_QUERIES if queue == UNASSIGNED
                                     else BUCKET_QUERIES):
        if len(rows) >= limit:
            break
        cursor = db.execute(
            f"SELECT * FROM {TABLE} WHERE queue = :queue AND {condition} "
            f"ORDER BY {order}, case_id LIMIT :limit",
            {"queue": queue, "now": utc_text(now), "limit": limit - len(rows)})
        names = [d[0] for d in cursor.description]
        rows += [(bucket, dict(zip(names, values, strict=True))) for values in cursor]
    return [_item(bucket, row, now, timedelta(hours=target_hours)) for bucket, row in rows]


def _item(bucket: str, row: Row, now: datetime, target: timedelta) -> WorklistItem:
    received = parse_utc(row["received_at"])
    assert received is not None
    due = received + target
    return WorklistItem(
        case_id=UUID(row["case_id"]), bucket=bucket, status=row["status"],
        disease=row["disease"], tracer=row["tracer"], team=row["team"],
        received_at=received, first_call_due_at=due,
        overdue=row["attempts"] == 0 and now > due,
        callback_at=parse_utc(row["callback_at"]), attempts=row["attempts"],
        last_attempt_at=parse_utc(row["last_attempt_at"]), last_outcome=row["last_outcome"],
        interview_id=UUID(row["interview_id"]) if row["interview_id"] else None,
        interview_status=row["interview_status"], priority=row["priority"] or NORMAL_PRIORITY,
    )
