"""`rebuild_at_rest` and `worklist_at_rest`: what encrypting views.db (SQLCipher) costs.

The same rebuild and the same worklist queries on the same store, once with the read models
encrypted (as BCO runs) and once in the clear (BCO_ENCRYPT_READ_MODELS=false, which exists
for this baseline only), interleaved in one run. The ratio is clear over encrypted for the
worklist's p95 and encrypted over clear for the rebuild's events per second: 1.0 means free.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmarks.profile import Profile
from benchmarks.readmodels import REBUILD, RUNNER, Missing, all_read_models, need, views_for
from benchmarks.rebuild import Measured, measure_rebuild
from benchmarks.results import Row, latency_row, ratio_at_least, skipped, throughput_row
from benchmarks.stores import Store, store_of
from benchmarks.worklist import measure_worklist
from benchmarks.workspace import opened

REBUILD_TARGET = ratio_at_least(0.75)
WORKLIST_TARGET = ratio_at_least(0.75)


def bench_at_rest(profile: Profile, scratch: Path, rebuilt: dict[int, Measured]) -> list[Row]:
    try:
        need("bco.projections.viewsdb")
        store = store_of(profile.store_events)
        rounds = min(profile.rounds, 3)
        if store.events not in rebuilt:
            rebuilt[store.events] = measure_rebuild(store, scratch, rounds=rounds)
        clear = measure_rebuild(store, scratch, rounds=rounds, encrypted=False)
    except Missing as missing:
        return [skipped("rebuild_at_rest", "events/s", REBUILD_TARGET, str(missing)),
                skipped("worklist_at_rest", "ms p95", WORKLIST_TARGET, str(missing))]
    encrypted = rebuilt[store.events]
    rows = [throughput_row(
        "rebuild_at_rest", encrypted.ours, clear.ours, "events/s", REBUILD_TARGET,
        note=f"{store.events:,} events; baseline: the same rebuild with views.db in the clear")]
    views = views_for(store, scratch / f"views-{store.events}")
    clear_views = _clear_views(store, scratch)
    try:
        ours_ms, _ = measure_worklist(store, views, profile)
        clear_ms, _ = measure_worklist(store, clear_views, profile, encrypted=False)
    finally:
        shutil.rmtree(clear_views.parent, ignore_errors=True)
    rows.append(latency_row(
        "worklist_at_rest", ours_ms, clear_ms, "ms p95", WORKLIST_TARGET,
        note=f"{store.events:,}-event store; baseline: the same queries on views.db in the "
             "clear"))
    return rows


def _clear_views(store: Store, scratch: Path) -> Path:
    """The read models of `store` built in the clear, in scratch (never kept)."""
    runner_module, rebuild_module = need(RUNNER), need(REBUILD)
    work = scratch / f"views-clear-{store.events}"
    work.mkdir(parents=True, exist_ok=True)
    views = work / "views.db"
    settings = store.settings().with_overrides(encrypt_read_models=False)
    with opened(settings) as app:
        runner = runner_module.ReadModelRunner(app, views, all_read_models(app))
        rebuild_module.Rebuilder(runner).rebuild()
    return views
