"""The timeline summed per local day (in BCO_TIMEZONE), per team and disease: what the
dashboard's KPIs and charts read, so a month is a few dozen rows per team, not every case.

SQLite triggers on the timeline table keep these tables: each write of a timeline row takes
away what the row it replaces added and adds what the new row adds. However a row is written
(the projection's batches, a rebuild, a test inserting rows by hand) the sums stay those of
the rows, so a rebuild equals the incremental result by construction. Rows whose count falls
to zero are removed, so batch boundaries leave no trace.

- `timeline_by_day`: per (kind, day, team, disease) — kind `received` (cases received that
  day: called, reached within 24 h, interviewed within 24 h, already someone's contact),
  `completed` (interviews completed that day: without contacts, handovers, contacts the
  health service informs and those of them informed within 24 h) and `closed`.
- `timeline_values_by_day`: histograms per day — `first_call` in tenths of an hour, rounded
  up (received day), `contacts` per completed interview (completed day).

A case without a team is stored under team '' (a key column cannot be NULL).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

BY_DAY = "timeline_by_day"
VALUES = "timeline_values_by_day"
ZONE = "timeline_zone"  # the zone's UTC offsets over time, for the triggers' local days
TABLES = (BY_DAY, VALUES, ZONE)

DAY_SECONDS = 24 * 3600
TENTH_HOUR = 360  # seconds in a histogram step of `first_call`

MEASURES = ("n", "called", "reached_24h", "interviewed_24h", "known", "no_contacts",
            "handovers", "to_inform", "informed_24h")


@functools.cache
def zone_offsets(name: str) -> tuple[tuple[str, int], ...]:
    """(UTC moment 'YYYY-MM-DDTHH:MM:SS', offset in minutes) from each change of the zone's
    offset, 1900 to 2200; the first entry holds from the beginning of time."""
    zone = ZoneInfo(name)

    def offset(moment: datetime) -> int:
        found = moment.astimezone(zone).utcoffset()
        return int(found.total_seconds() // 60) if found is not None else 0

    moment = datetime(1900, 1, 1, tzinfo=UTC)
    current = offset(moment)
    found = [("0000-01-01T00:00:00", current)]
    while moment.year < 2200:
        later = moment + timedelta(days=1)
        if offset(later) != current:
            low, high = moment, later  # the change is in (low, high]: find its minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            current = offset(high)
            found.append((high.strftime("%Y-%m-%dT%H:%M:%S"), current))
        moment = later
    return tuple(found)


def _local_day(column: str) -> str:
    """SQL for the local date of a stored UTC timestamp (seconds are enough for midnight)."""
    moment = f"substr({column}, 1, 19)"
    return (f"date({moment}, (SELECT printf('%+d minutes', z.minutes) FROM {ZONE} z "
            f"WHERE z.since <= {moment} ORDER BY z.since DESC LIMIT 1))")


def _upserts(source: str, sign: str) -> list[str]:
    """Statements adding (sign '+') or taking away ('-') the sums of the row(s) in `source`,
    a FROM clause naming the timeline row `r`."""
    team = "coalesce(r.team, '')"

    def into_day(table: str, kind: str, moment: str, columns: str, values: str, when: str,
                 update: str) -> str:
        """Add `values` to the row of `kind` on the local day of `moment` (when `when` holds)."""
        return (f"INSERT INTO {table} (kind, day, team, disease, {columns}) "
                f"SELECT '{kind}', {_local_day(moment)}, {team}, r.disease, {values} {source} "
                f"AND {when} ON CONFLICT DO UPDATE SET {update}")

    measures = ", ".join(MEASURES)
    add_measures = ", ".join(f"{m} = {m} + excluded.{m}" for m in MEASURES)
    add_n = "n = n + excluded.n"
    received = into_day(
        BY_DAY, "received", "r.received_at", measures,
        f"{sign}1, {sign}(r.to_first_attempt_s IS NOT NULL), "
        f"{sign}coalesce(r.to_reached_s <= {DAY_SECONDS}, 0), "
        f"{sign}coalesce(r.to_interview_completed_s <= {DAY_SECONDS}, 0), "
        f"{sign}coalesce(r.known_contact, 0), 0, 0, 0, 0",
        "r.received_at IS NOT NULL", add_measures)
    completed = into_day(
        BY_DAY, "completed", "r.interview_completed_at", measures,
        f"{sign}1, 0, 0, 0, 0, {sign}(coalesce(r.contacts_reported, 0) = 0), "
        f"{sign}coalesce(r.handovers, 0), {sign}coalesce(r.contacts_to_inform, 0), "
        f"{sign}coalesce(r.contacts_informed_24h, 0)",
        "r.interview_completed_at IS NOT NULL", add_measures)
    closed = into_day(BY_DAY, "closed", "r.closed_at", measures,
                      f"{sign}1, 0, 0, 0, 0, 0, 0, 0, 0",
                      "r.closed_at IS NOT NULL", add_n)
    first_call = into_day(
        VALUES, "first_call", "r.received_at", "value, n",
        f"(r.to_first_attempt_s + {TENTH_HOUR - 1}) / {TENTH_HOUR}, {sign}1",
        "r.to_first_attempt_s IS NOT NULL AND r.received_at IS NOT NULL", add_n)
    contacts = into_day(VALUES, "contacts", "r.interview_completed_at", "value, n",
                        f"coalesce(r.contacts_reported, 0), {sign}1",
                        "r.interview_completed_at IS NOT NULL", add_n)
    statements = [received, completed, closed, first_call, contacts]
    if sign == "-":
        statements += [f"DELETE FROM {BY_DAY} WHERE n = 0 AND (kind, day, team, disease) IN "
                       f"(SELECT k, d, t, s FROM (SELECT 'received' AS k, "
                       f"{_local_day('r.received_at')} AS d, {team} AS t, r.disease AS s "
                       f"{source} UNION ALL SELECT 'completed', "
                       f"{_local_day('r.interview_completed_at')}, {team}, r.disease {source} "
                       f"UNION ALL SELECT 'closed', {_local_day('r.closed_at')}, {team}, "
                       f"r.disease {source}))",
                       f"DELETE FROM {VALUES} WHERE n = 0 AND (kind, day, team, disease) IN "
                       f"(SELECT k, d, t, s FROM (SELECT 'first_call' AS k, "
                       f"{_local_day('r.received_at')} AS d, {team} AS t, r.disease AS s "
                       f"{source} UNION ALL SELECT 'contacts', "
                       f"{_local_day('r.interview_completed_at')}, {team}, r.disease "
                       f"{source}))"]
    return statements


def create(db: Database, table: str, columns: list[str], zone: str) -> None:
    """The day tables, the zone's offsets and the triggers on `table` (the timeline)."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {BY_DAY} (kind TEXT NOT NULL, day TEXT NOT NULL, "
               f"team TEXT NOT NULL, disease TEXT NOT NULL, "
               + ", ".join(f"{m} INTEGER NOT NULL DEFAULT 0" for m in MEASURES)
               + ", PRIMARY KEY (kind, team, day, disease)) WITHOUT ROWID")
    db.execute(f"CREATE TABLE IF NOT EXISTS {VALUES} (kind TEXT NOT NULL, day TEXT NOT NULL, "
               "team TEXT NOT NULL, disease TEXT NOT NULL, value INTEGER NOT NULL, "
               "n INTEGER NOT NULL, PRIMARY KEY (kind, team, day, disease, value)) "
               "WITHOUT ROWID")
    db.execute(f"CREATE TABLE IF NOT EXISTS {ZONE} (since TEXT PRIMARY KEY, minutes INTEGER "
               "NOT NULL, zone TEXT NOT NULL)")
    if not db.execute(f"SELECT 1 FROM {ZONE} WHERE zone = ? LIMIT 1", [zone]).fetchone():
        db.execute(f"DELETE FROM {ZONE}")
        db.conn.executemany(f"INSERT INTO {ZONE} (since, minutes, zone) VALUES (?, ?, ?)",
                            [(since, minutes, zone) for since, minutes in zone_offsets(zone)])
    row = ", ".join(f"{{alias}}.{c} AS {c}" for c in columns)
    new = f"FROM (SELECT {row.format(alias='NEW')}) r WHERE 1"
    old = f"FROM (SELECT {row.format(alias='OLD')}) r WHERE 1"
    replaced = f"FROM {table} r WHERE r.case_id = NEW.case_id"
    triggers = {
        # INSERT OR REPLACE deletes the old row firing delete triggers only with
        # recursive_triggers on (sqlite-utils turns it on): with it off, take the old row
        # away before the insert, while it is still there.
        f"{table}_days_before_insert": (
            f"BEFORE INSERT ON {table} WHEN (SELECT recursive_triggers "
            "FROM pragma_recursive_triggers) = 0", _upserts(replaced, "-")),
        f"{table}_days_insert": (f"AFTER INSERT ON {table}", _upserts(new, "+")),
        f"{table}_days_update": (f"AFTER UPDATE ON {table}",
                                 _upserts(old, "-") + _upserts(new, "+")),
        f"{table}_days_delete": (f"AFTER DELETE ON {table}", _upserts(old, "-")),
    }
    for name, (when, statements) in triggers.items():
        body = "; ".join(statements)
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {body}; END")


def sums(db: Database, kind: str, first: str, last: str, extra: str,
         values: list[object], measures: tuple[str, ...] = MEASURES) -> dict[str, int]:
    """The measures summed over the local days first..last (ISO dates, both included) of one
    kind, for the scope in `extra` (SQL on team and disease, with its `values`)."""
    found = db.execute(
        f"SELECT {', '.join(f'coalesce(sum({m}), 0)' for m in measures)} FROM {BY_DAY} "
        f"WHERE kind = ? AND day >= ? AND day <= ?{extra}",
        [kind, first, last, *values]).fetchone()
    return dict(zip(measures, found, strict=True))


def per_day(db: Database, kind: str, first: str, last: str, extra: str,
            values: list[object], measures: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """As `sums`, per local day."""
    found: dict[str, dict[str, int]] = {}
    for day, *counts in db.execute(
            f"SELECT day, {', '.join(f'sum({m})' for m in measures)} FROM {BY_DAY} "
            f"WHERE kind = ? AND day >= ? AND day <= ?{extra} GROUP BY day",
            [kind, first, last, *values]):
        found[day] = dict(zip(measures, counts, strict=True))
    return found


def histogram(db: Database, kind: str, first: str, last: str, extra: str,
              values: list[object]) -> list[tuple[int, int]]:
    """(value, how many) over the local days first..last, in order of value."""
    return [(value, count) for value, count in db.execute(
        f"SELECT value, sum(n) FROM {VALUES} WHERE kind = ? AND day >= ? AND day <= ?{extra} "
        f"GROUP BY value ORDER BY value", [kind, first, last, *values]) if count]


def median_of(counted: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many), in order of value."""
    total = sum(count for _value, count in counted)
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    middle: list[float] = []
    seen = 0
    for value, count in counted:
        for position in sorted(wanted):
            if seen <= position < seen + count:
                middle.append(float(value))
        seen += count
        if len(middle) == len(wanted):
            break
    return sum(middle) / len(middle)
