"""`rebuild`: replaying a big store into every read model, against a plain sqlite3 loop.

The plain loop reads the same stored events page by page (without decrypting them; a page is a
rebuild's batch) and inserts the rows the rebuild produced, spread evenly over the pages, one
transaction per page with the rebuild's own settings (journal in memory, synchronous off). It is
the floor for any rebuild of these read models: what reading the events and writing the result
costs in SQLite.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.profile import Profile
from benchmarks.readmodels import REBUILD, RUNNER, Missing, all_read_models, keep_views, need
from benchmarks.results import (
    Row,
    Target,
    ratio_at_least,
    skipped,
    throughput_row,
    value_at_least,
)
from benchmarks.stores import Store, store_of
from benchmarks.workspace import opened

TARGET: Target = value_at_least(30_000, "events/s") & ratio_at_least(0.6)
PAGE_DEFAULT = 1000  # the runner's batch size, when there is no rebuild batch of its own
BUDGET_SECONDS = 150  # for all rounds of one store's rebuild: three at 1M events on 2 cores


@dataclass
class Measured:
    """Rebuild and baseline rates of one store, so the growth table can reuse them."""

    store: Store
    models: list[str]
    ours: list[float]
    plain: list[float]


def bench_rebuild(profile: Profile, scratch: Path, rebuilt: dict[int, Measured]) -> list[Row]:
    """The 1M-event rebuild; `rebuilt` shares it with the growth table's 1M row."""
    try:
        store = store_of(profile.store_events)
        if store.events not in rebuilt:
            rebuilt[store.events] = measure_rebuild(store, scratch,
                                                    rounds=min(profile.rounds, 3))
    except Missing as missing:
        return [skipped("rebuild", "events/s", TARGET, str(missing))]
    return [rebuild_row("rebuild", rebuilt[store.events])]


def rebuild_row(name: str, measured: Measured, target: Target | None = TARGET) -> Row:
    return throughput_row(
        name, measured.ours, measured.plain, "events/s", target,
        note=f"{measured.store.events:,} events into {', '.join(measured.models)}; "
             f"median of {len(measured.ours)} rounds; "
             "baseline: plain sqlite3 reads the events and inserts the same rows")


def measure_rebuild(store: Store, scratch: Path, *, rounds: int,
                    encrypted: bool = True) -> Measured:
    """Full rebuilds into fresh files, interleaved with the plain loop; keeps the last views.

    With `encrypted` False the read models are built in the clear (BCO_ENCRYPT_READ_MODELS off,
    only to measure what encryption costs) and not kept.
    """
    runner_module, rebuild_module = need(RUNNER), need(REBUILD)
    work = scratch / f"rebuild-{store.events}{'' if encrypted else '-clear'}"
    work.mkdir(parents=True, exist_ok=True)
    views = work / "views.db"
    settings = store.settings().with_overrides(encrypt_read_models=encrypted)
    key = need("bco.projections.viewsdb").views_key(settings)
    with opened(settings) as app:
        names = [model.name for model in all_read_models(app)]

        def ours() -> float:
            _remove(views)
            runner = runner_module.ReadModelRunner(app, views, all_read_models(app))
            rebuilder = rebuild_module.Rebuilder(runner, made_by=all_read_models)
            started = time.perf_counter()
            rebuilder.rebuild()
            return store.events / (time.perf_counter() - started)

        first = ours()  # counted; it also makes the rows the plain loop writes
        rows = _rows_of(views, key)

        def plain() -> float:
            target = work / "plain.db"
            _remove(target)
            started = time.perf_counter()
            _plain_loop(store.data_dir / "events.db", target, rows)
            return store.events / (time.perf_counter() - started)

        ours_rates, plain_rates = [first], [plain()]
        while len(ours_rates) < rounds and _another_round_fits(ours_rates, store.events):
            ours_rates.append(ours())
            plain_rates.append(plain())
    if encrypted:
        keep_views(store, views)
    shutil.rmtree(work, ignore_errors=True)
    return Measured(store, names, ours_rates, plain_rates)


def _another_round_fits(rates: list[float], events: int) -> bool:
    """Keep a full run under 10 minutes: a slow rebuild gets fewer rounds (the note says so)."""
    spent = sum(events / rate for rate in rates)
    return spent + events / rates[-1] <= BUDGET_SECONDS


@dataclass
class _Rows:
    schema: list[str]
    inserts: list[tuple[str, tuple[Any, ...]]]  # (INSERT statement, values), in table order


def _rows_of(views: Path, key: str | None) -> _Rows:
    """The schema and every row the rebuild wrote, to insert again in the plain loop."""
    conn = need("bco.projections.viewsdb").connect_file(views, key)
    try:
        schema = [sql for (sql,) in conn.execute(
            # triggers left out: their tables' rows are copied like any other
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "AND type != 'trigger' ORDER BY type = 'index', name")]
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        inserts: list[tuple[str, tuple[Any, ...]]] = []
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM [{table}]")
            marks = ", ".join("?" for _ in cursor.description)
            statement = f"INSERT OR REPLACE INTO [{table}] VALUES ({marks})"
            inserts.extend((statement, tuple(values)) for values in cursor.fetchall())
    finally:
        conn.close()
    return _Rows(schema, inserts)


def _plain_loop(events: Path, target: Path, rows: _Rows) -> None:
    size = int(getattr(need(REBUILD), "REBUILD_BATCH_SIZE", PAGE_DEFAULT))
    source = sqlite3.connect(f"file:{events}?mode=ro", uri=True)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        out.execute("PRAGMA journal_mode = MEMORY")
        out.execute("PRAGMA synchronous = OFF")
        for statement in rows.schema:
            out.execute(statement)
        total = source.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        pages = max(1, -(-total // size))
        last, page = 0, 0
        while True:
            found = source.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, size)).fetchall()
            if not found:
                break
            last = found[-1][0]
            share = rows.inserts[page * len(rows.inserts) // pages:
                                 (page + 1) * len(rows.inserts) // pages]
            page += 1
            out.execute("BEGIN")
            for statement, values in share:
                out.execute(statement, values)
            out.execute("COMMIT")
    finally:
        source.close()
        out.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
