"""`postgres_append`: several tracers recording answers at once on PostgreSQL.

Ours: 8 threads share one BCOApplication (as threads of one web worker would) and record one
answer per transaction. Baseline: 8 threads, each with its own psycopg connection, insert rows of
the same size into a table of the same layout, one row per transaction, returning the id.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from bco.application import BCOApplication
from benchmarks.profile import Profile
from benchmarks.results import Row, interleaved, ratio_at_least, throughput_row
from benchmarks.workspace import (
    POSTGRES_URL,
    new_case_and_interview,
    opened,
    postgres_schema,
    postgres_settings,
    text_questions,
)

ANSWERS_PER_INTERVIEW = 20


def bench_postgres_append(profile: Profile, scratch: Path) -> list[Row]:
    with postgres_schema() as schema, opened(postgres_settings(scratch / "pg", schema)) as app:
        topic, size = _answer_payload(app)
        _create_raw_table(schema)
        writers, per_writer = profile.pg_writers, profile.pg_answers
        questions = text_questions(app)

        def ours() -> float:
            plans = [_fresh_interviews(app, per_writer) for _ in range(writers)]

            def work(index: int) -> None:
                ids = plans[index]
                for number in range(per_writer):
                    question = questions[number // len(ids) % len(questions)]
                    app.record_answer(ids[number % len(ids)], question, f"Antwoord {number}",
                                      actor=f"tracer{index}")
            return writers * per_writer / _run_threads(writers, work)

        def baseline() -> float:
            connections = [psycopg.connect(POSTGRES_URL) for _ in range(writers)]
            statement = sql.SQL(
                "INSERT INTO {}.raw_events (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s) RETURNING notification_id").format(
                sql.Identifier(schema))
            plans = [[(uuid.uuid4(), version, topic, os.urandom(size))
                      for version in range(2, per_writer + 2)] for _ in range(writers)]

            def work(index: int) -> None:
                conn = connections[index]
                for row in plans[index]:
                    with conn.transaction():
                        conn.execute(statement, row, prepare=True).fetchall()
            try:
                return writers * per_writer / _run_threads(writers, work)
            finally:
                for conn in connections:
                    conn.close()

        ours()
        app_rates, raw_rates = interleaved(profile.rounds, ours, baseline)
    return [throughput_row(
        "postgres_append", app_rates, raw_rates, "answers/s", ratio_at_least(0.5),
        note=f"{writers} writer threads, one answer per transaction, AES on; "
             f"{size}-byte payloads")]


def _run_threads(count: int, work: Callable[[int], None]) -> float:
    """Start `count` threads at one barrier and return the seconds until the last finishes."""
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as error:  # reported below, so a failure cannot look fast
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def _fresh_interviews(app: BCOApplication, answers: int) -> list[uuid.UUID]:
    ids = []
    for _ in range(max(1, -(-answers // ANSWERS_PER_INTERVIEW))):
        case, interview = new_case_and_interview(app)
        app.save(case, interview)
        ids.append(interview.id)
    return ids


def _answer_payload(app: BCOApplication) -> tuple[str, int]:
    """Topic and stored size of one answer as the application records it."""
    interview_id = _fresh_interviews(app, 1)[0]
    app.record_answer(interview_id, text_questions(app)[0], "Antwoord 0", actor="bench")
    stored = app.recorder.select_events(interview_id, gt=1)[0]
    return stored.topic, len(stored.state)


def _create_raw_table(schema: str) -> None:
    """The columns, keys and index of the library's stored-events table, without its lock."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL(
            "CREATE TABLE {}.raw_events (originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, topic text, state bytea, "
            "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
        ).format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {}.raw_events (notification_id)").format(
            sql.Identifier(schema)))
