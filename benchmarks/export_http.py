"""`export_ndjson`, `export_csv`, `export_fhir`: cases streamed over HTTP by the export API.

`benchmarks.exports.fill_export_views` fills the read models of a store with N cases (each
interviewed, with three contacts) in seconds. gunicorn serves the app (2 workers, as in
`http_answer`); a client pulls `/api/exports/cases?format=…` with an authority token and reads
every byte. The baseline is `benchmarks.exports.plain_loop`: a plain SELECT over the same
tables writing JSON lines, in process. Memory: the workers' peak RSS after the exports of a
store of N/10 cases and of N cases, each served on its own; the difference is
`export_rss_growth`.
"""

from __future__ import annotations

import http.client
import os
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bco.config import Settings
from benchmarks.exports import CONTACTS_PER_CASE, fill_export_views, plain_loop
from benchmarks.http import HOST, serving
from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need
from benchmarks.results import (
    Row,
    interleaved,
    ratio_at_least,
    skipped,
    throughput_row,
    value_at_least,
    value_at_most,
)
from benchmarks.workspace import ROOT, opened, sqlite_settings

FORMATS = {"ndjson": 20_000, "csv": 20_000, "fhir": 5_000}  # target cases/s per format
RATIO = 0.5
RSS_GROWTH_MIB = 50
APP = "bco.web:create_app()"


def bench_exports(profile: Profile, scratch: Path) -> list[Row]:
    big = profile.export_cases
    small = big // 10
    try:
        need("bco.api.exports")
        filled = {size: _filled(scratch / f"exports-{size}", size) for size in (small, big)}
    except Missing as missing:
        return [*(skipped(f"export_{fmt}", "cases/s", None, str(missing)) for fmt in FORMATS),
                skipped("export_rss_growth", "MiB", None, str(missing))]
    rounds = min(profile.rounds, 3)
    measured: dict[str, tuple[list[float], list[float]]] = {}
    peaks: dict[int, float] = {}
    for size, settings in filled.items():
        token, env = _serve_plan(settings)
        with serving(APP, env, settings.data_dir / "gunicorn.log") as (port, process):
            for fmt in FORMATS:
                pull = _pull(port, token, fmt, size)
                pull()  # warm: imports, page cache
                if size == big:
                    ours, raw = interleaved(rounds, pull, partial(_baseline, settings, size))
                    measured[fmt] = (ours, raw)
            peaks[size] = _workers_peak_mib(process.pid)
    growth = peaks[big] - peaks[small]
    note = (f"{big:,} cases ({CONTACTS_PER_CASE} contacts each), /api/exports/cases over HTTP, "
            f"gunicorn 2 workers, median of {rounds}; baseline: SELECT loop writing JSON lines")
    rows = [throughput_row(f"export_{fmt}", ours, raw, "cases/s",
                           value_at_least(FORMATS[fmt], "cases/s") & ratio_at_least(RATIO), note)
            for fmt, (ours, raw) in measured.items()]
    rows.append(Row("export_rss_growth", growth, "MiB", target=value_at_most(
        RSS_GROWTH_MIB, "MiB"), note=f"workers' peak RSS: {peaks[small]:.0f} MiB after every "
        f"format at {small:,} cases, {peaks[big]:.0f} MiB at {big:,}"))
    return rows


def _filled(data_dir: Path, cases: int) -> Settings:
    """An empty event store whose read models hold `cases` cases, as the API serves them."""
    settings = sqlite_settings(data_dir).with_overrides(
        run_projections_in_web=False, secret_key_file=data_dir / "session.key",
        api_rate_limit="100000/minute")
    fill_export_views(settings, cases)
    return settings


def _serve_plan(settings: Settings) -> tuple[str, dict[str, str]]:
    """An authority token, and the environment gunicorn needs to serve this store."""
    with opened(settings) as app:
        token, _ = app.issue_api_token(f"bench-{uuid.uuid4().hex[:8]}", role="authority",
                                       actor="bench")
    return token, {**os.environ, **settings.to_env(), "PYTHONPATH": str(ROOT)}


def _pull(port: int, token: str, fmt: str, cases: int) -> Callable[[], float]:
    """One whole export read off the socket; cases per second."""
    def measure() -> float:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=600)
        try:
            connection.request("GET", f"/api/exports/cases?format={fmt}",
                               headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            if response.status != 200 or not response.getheader("BCO-Export-Cursor"):
                raise RuntimeError(f"export {fmt} answered {response.status}: "
                                   f"{response.read(300)!r}")
            lines = 0
            while chunk := response.read(1 << 16):
                lines += chunk.count(b"\n")
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        if fmt == "ndjson" and lines != cases + 1:
            raise RuntimeError(f"the ndjson export had {lines} lines for {cases} cases")
        return cases / elapsed
    return measure


def _baseline(settings: Settings, cases: int) -> float:
    """The plain SELECT loop over the same tables; cases per second."""
    seconds, _ = plain_loop(settings)
    return cases / seconds


def _workers_peak_mib(master: int) -> float:
    """The highest peak RSS (VmHWM) among gunicorn's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)
