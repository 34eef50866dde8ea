"""`scripts/bench`: run the benchmarks, print the table, write the JSON list of rows."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from benchmarks import http
from benchmarks.access_log import bench_access_log
from benchmarks.access_unusual import bench_access_unusual
from benchmarks.at_rest import bench_at_rest
from benchmarks.casefile import bench_casefile
from benchmarks.dashboard import bench_dashboard
from benchmarks.export_http import bench_exports
from benchmarks.growth import GROWING, growth_rows
from benchmarks.http import bench_http_answer
from benchmarks.intake import bench_intake
from benchmarks.join import bench_join
from benchmarks.loading import bench_load
from benchmarks.postgres_writes import bench_postgres_append
from benchmarks.profile import FULL, QUICK, Profile
from benchmarks.rebuild import Measured, bench_rebuild
from benchmarks.results import Row, format_table, write_json
from benchmarks.sqlite_writes import bench_append, bench_append_batch
from benchmarks.worklist import bench_worklist
from benchmarks.workspace import OUTPUT

Benchmark = Callable[[Profile, Path, dict[int, Measured]], list[Row]]

BENCHMARKS: dict[str, Benchmark] = {
    "append": lambda p, s, _r: bench_append(p, s),
    "append_batch": lambda p, s, _r: bench_append_batch(p, s),
    "load": lambda p, s, _r: bench_load(p, s),
    "postgres_append": lambda p, s, _r: bench_postgres_append(p, s),
    "rebuild": bench_rebuild,
    "join": bench_join,
    "worklist": lambda p, s, _r: bench_worklist(p, s),
    "at_rest": bench_at_rest,
    "http_answer": lambda p, s, _r: bench_http_answer(p, s),
    "casefile_pdf": lambda p, s, _r: bench_casefile(p, s),
    "exports": lambda p, s, _r: bench_exports(p, s),
    "dashboard": lambda p, s, _r: bench_dashboard(p, s),
    "intake": lambda p, s, _r: bench_intake(p, s),
    "access_log": lambda p, s, _r: bench_access_log(p, s),
    "access_unusual": lambda p, s, _r: bench_access_unusual(p, s),
}
GROWTH = "growth"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Measure BCO's hot paths as ratios to raw baselines from the same run.")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, under 2 minutes; no growth table unless --sizes")
    parser.add_argument("--json", type=Path, default=OUTPUT / "bench.json", metavar="FILE",
                        help="where to write the rows (default: bench-output/bench.json)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=[*BENCHMARKS, GROWTH],
                        help=f"run only these: {', '.join([*BENCHMARKS, GROWTH])}")
    parser.add_argument("--sizes", nargs="*", type=int, metavar="EVENTS",
                        help="add the growth table, at these store sizes (default: "
                             f"{' '.join(map(str, FULL.growth_sizes))}; with --quick "
                             f"{' '.join(map(str, QUICK.growth_sizes))})")
    parser.add_argument("--profile", action="store_true",
                        help="also profile each benchmark (pyinstrument; py-spy for the "
                             "gunicorn workers) into bench-output/profiles/")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    # Stopped with SIGTERM, still remove the scratch files and stop gunicorn on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    profile = QUICK if args.quick else FULL
    chosen = list(args.only or BENCHMARKS)
    with_growth = (args.sizes is not None or GROWTH in chosen
                   or (not args.quick and args.only is None))
    sizes = args.sizes or profile.growth_sizes
    print(machine_line(), file=sys.stderr)
    profiles = OUTPUT / "profiles" if args.profile else None
    if profiles is not None:
        profiles.mkdir(parents=True, exist_ok=True)
        http.PROFILE_DIR = profiles
    rows: list[Row] = []
    rebuilt: dict[int, Measured] = {}
    started = time.perf_counter()
    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=OUTPUT) as scratch_dir:
        scratch = Path(scratch_dir)
        for name, benchmark in BENCHMARKS.items():
            if name in chosen:
                rows += _timed(name, partial(benchmark, profile, scratch, rebuilt), profiles)
        if with_growth:
            growing = [n for n in GROWING if n in chosen] or list(GROWING)
            rows += _timed(f"growth at {', '.join(map(str, sizes))} events",
                           partial(growth_rows, profile, scratch, growing, sizes, rebuilt),
                           profiles)
    print(format_table(rows))
    write_json(rows, args.json)
    failed = [row.name for row in rows if row.note.startswith("FAILED")]
    print(f"\n{profile.name} run took {time.perf_counter() - started:.0f} s; "
          f"rows written to {args.json}", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)} (tracebacks above)", file=sys.stderr)
    return 1 if failed else 0


def _timed(label: str, run: Callable[[], list[Row]], profiles: Path | None = None
           ) -> list[Row]:
    print(f"-- {label} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        rows = _profiled(label, run, profiles)
    except Exception as error:  # one broken benchmark must not lose the others' results
        traceback.print_exc()
        rows = [Row(label.split()[0], None, "", note=f"FAILED: {type(error).__name__}: {error}")]
    print(f"   {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return rows


def _profiled(label: str, run: Callable[[], list[Row]], profiles: Path | None) -> list[Row]:
    if profiles is None:
        rows = run()
    else:
        from pyinstrument import Profiler  # only in the test extra, only when asked for

        with Profiler(interval=0.0005) as profiler:
            rows = run()
        report = profiles / f"{label.split()[0]}.txt"
        report.write_text(profiler.output_text(unicode=False, color=False, show_all=True))
        flat = report.with_name(f"{report.stem}-flat.txt")
        flat.write_text(profiler.output_text(unicode=False, color=False, flat=True))
        print(f"   profile: {report} (self time per function: {flat.name})", file=sys.stderr)
    return rows


def machine_line() -> str:
    """What the numbers were measured on; ratios travel between machines, times do not."""
    return (f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")
