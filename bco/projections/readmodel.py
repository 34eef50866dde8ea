"""What every read model shares: a name, its own tables, event dispatch and row reads/writes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID

from sqlite_utils import Database

from bco.domain.case import CallOutcome, Case, CaseStatus

Row = dict[str, Any]
Handler = Callable[[Database, Any], None]

OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS,
                 CaseStatus.UNREACHABLE)


class ReadModel(ABC):
    """One disposable view of the event log; the runner owns its position and transactions."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]

    @abstractmethod
    def create(self, db: Database) -> None:
        """Create the tables and indexes if missing; runs inside the runner's transaction."""

    def handlers(self) -> Mapping[type, Handler]:
        """The events this read model follows; every other event passes it by."""
        return {}

    def apply(self, db: Database, event: Any) -> None:
        """Hand one event to its handler, if this read model follows that kind of event."""
        handler = self._dispatch().get(type(event))
        if handler is not None:
            handler(db, event)

    def finish_batch(self, db: Database) -> None:
        """Work done once per batch rather than per event (e.g. costly evaluations)."""
        return None

    def drop(self, db: Database) -> None:
        """Remove the tables, so a rebuild of this read model alone starts empty."""
        for table in self.tables:
            db.execute(f"DROP TABLE IF EXISTS [{table}]")

    def _dispatch(self) -> Mapping[type, Handler]:
        cached: Mapping[type, Handler] | None = getattr(self, "_handler_table", None)
        if cached is None:
            cached = dict(self.handlers())
            self._handler_table = cached
        return cached


def fetch_row(db: Database, table: str, key_column: str, key: Any) -> Row | None:
    """The row with this key as a dict, or None."""
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE [{key_column}] = ?", [key])
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def fetch_rows(db: Database, table: str, key_column: str, key: Any) -> list[Row]:
    """Every row whose column equals `key`, as dicts."""
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE [{key_column}] = ?", [key])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


def store_row(db: Database, table: str, row: Row) -> None:
    """Insert or replace a whole row; handlers return whole rows, so this is all they need."""
    columns = ", ".join(f"[{c}]" for c in row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT OR REPLACE INTO [{table}] ({columns}) VALUES ({marks})",
               list(row.values()))


def delete_row(db: Database, table: str, key_column: str, key: Any) -> None:
    """Delete the rows with this key."""
    db.execute(f"DELETE FROM [{table}] WHERE [{key_column}] = ?", [key])


def table_rows(db: Database, table: str, order_by: str) -> list[Row]:
    """Every row of a table in a stable order, for comparisons and exports."""
    cursor = db.execute(f"SELECT * FROM [{table}] ORDER BY {order_by}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


def utc_text(moment: datetime | None) -> str | None:
    """A fixed-width UTC timestamp, so text order is time order in SQL."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str | None) -> datetime | None:
    """Read back what `utc_text` wrote."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def id_text(value: UUID | str | None) -> str | None:
    return None if value is None else str(value)


def seconds_between(start: str | None, end: str | None) -> int | None:
    """Whole seconds from one stored timestamp to another, or None when either is unknown."""
    began, ended = parse_utc(start), parse_utc(end)
    if began is None or ended is None:
        return None
    return int((ended - began).total_seconds())


CASE_FLAG_DEFAULTS: Row = {
    "tracer": None, "team": None, "unreachable": 0, "interview_id": None, "interviewed": 0,
    "closed": 0, "callback_at": None,
}


def evolve_case_flags(row: Row, event: Any) -> Row:
    """The assignment and status flags after a case event, mirroring Case's own rules."""
    flags = {key: row.get(key, default) for key, default in CASE_FLAG_DEFAULTS.items()}
    if isinstance(event, Case.Registered):
        flags = dict(CASE_FLAG_DEFAULTS)
    elif isinstance(event, Case.Assigned):
        flags["tracer"] = event.tracer
        flags["team"] = event.team or flags["team"]
    elif isinstance(event, Case.Unassigned):
        flags["tracer"] = None
    elif isinstance(event, Case.CallAttemptLogged):
        if event.outcome == CallOutcome.REACHED:
            flags["unreachable"] = 0
        flags["callback_at"] = (utc_text(event.callback_at)
                                if event.outcome == CallOutcome.CALLBACK_REQUESTED else None)
    elif isinstance(event, Case.MarkedUnreachable):
        flags["unreachable"] = 1
        flags["callback_at"] = None
    elif isinstance(event, Case.InterviewStarted):
        flags.update(interview_id=str(event.interview_id), interviewed=0, unreachable=0,
                     callback_at=None)
    elif isinstance(event, Case.InterviewCompleted):
        flags["interviewed"] = 1
    elif isinstance(event, Case.InterviewReopened):
        flags["interviewed"] = 0
    elif isinstance(event, Case.Closed):
        flags["closed"] = 1
        flags["callback_at"] = None
    elif isinstance(event, Case.Reopened):
        flags["closed"] = 0
    return flags


def case_status(flags: Mapping[str, Any]) -> str:
    """The status Case.status would give for these flags."""
    if flags.get("closed"):
        return CaseStatus.CLOSED.value
    if flags.get("interviewed"):
        return CaseStatus.INTERVIEWED.value
    if flags.get("interview_id"):
        return CaseStatus.IN_PROGRESS.value
    if flags.get("unreachable"):
        return CaseStatus.UNREACHABLE.value
    if flags.get("tracer"):
        return CaseStatus.ASSIGNED.value
    return CaseStatus.NEW.value


CASE_EVENTS: tuple[type, ...] = (
    Case.Registered, Case.DetailsCorrected, Case.Assigned, Case.Unassigned,
    Case.CallAttemptLogged, Case.MarkedUnreachable, Case.InterviewStarted,
    Case.InterviewCompleted, Case.InterviewReopened, Case.Closed, Case.Reopened,
)
