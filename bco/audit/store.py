"""The access log table: created beside the event store's tables, appended to, never changed.

On SQLite it lives in the events file, on PostgreSQL in the store's schema, written through
the event store's own connection pool. Triggers refuse UPDATE, DELETE (and on PostgreSQL
TRUNCATE), so not even a mistaken statement can rewrite who read what; no code here tries.
Rows hold ids, staff accounts, roles and addresses, never a name or phone number of a case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

TABLE = "bco_access_log"
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # before any read: "since" for the whole log
# Bound values per statement stay far below SQLite's and PostgreSQL's limits.
ROWS_PER_STATEMENT = 500
COLUMNS = ("at", "account", "role", "action", "purpose", "address", "case_id", "relation",
           "records", "detail")

# What was read. One name per screen or document, so a report can say it in words.
CASE_PAGE = "case"
INTERVIEW = "interview"
CASE_FILE = "casefile"
WORKLIST = "worklist"
INFORM_LIST = "inform-list"
INFORM_CSV = "inform-csv"
SEARCH = "search"
SEARCH_RESULT = "search-result"
ACCESS_REPORT = "access-report"
API_CASE = "api-case"
API_CASE_FILE = "api-casefile"
API_CASE_LIST = "api-case-list"
API_KPIS = "api-kpis"
EXPORT_CASES = "export-cases"
EXPORT_CONTACTS = "export-contacts"
CLI_CASE = "cli-case"  # `bco case show` / `history`: the case read on the command line
VIEWS_COPY = "cli-views-copy"  # `bco projections copy`: every case's read models, in a file
CLI_ROLE = "cli"  # whoever runs the command, under the name given with `bco --as`
# Views of one case at a time: what a burst counts (lists and exports are logged apart).
SINGLE_CASE = frozenset({CASE_PAGE, INTERVIEW, CASE_FILE, ACCESS_REPORT, API_CASE,
                         API_CASE_FILE})

# Why a case file was printed, as the person printing it says (the form offers these).
STATED_PURPOSES = ("follow-up", "index-request", "transfer", "record", "quality")

# How the reader stood to the case at the moment of reading.
ASSIGNED = "assigned"  # the case's tracer
TEAM = "team"  # a team lead of the case's team
POOL = "pool"  # unassigned, open to the reader's team
ROLE_WIDE = "role"  # the health authority and API tokens: every case, by their role
OUTSIDE = "outside"  # none of these


@dataclass(frozen=True)
class AccessEntry:
    """One read: who (account and role), which case (by id), when, from where, and why."""

    at: datetime
    account: str
    role: str
    action: str
    purpose: str
    address: str
    case_id: UUID | None = None
    relation: str = ""
    records: int | None = None
    detail: str = ""
    entry_id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AccessQuery:
    """Which entries to read: all of them, or one case's, one account's, from a moment on."""

    case_id: UUID | None = None
    account: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cases: Sequence[UUID] | None = None
    newest_first: bool = False
    limit: int | None = None
    offset: int = 0


class AccessLog:
    """The table on the event store's datastore (eventsourcing's SQLite or PostgreSQL one)."""

    def __init__(self, datastore: Any, *, postgres: bool) -> None:
        self.datastore = datastore
        self.postgres = postgres
        self.mark = "%s" if postgres else "?"
        schema = getattr(datastore, "schema", "") if postgres else ""
        self.schema = _quoted(schema) if schema else ""
        self.table = f"{self.schema}.{TABLE}" if schema else TABLE

    def create_table(self) -> None:
        """Idempotent; on PostgreSQL the caller holds the store's schema lock, and a table
        that exists is left alone (replacing its trigger would lock out every node's reads'
        inserts while a node starts)."""
        statements = postgres_ddl(self.table, self.schema) if self.postgres \
            else sqlite_ddl(self.table)
        with self.datastore.transaction(commit=True) as cursor:
            if self.postgres:
                cursor.execute("SELECT to_regclass(%s) AS found", [self.table])
                if cursor.fetchone()["found"] is not None:
                    return
            for statement in statements:
                cursor.execute(statement)

    def append(self, entries: Iterable[AccessEntry]) -> int:
        """Write the entries in one transaction, one statement per 500 (a request's reads)."""
        rows = [self.stored(entry) for entry in entries]
        if not rows:
            return 0
        one = "(" + ", ".join([self.mark] * len(COLUMNS)) + ")"
        with self.datastore.transaction(commit=True) as cursor:
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                chunk = rows[start:start + ROWS_PER_STATEMENT]
                cursor.execute(f"INSERT INTO {self.table} ({', '.join(COLUMNS)}) VALUES "
                               + ", ".join([one] * len(chunk)),
                               [value for row in chunk for value in row])
        return len(rows)

    def entries(self, query: AccessQuery | None = None) -> list[AccessEntry]:
        """The entries the query asks for, oldest first unless it says otherwise; `limit` and
        `offset` cut a page from that order."""
        query = query or AccessQuery()
        found = self._where(query)
        if found is None:
            return []
        where, params = found
        order = "DESC" if query.newest_first else "ASC"
        statement = (f"SELECT entry_id, {', '.join(COLUMNS)} FROM {self.table}{where}"
                     f" ORDER BY at {order}, entry_id {order}")
        if query.limit is not None or query.offset:
            # SQLite takes an OFFSET only after a LIMIT; -1 there (NULL on PostgreSQL) is none.
            limit = int(query.limit) if query.limit is not None else (
                "NULL" if self.postgres else -1)
            statement += f" LIMIT {limit} OFFSET {max(0, int(query.offset))}"
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        return [self._entry(row) for row in rows]

    def count(self, query: AccessQuery | None = None) -> int:
        """How many entries the query selects, whatever its limit and offset."""
        found = self._where(query or AccessQuery())
        if found is None:
            return 0
        where, params = found
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COUNT(*) AS entries FROM {self.table}{where}", params)
            return int(cursor.fetchone()["entries"])

    def _where(self, query: AccessQuery) -> tuple[str, list[Any]] | None:
        """The WHERE clause and its values; None when the query can select nothing."""
        where: list[str] = []
        params: list[Any] = []
        if query.case_id is not None:
            where.append(f"case_id = {self.mark}")
            params.append(self._case(query.case_id))
        if query.cases is not None:
            if not query.cases:
                return None
            where.append(f"case_id IN ({', '.join([self.mark] * len(query.cases))})")
            params.extend(self._case(case_id) for case_id in query.cases)
        if query.account is not None:
            where.append(f"account = {self.mark}")
            params.append(query.account)
        if query.since is not None:
            where.append(f"at >= {self.mark}")
            params.append(self._moment(query.since))
        if query.until is not None:
            where.append(f"at < {self.mark}")
            params.append(self._moment(query.until))
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def unusual_material(self, since: datetime | None, *, reads: int,
                         minutes: int) -> UnusualMaterial:
        """What bco.audit.unusual needs to find the unusual reads since `since`, without
        reading every entry: a week of a national service's log is millions of rows.

        Outside reads: only pool and outside reads can be one, and a pool read is cleared by
        a read of the same case as its tracer, so those pairs come back as `taken`. Bursts: a
        window of `minutes` over more than `reads` distinct cases lies in two consecutive
        fixed buckets of that length, so one of them holds more than half of them; only the
        reads within a window's length of such a bucket are read.
        """
        since = since or EARLIEST
        window = minutes * 60
        moment = self._moment(since)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT entry_id, {', '.join(COLUMNS)} FROM {self.table} WHERE at >= "
                f"{self.mark} AND case_id IS NOT NULL AND relation IN ({self.mark}, "
                f"{self.mark}) ORDER BY at, entry_id", [moment, OUTSIDE, POOL])
            maybe_outside = [self._entry(row) for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT account, case_id FROM {self.table} WHERE at >= {self.mark} AND "
                f"case_id IS NOT NULL AND relation IN ({self.mark}, {self.mark}) "
                f"GROUP BY account, case_id HAVING SUM(CASE WHEN relation = {self.mark} "
                f"THEN 1 ELSE 0 END) > 0 AND SUM(CASE WHEN relation = {self.mark} THEN 1 "
                "ELSE 0 END) > 0", [moment, POOL, ASSIGNED, POOL, ASSIGNED])
            taken = {(row["account"], self._case_id(row["case_id"]))
                     for row in cursor.fetchall()}
            single = ", ".join([self.mark] * len(SINGLE_CASE))
            cursor.execute(
                f"SELECT account, bucket FROM (SELECT account, case_id, "
                f"{self._epoch('at')} / {int(window)} AS bucket FROM {self.table} WHERE at >= "
                f"{self.mark} AND case_id IS NOT NULL AND action IN ({single})) AS reads "
                f"GROUP BY account, bucket HAVING COUNT(DISTINCT case_id) > {self.mark}",
                [moment, *sorted(SINGLE_CASE), reads // 2])
            busy = [(row["account"], int(row["bucket"])) for row in cursor.fetchall()]
        maybe_bursts: dict[int | None, AccessEntry] = {}
        for account, start, end in _stretches(busy, window):
            for entry in self.entries(AccessQuery(
                    account=account, since=max(since, datetime.fromtimestamp(start, UTC)),
                    until=datetime.fromtimestamp(end, UTC))):
                if entry.case_id is not None and entry.action in SINGLE_CASE:
                    maybe_bursts[entry.entry_id] = entry
        return UnusualMaterial(maybe_outside, taken, list(maybe_bursts.values()))

    def accounts(self) -> list[str]:
        """Every account that read anything, for the administrator's choice of reader."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT DISTINCT account FROM {self.table} ORDER BY account")
            return [row["account"] for row in cursor.fetchall()]

    # -- between Python and the two databases ------------------------------------------------

    def stored(self, entry: AccessEntry) -> tuple[Any, ...]:
        return (self._moment(entry.at), entry.account, entry.role, entry.action,
                entry.purpose, entry.address,
                None if entry.case_id is None else self._case(entry.case_id),
                entry.relation, entry.records, entry.detail)

    def _moment(self, moment: datetime) -> Any:
        """PostgreSQL keeps a timestamptz; SQLite text that sorts as time does (fixed width)."""
        moment = moment.astimezone(UTC)
        return moment if self.postgres else moment.isoformat(timespec="microseconds")

    def _case(self, case_id: UUID) -> Any:
        return case_id if self.postgres else str(case_id)

    def _case_id(self, stored: Any) -> UUID:
        return stored if isinstance(stored, UUID) else UUID(stored)

    def _epoch(self, column: str) -> str:
        """Whole seconds since 1970 of a stored moment, in SQL."""
        if self.postgres:
            return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"
        return f"CAST(strftime('%s', {column}) AS INTEGER)"

    @staticmethod
    def _entry(row: Any) -> AccessEntry:
        at = row["at"]
        case_id = row["case_id"]
        return AccessEntry(
            at=(at if isinstance(at, datetime) else datetime.fromisoformat(at)).astimezone(UTC),
            account=row["account"], role=row["role"], action=row["action"],
            purpose=row["purpose"], address=row["address"],
            case_id=None if case_id is None else (
                case_id if isinstance(case_id, UUID) else UUID(case_id)),
            relation=row["relation"], records=row["records"], detail=row["detail"],
            entry_id=row["entry_id"])


@dataclass(frozen=True)
class UnusualMaterial:
    """The entries that can make an unusual read (AccessLog.unusual_material)."""

    maybe_outside: list[AccessEntry]
    taken: set[tuple[str, UUID]]
    maybe_bursts: list[AccessEntry]


def _stretches(busy: Iterable[tuple[str, int]], window: int) -> list[tuple[str, int, int]]:
    """Per account, the busy buckets widened by one window on each side and merged: the
    stretches (account, start, end in epoch seconds) in which a burst can lie."""
    stretches: list[tuple[str, int, int]] = []
    for account, bucket in sorted(busy):
        start, end = (bucket - 1) * window, (bucket + 2) * window + 1
        if stretches and stretches[-1][0] == account and start <= stretches[-1][2]:
            stretches[-1] = (account, stretches[-1][1], max(end, stretches[-1][2]))
        else:
            stretches.append((account, start, end))
    return stretches


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sqlite_ddl(table: str) -> list[str]:
    refuse = "SELECT RAISE(ABORT, 'the access log is append-only: rows are never changed')"
    return [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " entry_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
        " account TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
        " purpose TEXT NOT NULL, address TEXT NOT NULL, case_id TEXT,"
        " relation TEXT NOT NULL, records INTEGER, detail TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {table} (case_id, at)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_account ON {table} (account, at)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {table} (at)",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN {refuse}; END",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN {refuse}; END",
    ]


def postgres_ddl(table: str, schema: str) -> list[str]:
    function = f"{schema}.{TABLE}_refuse" if schema else f"{TABLE}_refuse"
    return [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        " entry_id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL,"
        " account TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
        " purpose TEXT NOT NULL, address TEXT NOT NULL, case_id UUID,"
        " relation TEXT NOT NULL, records INTEGER, detail TEXT NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {table} (case_id, at)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_account ON {table} (account, at)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {table} (at)",
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP; END $$",
        f"CREATE OR REPLACE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
