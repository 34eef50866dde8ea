"""`worklist`: a tracer opening their queue, on read models built from a big store.

Each query opens its own connection, as a web request must (a rebuild may swap the file). The
baseline selects the same tracer's open rows with plain sqlite3 on one open connection, so the
ratio shows what ordering, bucketing and building items add to the bare indexed read.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need, views_for
from benchmarks.results import (
    Row,
    Target,
    interleaved,
    latency_row,
    percentile,
    skipped,
    value_at_most,
)
from benchmarks.stores import START, Store, store_of

MODULE = "bco.projections.worklist"
TARGET = value_at_most(20, "ms")


def bench_worklist(profile: Profile, scratch: Path) -> list[Row]:
    try:
        need(MODULE)
        store = store_of(profile.store_events)
        return [worklist_row("worklist", store, scratch, profile)]
    except Missing as missing:
        return [skipped("worklist", "ms p95", TARGET, str(missing))]


def worklist_row(name: str, store: Store, scratch: Path, profile: Profile,
                 target: Target | None = TARGET) -> Row:
    views = views_for(store, scratch / f"views-{store.events}")
    ours_ms, plain_ms = measure_worklist(store, views, profile)
    return latency_row(
        name, ours_ms, plain_ms, "ms p95", target,
        note=f"{store.events:,}-event store, {len(store.tracers)} tracers, up to 200 rows a "
             "query")


def measure_worklist(store: Store, views: Path, profile: Profile, *,
                     encrypted: bool = True) -> tuple[list[float], list[float]]:
    """p95 per round of for_tracer on `views` (encrypted, or in the clear: BCO_ENCRYPT_READ_MODELS
    off) and of the bare indexed read on one open connection to the same file."""
    worklist = need(MODULE)
    runner = need("bco.projections.runner")
    key = need("bco.projections.viewsdb").views_key(
        store.settings().with_overrides(encrypt_read_models=encrypted))
    rng = random.Random(7)
    now = START + timedelta(days=20)
    tracers = list(store.tracers)

    def ours() -> float:
        samples = []
        for _ in range(profile.worklist_queries):
            tracer = rng.choice(tracers)
            started = time.perf_counter()
            with runner.open_views(views, key) as db:
                worklist.for_tracer(db, tracer, now=now, target_hours=24)
            samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 95)

    plain = need("bco.projections.viewsdb").connect_file(f"file:{views}?mode=ro", key, uri=True)

    def baseline() -> float:
        samples = []
        for _ in range(profile.worklist_queries):
            tracer = rng.choice(tracers)
            started = time.perf_counter()
            plain.execute("SELECT * FROM worklist WHERE queue = ? AND open = 1 LIMIT 200",
                          (tracer,)).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 95)

    try:
        ours()
        ours_ms, plain_ms = interleaved(profile.rounds, ours, baseline)
    finally:
        plain.close()
    return ours_ms, plain_ms
