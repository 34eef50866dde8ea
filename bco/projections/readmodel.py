"""What every read model shares: a name, its own tables, event dispatch and row reads/writes."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, ClassVar
from uuid import UUID

from sqlite_utils import Database

from bco.domain.case import Case, CaseFlags, CaseStatus

Row = dict[str, Any]

POSITIONS = "projection_positions"  # one row per read model: how far it has read the log
# A table whose rows SQLite triggers keep (sums of another table) is named '…_by_day' and
# copied after the tables it sums when a rebuild helper's part is copied in.
TRIGGER_FED_SUFFIX = "_by_day"

OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS,
                 CaseStatus.UNREACHABLE)


class TableShape:
    """A table's columns and primary key, read once from SQLite and shared by every batch."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        info = conn.execute(f"PRAGMA table_info([{name}])").fetchall()
        if not info:
            raise LookupError(f"No table {name} in the read-model file.")
        self.name = name
        self.columns = tuple(column[1] for column in info)
        self.key_columns = tuple(c for _, c in sorted((col[5], col[1]) for col in info
                                                      if col[5]))
        key_list = " AND ".join(f"[{c}] = ?" for c in self.key_columns)
        self.select_key = f"SELECT * FROM [{name}] WHERE {key_list}"
        self.delete_key = f"DELETE FROM [{name}] WHERE {key_list}"
        names = ", ".join(f"[{c}]" for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        self.insert = f"INSERT OR REPLACE INTO [{name}] ({names}) VALUES ({marks})"
        self.values: Callable[[Row], Any] = itemgetter(*self.columns)
        self.key_of: Callable[[Row], Any] = itemgetter(*self.key_columns)

    def key_parameters(self, key: Any) -> tuple[Any, ...]:
        return key if len(self.key_columns) > 1 else (key,)

    def row_values(self, row: Row) -> tuple[Any, ...]:
        """The row in column order; a column the row leaves out is written as NULL."""
        try:
            values = self.values(row)
            return values if len(self.columns) > 1 else (values,)
        except KeyError:
            return tuple(row.get(c) for c in self.columns)


class _CachedTable:
    """One table's rows as this batch sees them: SQLite's, overlaid by the batch's changes."""

    def __init__(self, conn: sqlite3.Connection, shape: TableShape) -> None:
        self.conn = conn
        self.shape = shape
        self.rows: dict[Any, Row | None] = {}  # key -> row, None when absent or deleted
        self.changed: dict[Any, None] = {}  # keys to write back, in order of change
        self.indexes: dict[str, dict[Any, dict[Any, None]]] = {}
        self.loaded: set[tuple[str, Any]] = set()

    def _load(self, row: Row) -> None:
        key = self.shape.key_of(row)
        if key not in self.rows:
            self.rows[key] = row
            self._index(key, row)

    def _index(self, key: Any, row: Row) -> None:
        for column, index in self.indexes.items():
            index.setdefault(row.get(column), {})[key] = None

    def _unindex(self, key: Any, row: Row | None) -> None:
        if row is not None:
            for column, index in self.indexes.items():
                index.get(row.get(column), {}).pop(key, None)

    def get(self, key: Any) -> Row | None:
        if key in self.rows:
            return self.rows[key]
        cursor = self.conn.execute(self.shape.select_key, self.shape.key_parameters(key))
        found = cursor.fetchone()
        row = None if found is None else dict(zip(self.shape.columns, found, strict=True))
        self.rows[key] = row
        if row is not None:
            self._index(key, row)
        return row

    def put(self, row: Row) -> None:
        key = self.shape.key_of(row)
        if self.indexes:
            self._unindex(key, self.rows.get(key))
            self._index(key, row)
        self.rows[key] = row
        self.changed[key] = None

    def delete(self, key: Any) -> None:
        if self.indexes:
            self._unindex(key, self.rows.get(key))
        self.rows[key] = None
        self.changed[key] = None

    def find(self, column: str, value: Any, unique: bool) -> list[Row]:
        index = self.indexes.get(column)
        if index is None:
            index = self.indexes[column] = {}
            for key, row in self.rows.items():
                if row is not None:
                    index.setdefault(row.get(column), {})[key] = None
        keys = index.get(value)
        if not (unique and keys) and (column, value) not in self.loaded:
            cursor = self.conn.execute(
                f"SELECT * FROM [{self.shape.name}] WHERE [{column}] = ?", (value,))
            for found in cursor.fetchall():
                self._load(dict(zip(self.shape.columns, found, strict=True)))
            self.loaded.add((column, value))
            keys = index.get(value)
        if not keys:
            return []
        rows = self.rows
        return [row for key in keys if (row := rows[key]) is not None]

    def flush(self) -> None:
        gone = [self.shape.key_parameters(k) for k in self.changed if self.rows[k] is None]
        kept = [self.shape.row_values(row) for k in self.changed
                if (row := self.rows[k]) is not None]
        if gone:
            self.conn.executemany(self.shape.delete_key, gone)
        if kept:
            self.conn.executemany(self.shape.insert, kept)
        self.changed.clear()


class Batch:
    """The rows one read model touches in one batch, kept in memory and written back once.

    A row is read from SQLite at most once per batch (by key with `get`, or by another column
    with `find`); handlers replace rows in memory, and `flush` writes every changed row with one
    executemany per table, in the runner's transaction. A dozen SQL statements per event become
    a few per batch. The batch's rows are authoritative: SQLite is read only for rows not yet
    seen, so the rows a handler gets are exactly those a per-event read would have returned.
    """

    def __init__(self, conn: sqlite3.Connection, shapes: dict[str, TableShape]) -> None:
        self.conn = conn
        self.scratch: dict[str, Any] = {}  # a read model's own per-batch working state
        # the notification id of the event being applied: where a row last changed, in log order
        self.position = 0
        self._shapes = shapes
        self._tables: dict[str, _CachedTable] = {}

    def _table(self, name: str) -> _CachedTable:
        table = self._tables.get(name)
        if table is None:
            shape = self._shapes.get(name)
            if shape is None:
                shape = self._shapes[name] = TableShape(self.conn, name)
            table = self._tables[name] = _CachedTable(self.conn, shape)
        return table

    def get(self, table: str, key: Any) -> Row | None:
        """The row with this primary key (a tuple for a composite key), or None. Do not mutate."""
        return self._table(table).get(key)

    def put(self, table: str, row: Row) -> None:
        """Insert or replace the whole row (its key is taken from its primary-key columns)."""
        self._table(table).put(row)

    def delete(self, table: str, key: Any) -> None:
        self._table(table).delete(key)

    def find(self, table: str, column: str, value: Any, *, unique: bool = False) -> list[Row]:
        """Rows whose `column` equals `value`, as of this batch.

        `unique` says at most one row can hold the value (an interview belongs to one case),
        so a row found among the batch's rows saves the query.
        """
        return self._table(table).find(column, value, unique)

    def flush(self) -> None:
        """Write back every row changed in this batch; the caller owns the transaction."""
        for table in self._tables.values():
            table.flush()

    def each(self, table: str) -> Iterable[Row]:
        """The rows of `table` this batch has seen so far (read or written)."""
        return [row for row in self._table(table).rows.values() if row is not None]


Handler = Callable[[Batch, Any], None]


class ReadModel(ABC):
    """One disposable view of the event log; the runner owns its position and transactions."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    # CPU µs per event in a rebuild (its handlers and writing its rows; py-spy samples of a
    # 1M-event rebuild on a loaded machine, 6 Dec 2026), to share the cases out between
    # processes so that each has about as much work: see bco.projections.rebuild
    rebuild_cost: ClassVar[float] = 1.0
    # True when the read model can be built per case: every row of its tables belongs to one
    # case and is made only from that case's events and its interviews' events, or is made
    # only from events of other aggregates (guide versions), the same in every share of the
    # cases; none of its tables is fed by SQLite triggers. A full rebuild then builds it in
    # several processes, each over a share of the cases, and merges their rows
    # (bco.projections.rebuild). Sums or lookups across cases need every event: False.
    by_case: ClassVar[bool] = False
    # (table, column) pairs its handlers look rows up by (Batch.find, or SQL of their own). A
    # rebuild keeps the indexes that begin with one of these columns while it replays, and
    # makes the other indexes (what screens and reports query by) once at the end.
    lookups: ClassVar[tuple[tuple[str, str], ...]] = ()

    @abstractmethod
    def create(self, db: Database) -> None:
        """Create the tables and indexes if missing; runs inside the runner's transaction."""

    def handlers(self) -> Mapping[type, Handler]:
        """The events this read model follows; every other event passes it by."""
        return {}

    def apply(self, batch: Batch, event: Any) -> None:
        """Hand one event to its handler, if this read model follows that kind of event."""
        handler = self.dispatch().get(type(event))
        if handler is not None:
            handler(batch, event)

    def finish_batch(self, batch: Batch) -> None:
        """Work done once per batch rather than per event (e.g. costly evaluations)."""
        return None

    def drop(self, db: Database) -> None:
        """Remove the tables, so a rebuild of this read model alone starts empty."""
        for table in self.tables:
            db.execute(f"DROP TABLE IF EXISTS [{table}]")

    def forget(self, db: Database) -> None:
        """Drop the tables and the position, so the runner replays this read model from the
        first event (a rebuild, or a views.db whose tables have an older layout)."""
        self.drop(db)
        db.execute(f"DELETE FROM [{POSITIONS}] WHERE name = ?", [self.name])

    def dispatch(self) -> Mapping[type, Handler]:
        """Event type → handler, built once; the runner looks handlers up here per event."""
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


def table_rows(db: Database, table: str, order_by: str) -> list[Row]:
    """Every row of a table in a stable order, for comparisons and exports."""
    cursor = db.execute(f"SELECT * FROM [{table}] ORDER BY {order_by}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


class _RememberedTexts(dict[Any, str]):
    """Texts by value, made once: a hit is a plain dict lookup. Emptied when full, so memory
    stays bounded."""

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, value: Any) -> str:
        if len(self) >= _TEXTS_KEPT:
            self.clear()
        text = self[value] = self.make(value)
        return text


def _utc_format(moment: datetime) -> str:
    # isoformat gives strftime's "%Y-%m-%dT%H:%M:%S.%f" at a fraction of the cost
    if moment.tzinfo is UTC:  # stored timestamps: cut "+00:00" instead of converting
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# Texts of the timestamps and ids read models write. One event is written by a dozen read
# models and its case's id by every event of the case: each is formatted once, not every time
# (together a tenth of a rebuild's CPU). Room for more than a rebuild batch's events (a read
# model meets an event again only after the whole batch); ~40 MB when full.
_TEXTS_KEPT = 262_144
_utc_texts = _RememberedTexts(_utc_format)
_key_texts = _RememberedTexts(str)


def utc_text(moment: datetime | None) -> str | None:
    """A fixed-width UTC timestamp, so text order is time order in SQL."""
    return None if moment is None else _utc_texts[moment]


def key_text(value: Any) -> str:
    """`str(value)` of an event's id (a UUID, mostly), remembered: read models key rows by it."""
    return _key_texts[value]


def parse_utc(text: str | None) -> datetime | None:
    """Read back what `utc_text` wrote."""
    if text is None:
        return None
    return datetime.fromisoformat(text)  # C-fast; strptime re-reads the locale per call


def day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def id_text(value: UUID | str | None) -> str | None:
    return None if value is None else key_text(value)


def seconds_between(start: str | None, end: str | None) -> int | None:
    """Whole seconds from one stored timestamp to another, or None when either is unknown."""
    if start is None or end is None:
        return None
    return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


def case_flags(row: Row) -> CaseFlags:
    """The flags a read model keeps in a case's row, as the domain's CaseFlags."""
    callback_at = row.get("callback_at")
    return CaseFlags(row.get("tracer"), row.get("team"), bool(row.get("unreachable")),
                     row.get("interview_id") is not None, bool(row.get("interviewed")),
                     bool(row.get("closed")), parse_utc(callback_at) if callback_at else None)


def evolve_case_flags(row: Row, event: Any) -> Row:
    """The flag columns and the status after a case event, by the rules of CaseFlags."""
    flags = case_flags(row).after(event)
    interview_id = (key_text(event.interview_id) if isinstance(event, Case.InterviewStarted)
                    else row.get("interview_id"))
    return {"tracer": flags.tracer, "team": flags.team, "unreachable": int(flags.unreachable),
            "interview_id": interview_id, "interviewed": int(flags.interviewed),
            "closed": int(flags.closed), "callback_at": utc_text(flags.callback_at),
            "status": flags.status.value}


CASE_EVENTS: tuple[type, ...] = (
    Case.Registered, Case.DetailsCorrected, Case.Assigned, Case.Unassigned,
    Case.CallAttemptLogged, Case.MarkedUnreachable, Case.InterviewStarted,
    Case.InterviewCompleted, Case.InterviewReopened, Case.Closed, Case.Reopened,
)
