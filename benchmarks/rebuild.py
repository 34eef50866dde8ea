"""`rebuild`: replaying a big store into every read model, against decoding it in one process.

The baseline is the single-process decode-only loop: the same store read and decrypted through
the library (`app.recorder.select_notifications` in the rebuild's batches, then
`app.mapper.to_domain_event` for each notification), with no read model at all. A rebuild that
runs every handler and writes the encrypted views.db reaches ratio 1.0 only when it shares the
decoding and the handlers out between processes so well that it beats one core doing nothing
but decoding.
"""

from __future__ import annotations

import shutil
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

TARGET: Target = value_at_least(60_000, "events/s") & ratio_at_least(1.0)
PAGE_DEFAULT = 1000  # the runner's batch size, when there is no rebuild batch of its own
BUDGET_SECONDS = 150  # for all rounds of one store's rebuild: one at 1M events on a busy VM


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
             "baseline: one process reading and decoding the same events, no handlers")


def measure_rebuild(store: Store, scratch: Path, *, rounds: int,
                    encrypted: bool = True) -> Measured:
    """Full rebuilds into fresh files, interleaved with the decode-only loop; keeps the last views.

    With `encrypted` False the read models are built in the clear (BCO_ENCRYPT_READ_MODELS off,
    only to measure what encryption costs) and not kept.
    """
    runner_module, rebuild_module = need(RUNNER), need(REBUILD)
    work = scratch / f"rebuild-{store.events}{'' if encrypted else '-clear'}"
    work.mkdir(parents=True, exist_ok=True)
    views = work / "views.db"
    settings = store.settings().with_overrides(encrypt_read_models=encrypted)
    with opened(settings) as app:
        names = [model.name for model in all_read_models(app)]

        def ours() -> float:
            _remove(views)
            runner = runner_module.ReadModelRunner(app, views, all_read_models(app))
            rebuilder = rebuild_module.Rebuilder(runner, made_by=all_read_models)
            started = time.perf_counter()
            rebuilder.rebuild()
            return store.events / (time.perf_counter() - started)

        def plain() -> float:
            started = time.perf_counter()
            decoded = decode_only(app, size)
            if decoded != store.events:
                raise RuntimeError(f"decoded {decoded} of {store.events} events")
            return store.events / (time.perf_counter() - started)

        size = int(getattr(rebuild_module, "REBUILD_BATCH_SIZE", PAGE_DEFAULT))
        ours_rates, plain_rates = [ours()], [plain()]
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


def decode_only(app: Any, size: int) -> int:
    """Read and decode every stored event through the library, in batches of `size`; how many."""
    select, decode = app.recorder.select_notifications, app.mapper.to_domain_event
    start, count = 1, 0
    while True:
        notifications = select(start=start, limit=size)
        if not notifications:
            return count
        for notification in notifications:
            decode(notification)
        count += len(notifications)
        start = notifications[-1].id + 1


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
