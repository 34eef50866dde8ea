"""scripts/bench keeps working: a quick run writes every row with the agreed keys.

Only the shape is checked; speed is measured by scripts/bench and never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = {"append", "append_batch", "load", "load_snapshots", "postgres_append", "rebuild", "join",
        "worklist", "rebuild_at_rest", "worklist_at_rest", "http_answer", "http_answer_p99",
        "casefile_pdf_1p", "casefile_pdf_10p",
        "casefile_pdf_peak", "export_ndjson", "export_csv", "export_fhir", "export_rss_growth",
        "dashboard", "dashboard_kpis", "intake", "intake_matching", "access_log_1",
        "access_log_20", "access_unusual"}
KEYS = {"name", "value", "unit", "baseline", "ratio", "target", "met"}
# Measured for the README; no issue names a target for them.
UNTARGETED = {"join", "access_unusual"}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_quick_run_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert {row["name"] for row in rows} == ROWS
    for row in rows:
        assert set(row) == KEYS, row
        assert row["met"] in (True, False, None)
        assert isinstance(row["unit"], str) and row["unit"]
        if row["value"] is None:  # skipped while its feature is missing: never judged
            assert row["met"] is None
        else:
            assert isinstance(row["value"], (int, float))
            if row["name"] in UNTARGETED:
                assert row["target"] is None and row["met"] is None
            else:
                assert isinstance(row["target"], str)
    assert "append" in done.stdout  # the table is printed too


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_growth_table_has_a_row_per_benchmark_and_size(tmp_path: Path) -> None:
    out = tmp_path / "growth.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "append", "load",
         "--sizes", "500", "1000", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    names = {row["name"] for row in json.loads(out.read_text())}
    assert names == {"append", "load", "load_snapshots", "append@500", "append@1k",
                     "load@500", "load@1k"}
