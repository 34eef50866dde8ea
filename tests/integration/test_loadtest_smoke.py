"""scripts/loadtest keeps working: a few seconds at a low rate with two nodes on one PostgreSQL
schema write the agreed JSON keys, and the audit finds nothing lost and nothing doubled.

Only the shape and the audit are checked; speed is never asserted here. Locust runs in a
process of its own (it patches sockets and threads when imported).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bco.config import Settings

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"rate_held", "p99_ms", "lost", "duplicated", "errors", "requests", "follower_lag",
        "p50_ms", "p95_ms", "audit"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_nodes_for_a_few_seconds_lose_and_double_nothing(
        tmp_path: Path, postgres_settings: Settings) -> None:
    out = tmp_path / "loadtest.json"
    done = subprocess.run(
        [str(ROOT / "scripts" / "loadtest"), "--seconds", "6", "--rate", "4", "--nodes", "2",
         "--port", "5680", "--database-url", postgres_settings.database_url, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert set(result) >= KEYS
    assert result["lost"] == 0 and result["duplicated"] == 0
    assert result["errors"] == 0
    assert result["answers_acknowledged"] > 0
    assert set(result["follower_lag"]) == {"node-0", "node-1"}
    assert {"answer", "next case", "call", "start interview"} <= set(result["requests"])
    for row in result["requests"].values():
        assert {"count", "p50_ms", "p95_ms", "p99_ms"} <= set(row)
    for node in result["audit"]["read_models"].values():
        assert node == {"lost": 0, "duplicated": 0}
    assert "answer saves/s" in done.stdout
