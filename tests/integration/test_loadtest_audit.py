"""The load test's audit can fail: a node whose case file misses or doubles an event that the
store holds is counted, so the smoke test's 0 lost / 0 duplicated means something."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from eventsourcing.cryptography import AESCipher

from bco.config import Settings
from bco.projections.viewsdb import connect_file, views_key
from benchmarks.loadtest import views_against_store


def node_with(tmp_path: Path, rows: list[tuple[Any, ...]]) -> Settings:
    node = Settings(data_dir=tmp_path, cipher_key=AESCipher.create_key(16))
    tmp_path.mkdir(parents=True, exist_ok=True)
    conn = connect_file(node.views_path, views_key(node))  # as a node writes it
    conn.execute("CREATE TABLE casefile (case_id TEXT PRIMARY KEY, tracer TEXT, "
                 "call_attempts INT, log_entries INT, contacts_reported INT, "
                 "interview_status TEXT)")
    conn.executemany("INSERT INTO casefile VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return node


def store_holding() -> dict[str, Any]:
    return {"tracer": {"c1": "anna", "c2": "bert"}, "calls": Counter({"c1": 1, "c2": 1}),
            "events_of_case": Counter({"c1": 9, "c2": 5}),
            "contacts_of_case": Counter({"c1": 2}), "interview_of": {"c1": "i1", "c2": None},
            "completed": Counter({"i1": 1})}


def test_a_node_that_holds_what_the_store_holds_passes(tmp_path: Path) -> None:
    node = node_with(tmp_path, [("c1", "anna", 1, 9, 2, "completed"),
                                ("c2", "bert", 1, 5, 0, None)])
    assert views_against_store(node, store_holding()) == {"lost": 0, "duplicated": 0}


def test_missing_and_doubled_events_are_counted(tmp_path: Path) -> None:
    node = node_with(tmp_path, [("c1", "anna", 1, 8, 3, "in_progress")])
    # c1: one event fewer, one contact more, not completed; c2 missing altogether.
    assert views_against_store(node, store_holding()) == {"lost": 3, "duplicated": 1}
