"""`access_log`: what a page view's access-log write costs, against a raw sqlite3 insert.

A request writes its reads in one statement at its end: one row for a case page, twenty for
an inform list page. Both sides write the same table (the access log's own CREATE statements)
in WAL mode at the event store's `synchronous` level; ours goes through the event store's
connection pool, as the web does, beside the events. Saves (htmx answers) write no row, so
`http_answer` does not pay this.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bco.audit.store import COLUMNS, AccessEntry, AccessLog, sqlite_ddl
from benchmarks.profile import Profile
from benchmarks.results import Row, interleaved, ratio_at_least, throughput_row
from benchmarks.workspace import opened, raw_sqlite, recorder_synchronous, sqlite_settings

PER_REQUEST = (1, 20)  # a case page; an inform list page


def bench_access_log(profile: Profile, scratch: Path) -> list[Row]:
    rows = []
    with opened(sqlite_settings(scratch / "access")) as app:
        synchronous = recorder_synchronous(app)
        log: AccessLog = app.access_log
        raw = raw_sqlite(scratch / "access-raw.db", synchronous, sqlite_ddl(log.table))
        marks = ", ".join("?" * len(COLUMNS))
        try:
            for size in PER_REQUEST:
                def ours(size: int = size) -> float:
                    batches = [_reads(size) for _ in range(profile.appends)]
                    started = time.perf_counter()
                    for batch in batches:
                        log.append(batch)
                    return profile.appends / (time.perf_counter() - started)

                def baseline(size: int = size) -> float:
                    batches = [[log.stored(entry) for entry in _reads(size)]
                               for _ in range(profile.appends)]
                    started = time.perf_counter()
                    for batch in batches:
                        raw.execute("BEGIN")
                        raw.executemany(f"INSERT INTO {log.table} ({', '.join(COLUMNS)}) "
                                        f"VALUES ({marks})", batch)
                        raw.execute("COMMIT")
                    return profile.appends / (time.perf_counter() - started)

                ours()  # warm the pool's connection and the statement cache
                mine, theirs = interleaved(profile.rounds, ours, baseline)
                rows.append(throughput_row(
                    f"access_log_{size}", mine, theirs, "requests/s", ratio_at_least(0.5),
                    note=f"{size} read(s) per request in one insert; "
                         f"synchronous={synchronous} on both sides"))
        finally:
            raw.close()
    return rows


def _reads(size: int) -> list[AccessEntry]:
    now = datetime.now(UTC)
    return [AccessEntry(at=now, account="benchtracer", role="tracer", action="case",
                        purpose="tracer.case_page", address="127.0.0.1", case_id=uuid.uuid4(),
                        relation="assigned") for _ in range(size)]
