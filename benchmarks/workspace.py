"""Settings, applications and interviews for benchmarks, built the way users run BCO.

Aggregates are made with the domain's own methods and saved with `app.save`, so setting up a
benchmark never depends on guides or commands that other work may still be changing. Only the
answers recorded through `BCOApplication.record_answer` need the guide: it checks them.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.cryptography import AESCipher
from eventsourcing.sqlite import SQLiteApplicationRecorder

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import Case, IndexPerson
from bco.domain.interview import Interview
from bco.guides.errors import GuideError
from bco.guides.loader import load_guides

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

PERSON = IndexPerson(name="Sanne de Vries", phone="+31612345678", birth_date=date(1984, 3, 9),
                     email="sanne.devries@example.org", postcode="3511 AB", language="nl")

# Answers of the kinds a guide asks (choice, date, free text, several, number), so stored events
# have the sizes real interviews have.
ANSWER_VALUES: tuple[Any, ...] = (
    "yes",
    "2026-11-20",
    "Works as a teacher at a primary school; symptoms began after a staff meeting on Monday.",
    ["fever", "cough", "loss of smell"],
    38.5,
)


@dataclass(frozen=True)
class GuideRef:
    """What an Interview.Started event names; taken from a real guide when one is installed."""

    id: str
    version: str
    content_hash: str
    questions: tuple[str, ...] = ()  # the guide's question ids, in the order they are asked


def guides_dir(scratch: Path) -> Path:
    """The shipped guides when they load, else an empty folder: storage benchmarks need none."""
    if _shipped_guides_load():
        return ROOT / "interview_guides"
    empty = scratch / "no-guides"
    empty.mkdir(parents=True, exist_ok=True)
    return empty


@cache
def _shipped_guides_load() -> bool:
    try:
        load_guides(ROOT / "interview_guides")
    except (OSError, GuideError):
        return False
    return True


def sqlite_settings(data_dir: Path, key: str | None = None) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(data_dir=data_dir, cipher_key=key or AESCipher.create_key(16),
                    key_file=data_dir / "events.key", guides_dir=guides_dir(data_dir),
                    pseudonym_key_file=data_dir / "pseudonym.key")


def postgres_settings(data_dir: Path, schema: str) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(data_dir=data_dir, database_url=POSTGRES_URL, database_schema=schema,
                    cipher_key=AESCipher.create_key(16), key_file=data_dir / "events.key",
                    guides_dir=guides_dir(data_dir))


@contextmanager
def opened(settings: Settings) -> Iterator[BCOApplication]:
    app = BCOApplication(settings)
    try:
        yield app
    finally:
        app.close()


@contextmanager
def postgres_schema(prefix: str = "bco_bench") -> Iterator[str]:
    """A schema of our own for one benchmark, dropped afterwards whatever happens."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def guide_ref(app: BCOApplication) -> GuideRef:
    guide = app.catalog.guides.get("covid-19") or next(iter(app.catalog.guides.values()), None)
    if guide is None:
        return GuideRef("covid-19", "1", "0" * 64)
    return GuideRef(guide.id, str(guide.version), guide.content_hash, tuple(guide.questions))


def text_questions(app: BCOApplication) -> tuple[str, ...]:
    """The guide's free-text questions, for commands that record answers: the application
    accepts any text there, and each new text is a change, so every command is an event."""
    guide = app.catalog.guides.get("covid-19")
    questions = tuple(q.id for q in guide.questions.values() if q.type == "text") if guide else ()
    if not questions:
        raise RuntimeError("recording answers needs the covid-19 guide with a free-text question")
    return questions


def new_case(now: datetime) -> Case:
    """A registered case, not saved yet."""
    return Case.register(
        case_id=uuid.uuid4(), person=PERSON, disease="covid-19",
        onset=now.date() - timedelta(days=2), test_date=None, source="lab", received_at=now,
        region="NL", now=now, actor="bench")


def new_interview(guide: GuideRef, case: Case, *, now: datetime, tracer: str) -> Interview:
    """The case's interview, started and linked to the case, not saved yet."""
    interview = Interview.start(
        interview_id=uuid.uuid4(), case_id=case.id, guide_id=guide.id,
        guide_version=guide.version, guide_hash=guide.content_hash, now=now, actor=tracer)
    case.interview_started(interview.id, now=now, actor=tracer)
    return interview


def new_case_and_interview(app: BCOApplication, *, tracer: str = "bench",
                           now: datetime | None = None) -> tuple[Case, Interview]:
    """A registered case with its interview started, not saved yet."""
    now = now or datetime.now(tz=UTC)
    case = new_case(now)
    return case, new_interview(guide_ref(app), case, now=now, tracer=tracer)


QUESTIONS = 40  # about as many as a guide asks; long interviews revise earlier answers


def answer(interview: Interview, number: int, *, now: datetime | None = None) -> None:
    """Record answer `number` in memory; each call is an event (a new answer or a changed one)."""
    value = ANSWER_VALUES[(number // QUESTIONS) % len(ANSWER_VALUES)]
    interview.record_answer(f"q{number % QUESTIONS:02d}", value,
                            now=now or datetime.now(tz=UTC), actor="bench")


def saved_interview(app: BCOApplication, events: int, *, chunk: int = 10) -> Interview:
    """An interview of `events` events, saved a few at a time so snapshots are taken as in use."""
    case, interview = new_case_and_interview(app)
    app.save(case, interview)
    for number in range(1, events):
        answer(interview, number)
        if number % chunk == 0:
            app.save(interview)
    app.save(interview)
    return interview


def recorder_synchronous(app: BCOApplication) -> int:
    """The `PRAGMA synchronous` level the eventsourcing SQLite recorder's connections use."""
    with sqlite_recorder(app).datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        return int(cursor.fetchone()[0])


def stored_event_table_sql(app: BCOApplication) -> list[str]:
    """The recorder's own CREATE TABLE statements, so raw baselines write the same layout."""
    return list(sqlite_recorder(app).create_table_statements)


def sqlite_recorder(app: BCOApplication) -> SQLiteApplicationRecorder:
    recorder = app.recorder
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise TypeError("this benchmark needs the SQLite event store")
    return recorder


def raw_sqlite(path: Path, synchronous: int, table_sql: list[str]) -> sqlite3.Connection:
    """A plain sqlite3 connection with the recorder's durability: WAL, same synchronous level."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    for statement in table_sql:
        conn.execute(statement)
    return conn


def stored_sizes(app: BCOApplication, originator_id: uuid.UUID) -> list[tuple[str, int]]:
    """(topic, state length) of an aggregate's stored events, to size raw payloads alike."""
    rows = app.recorder.select_events(originator_id)
    return [(row.topic, len(row.state)) for row in rows]
