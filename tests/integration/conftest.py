"""Fixtures shared by every test: a fake clock, settings, and the application on both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher

from bco.application import BCOApplication
from bco.config import Settings

POSTGRES_URL = os.environ.get(
    "BCO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class FakeClock:
    """A clock the test moves by hand, so times in events are known."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", cipher_key=AESCipher.create_key(16),
                    key_file=tmp_path / "keys" / "events.key",
                    pseudonym_key_file=tmp_path / "keys" / "pseudonym.key")


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards."""
    schema = f"bco_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_settings(tmp_path: Path, postgres_schema: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=POSTGRES_URL,
                    database_schema=postgres_schema, cipher_key=AESCipher.create_key(16),
                    key_file=tmp_path / "keys" / "events.key",
                    pseudonym_key_file=tmp_path / "keys" / "pseudonym.key")


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest) -> Settings:
    """Settings for one backend; every test that uses it runs on SQLite and on PostgreSQL."""
    chosen: Settings = request.getfixturevalue(f"{request.param}_settings")
    chosen.data_dir.mkdir(parents=True, exist_ok=True)
    return chosen


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[BCOApplication]:
    application = BCOApplication(settings, clock=clock)
    yield application
    application.close()
