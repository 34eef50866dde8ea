"""`bco backup` while writers go on, and `bco restore` into a fresh data directory: every
case's history, every read model and the practice sandbox's records come back the same."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
from bco.training.sandbox import TrainingApplication


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


def one_case(settings: Settings, clock: Any, name: str, phone: str) -> int:
    """A store with one case worked through; how many events it holds."""
    app = BCOApplication(settings, clock=clock)
    try:
        run_case(app, clock, name=name, phone=phone)
        return app.store_position()
    finally:
        app.close()


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


@contextmanager
def answers_being_written(app: BCOApplication, interview_id: UUID) -> Iterator[None]:
    """A tracer saving answer after answer for as long as the block runs."""
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
        yield
    finally:
        stop.set()
        writer.join()


def test_a_backup_taken_while_writing_is_one_consistent_moment(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    app = BCOApplication(sqlite_settings, clock=clock)
    case_id, interview_id = run_case(app, clock, name="Druk Bezig", phone="0611112222",
                                     close=False)
    app.reopen_interview(interview_id, "more to ask", actor="anna")
    with answers_being_written(app, interview_id):
        result = cli(sqlite_settings, "backup", str(tmp_path / "backup"))
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
    one_case(sqlite_settings, clock, "Een Geval", "0611113333")
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
    assert f"bco_events {manifest['rows']['bco_events']}" in told.output
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


def test_a_postgres_backup_counts_the_rows_its_dump_holds_while_writing(
        postgres_settings: Settings, clock: Any, tmp_path: Path) -> None:
    """The manifest's row counts are those of the dump's own snapshot, not of a moment later."""
    app = BCOApplication(postgres_settings, clock=clock)
    _, interview_id = run_case(app, clock, name="Druk Bezig", phone="0611112222", close=False)
    app.reopen_interview(interview_id, "more to ask", actor="anna")
    try:
        with answers_being_written(app, interview_id):
            result = cli(postgres_settings, "backup", str(tmp_path / "backup"))
        written = app.store_position()
    finally:
        app.close()
    assert result.exit_code == 0, result.output
    counted = json.loads((tmp_path / "backup" / "manifest.json").read_text())["rows"]
    url, schema = postgres_settings.database_url, postgres_settings.database_schema
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}",
                    str(tmp_path / "backup" / "events.pgdump")], check=True)
    with psycopg.connect(url, autocommit=True) as conn:
        restored = {table: conn.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
                    .fetchone()[0] for table in counted}
    assert restored == counted
    assert counted["bco_events"] < written, "the writer went on after the dump's snapshot"


def practised(settings: Settings, clock: Any) -> tuple[UUID, dict[str, Any]]:
    """Two trainees' practice in the sandbox: one finished with its result, one in progress."""
    sandbox = TrainingApplication(settings, clock=clock)
    try:
        done = sandbox.start_practice("covid-19-birthday-en", trainee="tracer",
                                      team="north").aggregate_id
        sandbox.finish_practice(done, actor="tracer")
        sandbox.start_practice("covid-19-birthday-en", trainee="newbie", team="north")
        return done, practice_records(sandbox, done)
    finally:
        sandbox.close()


def practice_records(sandbox: TrainingApplication, practice_id: UUID) -> dict[str, Any]:
    records = {trainee: sandbox.record_of(trainee) for trainee in ("tracer", "newbie")}
    assert all(record is not None for record in records.values())
    return {"result": sandbox.get_practice(practice_id).result,
            **{trainee: (record.entries, dict(record.in_progress))
               for trainee, record in records.items() if record is not None},
            "position": sandbox.store_position()}


def test_the_practice_store_is_backed_up_and_restored(sqlite_settings: Settings, clock: Any,
                                                      tmp_path: Path) -> None:
    real_events = one_case(sqlite_settings, clock, "Echte Index", "0611114444")
    practice_id, before = practised(sqlite_settings, clock)
    assert before["result"] is not None and before["newbie"][1]

    target = tmp_path / "backup"
    result = cli(sqlite_settings, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "Backed up the practice store's" in result.output
    assert {p.name: mode(p) for p in target.iterdir()} == {
        "events.db": 0o600, "training.db": 0o600, "manifest.json": 0o600}
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == "bco-backup-2"
    assert manifest["events"] == manifest["rows"]["stored_events"] == real_events
    practice = manifest["practice"]
    assert practice["file"] == "training.db"
    assert practice["events"] == practice["rows"]["stored_events"] == before["position"]
    assert practice["rows"]["bcotraining_case_keys"] > 0
    assert practice["sha256"] == hashlib.sha256((target / "training.db").read_bytes()).hexdigest()
    assert practice["bytes"] == (target / "training.db").stat().st_size

    restored = replace(sqlite_settings, data_dir=tmp_path / "restored")
    result = cli(restored, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert "Restored the practice store's" in result.output
    assert mode(restored.training_events_path) == 0o600
    sandbox = TrainingApplication(restored, clock=clock)
    try:
        assert practice_records(sandbox, practice_id) == before
    finally:
        sandbox.close()


def test_a_backup_of_an_install_that_never_practised_says_so(sqlite_settings: Settings,
                                                             clock: Any,
                                                             tmp_path: Path) -> None:
    one_case(sqlite_settings, clock, "Geen Oefening", "0611115555")
    target = tmp_path / "backup"
    result = cli(sqlite_settings, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert "No practice store" in result.output
    assert {p.name for p in target.iterdir()} == {"events.db", "manifest.json"}
    practice = json.loads((target / "manifest.json").read_text())["practice"]
    assert practice["file"] is None and "never been opened" in practice["note"]

    restored = replace(sqlite_settings, data_dir=tmp_path / "restored")
    result = cli(restored, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert "No practice store" in result.output
    assert restored.events_path.exists() and not restored.training_events_path.exists()


def test_restore_refuses_a_backup_whose_practice_store_is_missing_or_damaged(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    one_case(sqlite_settings, clock, "Een Geval", "0611116666")
    practised(sqlite_settings, clock)
    target = tmp_path / "backup"
    assert cli(sqlite_settings, "backup", str(target)).exit_code == 0
    fresh = replace(sqlite_settings, data_dir=tmp_path / "new")

    kept = (target / "training.db").read_bytes()
    (target / "training.db").unlink()
    missing = cli(fresh, "restore", str(target))
    assert missing.exit_code == 1
    assert "training.db is missing" in missing.output and "practice store" in missing.output
    assert "Copy the whole backup directory again" in missing.output
    assert not fresh.data_dir.exists()

    damaged = bytearray(kept)
    damaged[200] ^= 0xFF
    (target / "training.db").write_bytes(bytes(damaged))
    refused = cli(fresh, "restore", str(target))
    assert refused.exit_code == 1
    assert "training.db does not match its checksum" in refused.output
    assert "practice store" in refused.output and "restore another backup" in refused.output
    assert not fresh.data_dir.exists()

    (target / "training.db").write_bytes(kept)  # whole again: it restores
    assert cli(fresh, "restore", str(target)).exit_code == 0
    assert fresh.training_events_path.exists()


def test_a_backup_made_before_practice_was_copied_still_restores(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    one_case(sqlite_settings, clock, "Oude Backup", "0611117777")
    target = tmp_path / "backup"
    assert cli(sqlite_settings, "backup", str(target)).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    del manifest["practice"]
    (target / "manifest.json").write_text(json.dumps({**manifest, "format": "bco-backup-1"}))
    restored = replace(sqlite_settings, data_dir=tmp_path / "restored")
    result = cli(restored, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert "made before 'bco backup' copied it" in result.output
    assert not restored.training_events_path.exists()


def test_postgres_backs_up_the_practice_tables_and_counts_them_apart(
        postgres_settings: Settings, clock: Any, tmp_path: Path) -> None:
    real_events = one_case(postgres_settings, clock, "Echte Index", "0611118888")
    never = tmp_path / "before-practice"
    result = cli(postgres_settings, "backup", str(never))
    assert result.exit_code == 0, result.output
    practice = json.loads((never / "manifest.json").read_text())["practice"]
    assert practice["file"] is None and "never been opened" in practice["note"]

    practice_id, before = practised(postgres_settings, clock)
    target = tmp_path / "backup"
    result = cli(postgres_settings, "backup", str(target))
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["events"] == manifest["rows"]["bco_events"] == real_events
    assert not [table for table in manifest["rows"] if table.startswith("bcotraining_")]
    practice = manifest["practice"]
    assert practice["file"] == "events.pgdump" and practice["sha256"] == manifest["sha256"]
    assert practice["events"] == practice["rows"]["bcotraining_events"] == before["position"]
    assert practice["rows"]["bcotraining_case_keys"] > 0

    url = postgres_settings.database_url
    with psycopg.connect(url, autocommit=True) as conn:  # the store is lost
        conn.execute(f'DROP SCHEMA "{postgres_settings.database_schema}" CASCADE')
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}",
                    str(target / "events.pgdump")], check=True)
    sandbox = TrainingApplication(postgres_settings, clock=clock)
    try:
        assert practice_records(sandbox, practice_id) == before
    finally:
        sandbox.close()
