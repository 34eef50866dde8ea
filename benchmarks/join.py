"""`join`: a node starting from a peer's copy of the read models, against a full rebuild.

Both use the same kept store. The baseline is the full rebuild of this run (the `rebuild`
row's rounds when that ran too, else one rebuild now). The join is what a new node waits
for: the peer's `bco projections copy`, then the new node's `bco projections rebuild --from`
that copy. The copy is of read models at the store's end, so no event is left to replay:
what is measured is the copy, its checks and the swap. The events written after a copy
cost what following them costs (the load test's follower lag).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from benchmarks.profile import Profile
from benchmarks.readmodels import REBUILD, RUNNER, Missing, all_read_models, kept_views, need
from benchmarks.rebuild import Measured, measure_rebuild
from benchmarks.results import Row, latency_row, skipped
from benchmarks.stores import store_of
from benchmarks.workspace import opened

COPY = "bco.projections.views_copy"
ROUNDS = 3


def bench_join(profile: Profile, scratch: Path, rebuilt: dict[int, Measured]) -> list[Row]:
    try:
        copying, runner_module, rebuild_module = need(COPY), need(RUNNER), need(REBUILD)
        store = store_of(profile.store_events)
        if store.events not in rebuilt:
            rebuilt[store.events] = measure_rebuild(store, scratch, rounds=1)
    except Missing as missing:
        return [skipped("join", "s", None, str(missing))]
    peer = kept_views(store)  # the last rebuild's read models, at the store's end
    work = scratch / "join"
    joined: list[float] = []
    with opened(store.settings()) as app:
        for _ in range(ROUNDS):
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            runner = runner_module.ReadModelRunner(app, work / "views.db", all_read_models(app))
            started = time.perf_counter()
            copying.copy_views(peer, runner.key, work / "peer.db")
            rebuild_module.Rebuilder(runner).join(work / "peer.db")
            joined.append(time.perf_counter() - started)
            if {status.lag for status in runner.status()} != {0}:
                raise RuntimeError("the joined node is not at the store's end")
    shutil.rmtree(work, ignore_errors=True)
    rebuilding = [store.events / rate for rate in rebuilt[store.events].ours]
    return [latency_row(
        "join", joined, rebuilding, "s", None,
        note=f"{store.events:,} events: copy a peer's views.db and start from it, median of "
             f"{ROUNDS}; baseline: full rebuild of the same store (median of "
             f"{len(rebuilding)}); ratio: how many times sooner a joining node serves")]
