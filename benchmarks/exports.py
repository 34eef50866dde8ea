"""`export_ndjson`, `export_csv`, `export_fhir`: cases streamed over HTTP by the export API.

A store of N cases (each assigned, interviewed, with two contacts) is generated once, its read
models built, and kept under bench-output/stores/. gunicorn serves the app (2 workers, as in
`http_answer`); a client pulls `/api/exports/cases?format=…` with an authority token and reads
every byte. The baseline is a plain SELECT loop over the same read-model tables writing JSON
lines, in process. Memory: the workers' peak RSS after the exports of a store of N/10 cases
and of N cases, each server on its own; the difference is `export_rss_growth`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from eventsourcing.cryptography import AESCipher

from bco.domain.case import Case, IndexPerson
from bco.domain.stamped import StampedAggregate
from bco.projections.exports import Exports
from bco.projections.people import People
from bco.projections.runner import ProjectionRunner
from benchmarks import stores
from benchmarks.http import HOST, serving
from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need, projections_fingerprint
from benchmarks.results import (
    Row,
    interleaved,
    ratio_at_least,
    skipped,
    throughput_row,
    value_at_least,
    value_at_most,
)
from benchmarks.workspace import OUTPUT, ROOT, guide_ref, new_interview, opened, sqlite_settings

FORMATS = {"ndjson": 20_000, "csv": 20_000, "fhir": 5_000}  # target cases/s per format
RATIO = 0.5
RSS_GROWTH_MIB = 50
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
SAVE_EVERY = 400
APP = "bco.web:create_app()"


@dataclass(frozen=True)
class ExportStore:
    data_dir: Path
    key: str
    cases: int


def bench_exports(profile: Profile, scratch: Path) -> list[Row]:
    big = profile.export_cases
    small = big // 10
    try:
        need("bco.api.exports")
        stores_by_size = {size: store_with(size) for size in (small, big)}
    except Missing as missing:
        return [*(skipped(f"export_{fmt}", "cases/s", None, str(missing)) for fmt in FORMATS),
                skipped("export_rss_growth", "MiB", None, str(missing))]
    rounds = min(profile.rounds, 3)
    measured: dict[str, tuple[list[float], list[float]]] = {}
    peaks: dict[int, float] = {}
    for size, store in stores_by_size.items():
        token, env = _serve_plan(store, scratch / f"exports-{size}")
        with serving(APP, env, scratch / f"exports-{size}" / "gunicorn.log") as (port, process):
            for fmt in FORMATS:
                pull = _pull(port, token, fmt, store.cases)
                pull()  # warm: imports, page cache
                if size == big:
                    ours, raw = interleaved(rounds, pull, partial(_baseline, store))
                    measured[fmt] = (ours, raw)
            peaks[size] = _workers_peak_mib(process.pid)
    growth = peaks[big] - peaks[small]
    note = (f"{big:,} cases (2 contacts each), /api/exports/cases over HTTP, gunicorn 2 workers,"
            f" median of {rounds}; baseline: SELECT loop writing JSON lines in process")
    rows = [throughput_row(f"export_{fmt}", ours, raw, "cases/s",
                           value_at_least(FORMATS[fmt], "cases/s") & ratio_at_least(RATIO), note)
            for fmt, (ours, raw) in measured.items()]
    rows.append(Row("export_rss_growth", growth, "MiB", target=value_at_most(
        RSS_GROWTH_MIB, "MiB"), note=f"workers' peak RSS: {peaks[small]:.0f} MiB after every "
        f"format at {small:,} cases, {peaks[big]:.0f} MiB at {big:,}"))
    return rows


def _serve_plan(store: ExportStore, data_dir: Path) -> tuple[str, dict[str, str]]:
    """An authority token, and the environment gunicorn needs to serve this store."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = sqlite_settings(store.data_dir, store.key).with_overrides(
        run_projections_in_web=False, secret_key_file=data_dir / "session.key",
        pseudonym_key_file=data_dir / "pseudonym.key", api_rate_limit="100000/minute")
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


def _baseline(store: ExportStore) -> float:
    """A plain SELECT over the same tables, each row a JSON line; cases per second."""
    started = time.perf_counter()
    conn = sqlite3.connect(str(store.data_dir / "views.db"))
    try:
        cursor = conn.execute(
            "SELECT e.*, p.name, p.phone, p.email, p.birth_date, p.postcode "
            "FROM exports_cases e LEFT JOIN people_cases p ON p.case_id = e.case_id "
            "ORDER BY e.position")
        names = [d[0] for d in cursor.description]
        written = 0
        sink = open(os.devnull, "wb")  # noqa: SIM115 - closed below, after the loop
        try:
            for row in cursor:
                sink.write(json.dumps(dict(zip(names, row, strict=True))).encode() + b"\n")
                written += 1
        finally:
            sink.close()
    finally:
        conn.close()
    return written / (time.perf_counter() - started)


def _workers_peak_mib(master: int) -> float:
    """The highest peak RSS (VmHWM) among gunicorn's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def store_with(cases: int) -> ExportStore:
    """The kept store of `cases` cases with read models built, generating it when missing."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + projections_fingerprint().encode())
    for path in sorted((ROOT / "bco" / "domain").glob("*.py")):
        digest.update(path.read_bytes())
    directory = OUTPUT / "stores" / f"exports-{cases}-{digest.hexdigest()[:12]}"
    meta = directory / "store.json"
    if meta.exists():
        return ExportStore(directory, json.loads(meta.read_text())["key"], cases)
    for stale in directory.parent.glob(f"exports-{cases}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    building = directory.with_name(directory.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    started = time.perf_counter()
    key = _generate(building, cases)
    (building / "store.json").write_text(json.dumps({"key": key, "cases": cases}))
    building.rename(directory)
    print(f"  generated an export store of {cases:,} cases in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return ExportStore(directory, key, cases)


def _generate(directory: Path, cases: int) -> str:
    """Cases assigned and interviewed with two contacts each, saved in big batches; then the
    read models the export reads, rebuilt as `bco projections rebuild --only` does."""
    key = AESCipher.create_key(16)
    with opened(sqlite_settings(directory, key)) as app:
        guide = guide_ref(app)
        pending: list[StampedAggregate] = []
        for number in range(cases):
            now = START + timedelta(seconds=number * 20)
            tracer, team = stores.TRACERS[number % len(stores.TRACERS)]
            case = Case.register(
                case_id=uuid.uuid4(), person=IndexPerson(
                    name=f"Index {number}", phone=f"+3161{number % 10_000_000:07d}",
                    birth_date=date(1950, 1, 1) + timedelta(days=number % 20_000),
                    email=f"index{number}@example.org", postcode="3511 AB"),
                disease="covid-19", onset=now.date() - timedelta(days=2), test_date=None,
                source="lab", received_at=now, region="NL", now=now, actor="bench")
            case.assign(tracer, team, now=now, actor="lead")
            interview = new_interview(guide, case, now=now, tracer=tracer)
            for contact in range(2):
                interview.report_contact(
                    uuid.uuid4(), {"name": f"Contact {number}-{contact}", "relation": "friend",
                                   "household": contact == 0, "phone": "+31612345678"},
                    region="NL", now=now, actor=tracer)
            pending += [case, interview]
            if len(pending) >= SAVE_EVERY:
                app.save(*pending)
                pending.clear()
        if pending:
            app.save(*pending)
        # Only what the export reads: the other read models (completeness above all) would
        # take far longer to build here, and the API never waits for them.
        chosen = [Exports(app.catalog.guides), People()]
        ProjectionRunner(app, app.settings.views_path, chosen).rebuild(processes=1)
    return key
