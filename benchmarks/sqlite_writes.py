"""`append` and `append_batch`: writing through BCOApplication against raw sqlite3 inserts.

Both sides write the same table layout (the recorder's own CREATE TABLE), payloads of the sizes
the application really stored, in WAL mode at the recorder's `synchronous` level, so the ratio
is the price of the application, the mapper, the cipher and the library. For `append` the raw
side reads the stream's last version before it inserts, in the same transaction, as any command
must.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from pathlib import Path

from bco.application import BCOApplication
from bco.domain.interview import Interview
from benchmarks.profile import Profile
from benchmarks.results import Row, interleaved, ratio_at_least, throughput_row
from benchmarks.workspace import (
    answer,
    new_case_and_interview,
    opened,
    raw_sqlite,
    recorder_synchronous,
    sqlite_settings,
    stored_event_table_sql,
    stored_sizes,
    text_questions,
)

ANSWERS_PER_INTERVIEW = 20  # a typical interview; keeps every load below the snapshot interval
LAST_VERSION_SQL = ("SELECT MAX(originator_version) FROM stored_events "
                    "WHERE originator_id = ?")


def bench_append(profile: Profile, scratch: Path) -> list[Row]:
    """One answer per transaction, as a tracer records them during a call."""
    with opened(sqlite_settings(scratch / "append")) as app:
        synchronous = recorder_synchronous(app)
        app_rates, raw_rates, size = append_rates(app, profile, scratch / "append-raw.db")
    return [throughput_row(
        "append", app_rates, raw_rates, "answers/s", ratio_at_least(0.5),
        note=f"SQLite WAL, synchronous={synchronous} on both sides; AES on; "
             f"{size}-byte payloads")]


def append_rates(app: BCOApplication, profile: Profile, raw_path: Path
                 ) -> tuple[list[float], list[float], int]:
    """Answers/s through `app` and raw inserts/s into `raw_path`, round by round; payload size."""
    topic, size = _answer_payload(app)
    raw = raw_sqlite(raw_path, recorder_synchronous(app), stored_event_table_sql(app))

    questions = text_questions(app)

    def ours() -> float:
        ids = _fresh_interviews(app, profile.appends)
        started = time.perf_counter()
        for number in range(profile.appends):
            # each interview's answers go through the guide's questions, each text a new one
            question = questions[number // len(ids) % len(questions)]
            app.record_answer(ids[number % len(ids)], question, f"Antwoord {number}",
                              actor="bench")
        return profile.appends / (time.perf_counter() - started)

    def baseline() -> float:
        # A command must know the stream's version before it writes, so the fair raw side
        # reads it too, in the same transaction as the insert.
        ids = [uuid.uuid4().hex for _ in range(_interviews_for(profile.appends))]
        payloads = [os.urandom(size) for _ in range(profile.appends)]
        started = time.perf_counter()
        for number, payload in enumerate(payloads):
            originator = ids[number % len(ids)]
            raw.execute("BEGIN")
            (last,) = raw.execute(LAST_VERSION_SQL, (originator,)).fetchone()
            raw.execute("INSERT INTO stored_events VALUES (?,?,?,?)",
                        (originator, (last or 1) + 1, topic, payload))
            raw.execute("COMMIT")
        return profile.appends / (time.perf_counter() - started)

    try:
        ours()  # warm caches and connections; not counted
        app_rates, raw_rates = interleaved(profile.rounds, ours, baseline)
    finally:
        raw.close()
    return app_rates, raw_rates, size


def bench_append_batch(profile: Profile, scratch: Path) -> list[Row]:
    """A 10-event interview saved in one transaction, as a bulk import would."""
    with opened(sqlite_settings(scratch / "batch")) as app:
        synchronous = recorder_synchronous(app)
        sample = _ten_event_interview(app)
        app.save(sample)
        payload = stored_sizes(app, sample.id)
        raw = raw_sqlite(scratch / "batch-raw.db", synchronous, stored_event_table_sql(app))

        def ours() -> float:
            interviews = [_ten_event_interview(app) for _ in range(profile.batches)]
            started = time.perf_counter()
            for interview in interviews:
                app.save(interview)
            return profile.batches / (time.perf_counter() - started)

        def baseline() -> float:
            batches = []
            for _ in range(profile.batches):
                originator = uuid.uuid4().hex
                batches.append([(originator, version, topic, os.urandom(size))
                                for version, (topic, size) in enumerate(payload, start=1)])
            started = time.perf_counter()
            for rows in batches:
                raw.execute("BEGIN")
                raw.executemany("INSERT INTO stored_events VALUES (?,?,?,?)", rows)
                raw.execute("COMMIT")
            return profile.batches / (time.perf_counter() - started)

        ours()
        app_rates, raw_rates = interleaved(profile.rounds, ours, baseline)
        raw.close()
    return [throughput_row(
        "append_batch", app_rates, raw_rates, "saves/s", ratio_at_least(0.35),
        note=f"10 events per transaction; synchronous={synchronous} on both sides")]


def _interviews_for(answers: int) -> int:
    return max(1, -(-answers // ANSWERS_PER_INTERVIEW))


def _fresh_interviews(app: BCOApplication, answers: int) -> list[uuid.UUID]:
    """Started interviews to spread a round's answers over, saved before the clock starts."""
    ids = []
    for _ in range(_interviews_for(answers)):
        case, interview = new_case_and_interview(app)
        app.save(case, interview)
        ids.append(interview.id)
    return ids


def _answer_payload(app: BCOApplication) -> tuple[str, int]:
    """Topic and median stored size of an answer as the application records one."""
    ids = _fresh_interviews(app, 5)
    questions = text_questions(app)
    for number in range(5):
        app.record_answer(ids[0], questions[number % len(questions)], f"Antwoord {number}",
                          actor="bench")
    rows = [row for row in app.recorder.select_events(ids[0]) if row.originator_version > 1]
    return rows[0].topic, int(statistics.median(len(row.state) for row in rows))


def _ten_event_interview(app: BCOApplication) -> Interview:
    _case, interview = new_case_and_interview(app)
    for number in range(1, 10):
        answer(interview, number)
    return interview
