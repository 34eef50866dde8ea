"""The growth table: append, load, rebuild and worklist on stores of growing size.

Rows are named `<benchmark>@<size>` and have no target: they show how cost grows. Append and
load run against a private copy of the kept store (the raw baseline writes into that same copy,
so both sides see a table of that size); rebuild and worklist read the kept store.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from benchmarks.loading import measure_load
from benchmarks.profile import Profile
from benchmarks.readmodels import Missing
from benchmarks.rebuild import Measured, measure_rebuild, rebuild_row
from benchmarks.results import Row, skipped, throughput_row
from benchmarks.sqlite_writes import append_rates
from benchmarks.stores import Store, store_of
from benchmarks.worklist import worklist_row
from benchmarks.workspace import opened, saved_interview

GROWING = ("append", "load", "rebuild", "worklist")


def size_label(events: int) -> str:
    if events >= 1_000_000 and events % 1_000_000 == 0:
        return f"{events // 1_000_000}M"
    if events >= 1_000 and events % 1_000 == 0:
        return f"{events // 1_000}k"
    return str(events)


def growth_rows(profile: Profile, scratch: Path, chosen: Sequence[str],
                sizes: Sequence[int], rebuilt: dict[int, Measured]) -> list[Row]:
    """Every chosen benchmark at every size; `rebuilt` reuses rebuilds already measured."""
    rows: list[Row] = []
    for size in sizes:
        label = size_label(size)
        store = store_of(size)
        work = scratch / f"growth-{label}"
        for name in GROWING:
            if name not in chosen:
                continue
            try:
                rows.append(_measure(name, f"{name}@{label}", store, work, profile, rebuilt))
            except Missing as missing:
                rows.append(skipped(f"{name}@{label}", "", None, str(missing)))
        shutil.rmtree(work, ignore_errors=True)
    return rows


def _measure(benchmark: str, name: str, store: Store, work: Path, profile: Profile,
             rebuilt: dict[int, Measured]) -> Row:
    if benchmark == "append":
        return _append(name, store, work, profile)
    if benchmark == "load":
        return _load(name, store, work, profile)
    if benchmark == "rebuild":
        if store.events not in rebuilt:
            rebuilt[store.events] = measure_rebuild(store, work, rounds=min(profile.rounds, 3))
        return rebuild_row(name, rebuilt[store.events], None)
    return worklist_row(name, store, work, profile, None)


def _append(name: str, store: Store, work: Path, profile: Profile) -> Row:
    copy = store.copy_to(work / "store")
    with opened(copy.settings()) as app:
        ours, raw, _size = append_rates(app, profile, copy.data_dir / "events.db")
    shutil.rmtree(copy.data_dir, ignore_errors=True)
    return throughput_row(name, ours, raw, "answers/s", None,
                          note=f"into {store.events:,} events; raw inserts into the same table")


def _load(name: str, store: Store, work: Path, profile: Profile) -> Row:
    copy = store.copy_to(work / "store")
    with opened(copy.settings()) as app:
        interview = saved_interview(app, 20)
        raw = sqlite3.connect(copy.data_dir / "events.db", isolation_level=None)
        try:
            row = measure_load(app, raw, interview.id, profile, name, None,
                               f"20-event interview in a {store.events:,}-event store")
        finally:
            raw.close()
    shutil.rmtree(copy.data_dir, ignore_errors=True)
    return row
