"""`bco backup` while writers go on, and `bco restore` into a fresh data directory: every
case's history and every read model come back the same."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from click.testing import CliRunner
from projection_scenarios import views_contents
from test_retention import run_case

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.projections import runner_for


def cli(settings: Settings, *args: str) -> Any:
    return CliRunner().invoke(main, list(args), env=settings.to_env())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def filled(app: BCOApplication, clock: Any) -> list[UUID]:
    """Cases in several states, one erased after retention (its keys destroyed)."""
    cases = [run_case(app, clock, name=f"Backup Persoon {n}", phone=f"061111000{n}",
                      contact_phone=f"062222000{n}", close=n != 2)[0] for n in range(3)]
    clock.advance(days=200)
    due = app.retention_due(cases[0], as_of=clock.now, case_days=180, contact_days=20)
    assert due is not None
    app.erase(due, actor="retention")
    runner_for(app).catch_up()
    return cases


def histories(app: BCOApplication, cases: list[UUID]) -> dict[UUID, Any]:
    return {case_id: app.case_history(case_id) for case_id in cases}


def test_a_backup_restores_every_history_and_read_model(sqlite_settings: Settings,
                                                        clock: Any, tmp_path: Path) -> None:
    app = BCOApplication(sqlite_settings, clock=clock)
    try:
        cases = filled(app, clock)
    finally:
        app.close()
    for case_id in cases:  # reads, for the access log
        assert cli(sqlite_settings, "case", "show", str(case_id)).exit_code == 0
    app = BCOApplication(sqlite_settings, clock=clock)
    try:
        before = histories(app, cases)
        views = views_contents(sqlite_settings.views_path, sqlite_settings)
        keys = list(app.case_keys.rows())
        reads = app.access_log.entries()
        assert len(reads) == len(cases)
    finally:
        app.close()
    target = tmp_path / "backup"
    result = cli(sqlite_settings, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "events key is not in the backup" in result.output
    assert mode(target) == 0o700
    assert {p.name: mode(p) for p in target.iterdir()} == {"events.db": 0o600,
                                                          "manifest.json": 0o600}
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["events"] == manifest["rows"]["stored_events"] > 0
    assert manifest["rows"]["bco_case_keys"] == len(keys)

    restored = replace(sqlite_settings, data_dir=tmp_path / "restored")
    result = cli(restored, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert mode(restored.data_dir) == 0o700 and mode(restored.events_path) == 0o600
    again = BCOApplication(restored, clock=clock)
    try:
        assert histories(again, cases) == before
        assert list(again.case_keys.rows()) == keys
        assert again.access_log.entries() == reads
        assert views_contents(restored.views_path, restored) == views
    finally:
        again.close()


def test_a_backup_taken_while_writing_is_one_consistent_moment(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    app = BCOApplication(sqlite_settings, clock=clock)
    case_id, interview_id = run_case(app, clock, name="Druk Bezig", phone="0611112222",
                                     close=False)
    app.reopen_interview(interview_id, "more to ask", actor="anna")
    stop = threading.Event()

    def keep_writing() -> None:
        count = 0
        while not stop.is_set():
            count += 1
            app.record_answer(interview_id, "known_case_details", f"answer {count}",
                              actor="anna")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = cli(sqlite_settings, "backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    copied = sqlite3.connect(str(tmp_path / "backup" / "events.db"))
    original = sqlite3.connect(str(sqlite_settings.events_path))
    try:
        rows = copied.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()
        assert rows == original.execute(
            "SELECT * FROM stored_events ORDER BY rowid LIMIT ?", [len(rows)]).fetchall()
    finally:
        copied.close()
        original.close()
    restored = replace(sqlite_settings, data_dir=tmp_path / "restored")
    assert cli(restored, "restore", str(tmp_path / "backup")).exit_code == 0
    again = BCOApplication(restored, clock=clock)
    try:
        assert again.get_case(case_id).person.name == "Druk Bezig"
        assert again.get_interview(interview_id).answers["known_case_details"]
        assert again.store_position() == len(rows)
    finally:
        again.close()
        app.close()


def test_restore_refuses_a_data_directory_in_use_and_a_damaged_backup(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    app = BCOApplication(sqlite_settings, clock=clock)
    run_case(app, clock, name="Een Geval", phone="0611113333")
    app.close()
    target = tmp_path / "backup"
    assert cli(sqlite_settings, "backup", str(target)).exit_code == 0
    refused = cli(sqlite_settings, "restore", str(target))
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "BCO_DATA_DIR" in refused.output
    again = cli(sqlite_settings, "backup", str(target))
    assert again.exit_code == 1 and "is not empty" in again.output
    with (target / "events.db").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff")
    damaged = cli(replace(sqlite_settings, data_dir=tmp_path / "new"), "restore", str(target))
    assert damaged.exit_code == 1 and "checksum" in damaged.output
    assert not (tmp_path / "new" / "events.db").exists()


def test_postgres_is_backed_up_with_pg_dump_and_restored_as_it_says(
        postgres_settings: Settings, clock: Any, tmp_path: Path) -> None:
    app = BCOApplication(postgres_settings, clock=clock)
    try:
        cases = filled(app, clock)
        before = histories(app, cases)
        keys = list(app.case_keys.rows())
        views = views_contents(postgres_settings.views_path, postgres_settings)
    finally:
        app.close()
    target = tmp_path / "backup"
    result = cli(postgres_settings, "backup", str(target))
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["backend"] == "postgresql" and manifest["rows"]["bco_events"] > 0
    assert mode(target / "events.pgdump") == 0o600

    fresh = replace(postgres_settings, data_dir=tmp_path / "restored")
    told = cli(fresh, "restore", str(target))
    assert told.exit_code == 1 and "pg_restore" in told.output
    url = postgres_settings.database_url
    with psycopg.connect(url, autocommit=True) as conn:  # the store is lost
        conn.execute(f'DROP SCHEMA "{postgres_settings.database_schema}" CASCADE')
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}",
                    str(target / "events.pgdump")], check=True)
    rebuilt = cli(fresh, "projections", "rebuild")  # what the README says to run next
    assert rebuilt.exit_code == 0, rebuilt.output
    again = BCOApplication(fresh, clock=clock)
    try:
        assert histories(again, cases) == before
        assert list(again.case_keys.rows()) == keys
        assert views_contents(fresh.views_path, fresh) == views
    finally:
        again.close()
