"""`access_unusual`: the administrator's unusual-access page, against reading every entry.

A fortnight of reads by `tracers` tracers (about 40 case views a day each, one in twelve a
pool case, most of those taken, a few outside), and one fast browser per hundred. Ours asks
the log for what can be unusual (`AccessLog.unusual_material`) and runs the rules on that;
the baseline reads every entry since the first day, as the page did before, and runs the same
rules (`bco.audit.unusual`). Both must find the same reads and bursts.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bco.audit.store import ASSIGNED, OUTSIDE, POOL, AccessEntry, AccessQuery
from bco.audit.unusual import bursts, outside_reads
from benchmarks.profile import Profile
from benchmarks.results import Row, interleaved, latency_row
from benchmarks.workspace import opened, sqlite_settings

FIRST_DAY = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
DAYS = 14
BURST_READS, BURST_MINUTES = 30, 10


def bench_access_unusual(profile: Profile, scratch: Path) -> list[Row]:
    tracers = 20 if profile.name == "quick" else 500
    with opened(sqlite_settings(scratch / "unusual")) as app:
        log = app.access_log
        batch: list[AccessEntry] = []
        for entry in _fortnight(tracers):
            batch.append(entry)
            if len(batch) == 10_000:
                log.append(batch)
                batch = []
        log.append(batch)
        found: dict[str, object] = {}

        def ours() -> float:
            started = time.perf_counter()
            material = log.unusual_material(FIRST_DAY, reads=BURST_READS,
                                            minutes=BURST_MINUTES)
            found["ours"] = (outside_reads(material.maybe_outside, material.taken),
                             bursts(material.maybe_bursts, reads=BURST_READS,
                                    minutes=BURST_MINUTES))
            return time.perf_counter() - started

        def every_entry() -> float:
            started = time.perf_counter()
            entries = log.entries(AccessQuery(since=FIRST_DAY))
            found["all"] = (outside_reads(entries),
                            bursts(entries, reads=BURST_READS, minutes=BURST_MINUTES))
            return time.perf_counter() - started

        mine, theirs = interleaved(min(profile.rounds, 3), ours, every_entry)
        if found["ours"] != found["all"]:
            raise RuntimeError("the narrowed entries found other unusual reads")
        total = log.count()
    return [latency_row("access_unusual", mine, theirs, "s", None,
                        note=f"{total:,} reads of {tracers} tracers over {DAYS} days; "
                             "baseline: every entry read into Python, same rules")]


def _fortnight(tracers: int) -> Iterator[AccessEntry]:
    rng = random.Random(19)
    cases = [uuid.uuid4() for _ in range(tracers * 20)]

    def entry(at: datetime, account: str, relation: str) -> AccessEntry:
        return AccessEntry(at=at, account=account, role="tracer", action="case",
                           purpose="tracer.case_page", address="10.1.2.3",
                           case_id=rng.choice(cases), relation=relation)

    for number in range(tracers):
        account = f"tracer{number}"
        for day in range(DAYS):
            at = FIRST_DAY + timedelta(days=day)
            for _ in range(40):
                at += timedelta(seconds=rng.uniform(60, 1_300))
                roll = rng.random()
                relation = POOL if roll < 0.08 else OUTSIDE if roll < 0.09 else ASSIGNED
                read = entry(at, account, relation)
                yield read
                if relation == POOL and rng.random() < 0.7:
                    yield replace(read, relation=ASSIGNED, at=at + timedelta(minutes=2))
        if number % 100 == 0:
            at = FIRST_DAY + timedelta(days=number % DAYS, hours=4)
            for _ in range(45):
                at += timedelta(seconds=rng.uniform(3, 12))
                yield entry(at, account, POOL)
