"""How much work each benchmark does in a quick run and in a full run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Sizes chosen so a full run stays under 10 minutes and --quick under 2 on 2 cores."""

    name: str
    rounds: int
    appends: int  # answers recorded per round of `append`
    batches: int  # 10-event saves per round of `append_batch`
    loads: int  # loads per round of `load`
    long_interview: int  # events in the long interview of `load_snapshots`
    pg_answers: int  # answers per writer thread per round of `postgres_append`
    pg_writers: int
    store_events: int  # events in the store for `rebuild` and `worklist`
    worklist_queries: int
    http_requests: int  # requests per round of `http_answer`
    http_seconds: float  # time limit per round of `http_answer`
    growth_sizes: tuple[int, ...]
    export_cases: int  # cases in the store `export_*` stream (and a tenth of it for memory)


QUICK = Profile(
    name="quick", rounds=3, appends=40, batches=20, loads=60, long_interview=2_000,
    pg_answers=10, pg_writers=8, store_events=3_000, worklist_queries=40,
    http_requests=150, http_seconds=10.0, growth_sizes=(1_000, 3_000), export_cases=1_000,
)

FULL = Profile(
    name="full", rounds=5, appends=300, batches=100, loads=400, long_interview=2_000,
    pg_answers=60, pg_writers=8, store_events=1_000_000, worklist_queries=400,
    http_requests=600, http_seconds=30.0, growth_sizes=(10_000, 100_000, 1_000_000),
    export_cases=100_000,
)
