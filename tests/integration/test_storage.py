"""Encryption at rest and the refusal to start without the right key."""

from __future__ import annotations

import fcntl
import stat
import threading
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.storage import (
    SQLITE_CREATION_LOCK,
    KeyNotCreatedError,
    StartupError,
    StatementCachingSQLiteFactory,
    create_key_file,
)


def test_name_and_phone_are_not_in_the_clear_in_the_sqlite_file(
        sqlite_settings: Settings, clock) -> None:
    sqlite_settings.data_dir.mkdir(parents=True)
    app = BCOApplication(sqlite_settings, clock=clock)
    app.register_case(person=IndexPerson(name="Wilhelmina Zonneveld", phone="06 28765432"),
                      disease="covid-19", onset=date(2026, 11, 22), actor="anna")
    app.close()
    raw = b"".join(p.read_bytes() for p in sqlite_settings.data_dir.glob("events.db*"))
    assert raw, "the store was written"
    for secret in (b"Wilhelmina", b"Zonneveld", b"28765432", b"+31628765432"):
        assert secret not in raw


def test_store_without_its_key_refuses_to_start(tmp_path: Path, clock) -> None:
    key_file = tmp_path / "keys" / "events.key"
    create_key_file(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    settings = Settings(data_dir=tmp_path / "data", key_file=key_file)
    settings.data_dir.mkdir()
    app = BCOApplication(settings, clock=clock)
    app.register_case(person=IndexPerson(name="X Y", phone="0612345678"), disease="covid-19",
                      onset=date(2026, 11, 22), actor="anna")
    app.close()
    key_file.unlink()
    with pytest.raises(StartupError, match="key is missing"):
        BCOApplication(settings, clock=clock)
    wrong = Settings(data_dir=settings.data_dir, cipher_key=AESCipher.create_key(16))
    with pytest.raises(StartupError, match="does not open"):
        BCOApplication(wrong, clock=clock)


def test_empty_store_without_key_asks_for_db_init(tmp_path: Path, clock) -> None:
    settings = Settings(data_dir=tmp_path, key_file=tmp_path / "none.key")
    with pytest.raises(KeyNotCreatedError, match="bco db init"):
        BCOApplication(settings, clock=clock)


def test_workers_starting_together_all_open_the_store(settings: Settings, clock) -> None:
    """Web workers and rebuild helpers create the store's tables at the same moment."""
    opened: list[BCOApplication] = []
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def open_store() -> None:
        start.wait()
        try:
            opened.append(BCOApplication(settings, clock=clock))
        except BaseException as exc:  # collected for the assertion below
            failures.append(exc)

    workers = [threading.Thread(target=open_store) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    try:
        assert failures == []
        assert len(opened) == 6
        opened[0].register_case(person=IndexPerson(name="X Y", phone="0612345678"),
                                disease="covid-19", onset=date(2026, 11, 22), actor="anna")
        assert all(app.store_position() == opened[0].store_position() for app in opened)
    finally:
        for app in opened:
            app.close()


def test_a_new_sqlite_store_is_created_by_one_opener_at_a_time(
        sqlite_settings: Settings, clock) -> None:
    """Switching a new events.db to WAL fails other openers at once instead of waiting their
    busy timeout, so openers queue on the creation lock; this one waits while it is held."""
    sqlite_settings.data_dir.mkdir(parents=True)
    opened: list[BCOApplication] = []
    with open(sqlite_settings.data_dir / SQLITE_CREATION_LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        opener = threading.Thread(
            target=lambda: opened.append(BCOApplication(sqlite_settings, clock=clock)))
        opener.start()
        opener.join(1.0)
        waited = opener.is_alive() and not sqlite_settings.events_path.exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    opener.join(30)
    try:
        assert waited, "the opener created the store while another held the creation lock"
        assert len(opened) == 1 and opened[0].store_position() == 0
    finally:
        for app in opened:
            app.close()


def test_unreachable_postgresql_is_a_clear_startup_error(tmp_path: Path, clock) -> None:
    settings = Settings(data_dir=tmp_path, database_url="postgresql://postgres@127.0.0.1:1/x",
                        cipher_key=AESCipher.create_key(16), key_file=tmp_path / "events.key")
    with pytest.raises(StartupError, match=r"Cannot reach PostgreSQL at 127\.0\.0\.1:1.*"
                                           r"BCO_DATABASE_URL"):
        BCOApplication(settings, clock=clock)


def test_the_sqlite_store_is_the_librarys_on_connections_that_keep_their_statements(
        sqlite_settings: Settings, clock) -> None:
    """Same file layout, WAL and rows by name as eventsourcing's own SQLite store; only the
    connections differ (a statement cache, not the library's cache of one)."""
    sqlite_settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = BCOApplication(sqlite_settings, clock=clock)
    try:
        assert isinstance(app.factory, StatementCachingSQLiteFactory)
        case_id = app.register_case(person=IndexPerson(name="Sanne", phone="06 12345678"),
                                    disease="covid-19", onset=date(2026, 11, 22),
                                    actor="intake").aggregate_id
        for number in range(3):
            app.correct_case_details(case_id, {"postcode": f"35{number}1 AB"}, actor="tracer")

        assert app.get_case(case_id).person.postcode == "3521 AB"
        with app.factory.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()["journal_mode"] == "wal"
    finally:
        app.close()
    reopened = BCOApplication(sqlite_settings, clock=clock)
    try:
        assert [e.originator_version for e in reopened.events.get(case_id)] == [1, 2, 3, 4]
    finally:
        reopened.close()
