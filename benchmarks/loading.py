"""`load` and `load_snapshots`: rebuilding an interview from its events, as every screen does.

The baseline is a plain sqlite3 SELECT of the same rows (no decryption, no objects), so the ratio
shows what the cipher, the mapper and replaying the events cost on top of reading them.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from uuid import UUID

from bco.application import BCOApplication
from benchmarks.profile import Profile
from benchmarks.results import Row, interleaved, latency_row, percentile, value_at_most
from benchmarks.workspace import opened, saved_interview, sqlite_settings


def bench_load(profile: Profile, scratch: Path) -> list[Row]:
    settings = sqlite_settings(scratch / "load")
    interval = settings.snapshot_interval
    with opened(settings) as app:
        short = saved_interview(app, 20)
        # Worst case for a long interview: the most events snapshots leave to replay.
        long_events = profile.long_interview + interval - 1
        long = saved_interview(app, long_events)
        raw = sqlite3.connect(settings.events_path, isolation_level=None)
        rows = [
            measure_load(app, raw, short.id, profile, "load", 1.0,
                     "20-event interview, p50 of each round"),
            measure_load(app, raw, long.id, profile, "load_snapshots", 5.0,
                     f"{long_events}-event interview: {profile.long_interview} covered by "
                     f"snapshots (every {interval}), {interval - 1} replayed after the last"),
        ]
        raw.close()
    return rows


def load_p50_ms(app: BCOApplication, interview_id: UUID, loads: int) -> float:
    """Median time to load one interview through the application, in milliseconds."""
    samples = []
    for _ in range(loads):
        started = time.perf_counter()
        app.get_interview(interview_id)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50)


def measure_load(app: BCOApplication, raw: sqlite3.Connection, interview_id: UUID,
                 profile: Profile, name: str, target_ms: float | None, note: str) -> Row:
    """p50 per round through the application and through a plain SELECT of the same rows."""
    def ours() -> float:
        return load_p50_ms(app, interview_id, profile.loads)

    def baseline() -> float:
        samples = []
        for _ in range(profile.loads):
            started = time.perf_counter()
            _raw_read(raw, interview_id.hex)
            samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 50)

    ours()
    app_ms, raw_ms = interleaved(profile.rounds, ours, baseline)
    target = value_at_most(target_ms, "ms") if target_ms is not None else None
    return latency_row(name, app_ms, raw_ms, "ms p50", target, note)


def _raw_read(raw: sqlite3.Connection, originator: str) -> None:
    """What the repository reads: the newest snapshot if any, then the events after it."""
    snapshot = raw.execute(
        "SELECT originator_version, topic, state FROM stored_snapshots WHERE originator_id=? "
        "ORDER BY originator_version DESC LIMIT 1", (originator,)).fetchone()
    after = snapshot[0] if snapshot else 0
    raw.execute("SELECT * FROM stored_events WHERE originator_id=? AND originator_version>? "
                "ORDER BY originator_version", (originator, after)).fetchall()
