"""`intake` and `intake_matching`: notification systems posting cases, and finding the same
person among everyone on record.

`intake` posts N cases to `POST /api/cases` through the Flask test client (an intake token,
marshmallow, the application, the encrypted store), against raw sqlite3 inserts of the same
JSON bodies, one row per transaction, WAL at the recorder's `synchronous` level: the ratio is
the price of the API and the application per case. `intake_matching` looks up the strict keys
of a new case (phone; birth date + name, as keyed hashes) in the `matches` read model of the
big store, against a plain indexed lookup of the phone number in `people_cases`.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need, views_for
from benchmarks.results import (
    Row,
    interleaved,
    latency_row,
    percentile,
    ratio_at_least,
    skipped,
    throughput_row,
    value_at_least,
    value_at_most,
)
from benchmarks.stores import START, store_of
from benchmarks.workspace import (
    opened,
    raw_sqlite,
    recorder_synchronous,
    sqlite_settings,
    stored_event_table_sql,
)

INTAKE_TARGET = ratio_at_least(0.3) & value_at_least(200, "cases/s")
MATCHING_TARGET = value_at_most(20, "ms")
FULL_CASES = 10_000  # cases posted over all rounds of a full run, as the issue asks


def bench_intake(profile: Profile, scratch: Path) -> list[Row]:
    try:
        need("bco.api.intake")
        rows = [intake_row(profile, scratch)]
    except Missing as missing:
        rows = [skipped("intake", "cases/s", INTAKE_TARGET, str(missing))]
    try:
        need("bco.projections.matches")
        rows.append(matching_row(profile, scratch))
    except Missing as missing:
        rows.append(skipped("intake_matching", "ms p95", MATCHING_TARGET, str(missing)))
    return rows


def _body(number: int) -> dict[str, str]:
    return {"notification_id": f"LAB-{number}", "name": f"Persoon {number} de Vries",
            "phone": f"06{10_000_000 + number}", "disease": "covid-19",
            "onset": "2026-11-20", "birth_date": f"19{50 + number % 50}-0{1 + number % 9}-1"
                                                 f"{number % 9}", "postcode": "1234 AB"}


def intake_row(profile: Profile, scratch: Path) -> Row:
    from bco.web import create_app

    per_round = (FULL_CASES if profile.name == "full" else profile.appends * 5) \
        // profile.rounds
    settings = sqlite_settings(scratch / "intake").with_overrides(
        run_projections_in_web=False, secret_key_file=scratch / "intake" / "session.key",
        api_rate_limit="1000000/minute")
    with opened(settings) as app:
        token, _ = app.issue_api_token("bench-lab", role="intake", actor="bench")
        flask_app = create_app(settings, app)
        client = flask_app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        raw = raw_sqlite(scratch / "intake-raw.db", recorder_synchronous(app),
                         stored_event_table_sql(app))
        counter = iter(range(10**9))

        def ours() -> float:
            bodies = [json.dumps(_body(next(counter))) for _ in range(per_round)]
            started = time.perf_counter()
            for body in bodies:
                answer = client.post("/api/cases", data=body, headers=headers)
                assert answer.status_code == 201, answer.get_data(as_text=True)
            return per_round / (time.perf_counter() - started)

        def baseline() -> float:
            bodies = [json.dumps(_body(next(counter))).encode() for _ in range(per_round)]
            started = time.perf_counter()
            for body in bodies:
                raw.execute("BEGIN")
                raw.execute("INSERT INTO stored_events VALUES (?,?,?,?)",
                            (uuid.uuid4().hex, 1, "bco.domain.case:Case.Registered", body))
                raw.execute("COMMIT")
            return per_round / (time.perf_counter() - started)

        try:
            ours()  # warm caches, connections and the token lookup; not counted
            app_rates, raw_rates = interleaved(profile.rounds, ours, baseline)
        finally:
            raw.close()
            flask_app.extensions["bco_runner"].stop()
    return throughput_row("intake", app_rates, raw_rates, "cases/s", INTAKE_TARGET,
                          note=f"{per_round * profile.rounds} cases by POST /api/cases (test "
                               "client) vs raw inserts of the same bodies; SQLite WAL, AES on")


def matching_row(profile: Profile, scratch: Path) -> Row:
    """The matching a new case costs: the `matches` read model's handler for its registration
    (hash the keys, look up who holds them, propose), as the follower runs it, against the
    read models of the big store; nothing is written. Baseline: a plain indexed lookup of
    the phone number in `people_cases`."""
    from bco.domain.case import Case, IndexPerson
    from bco.projections.matches import Matches
    from bco.projections.readmodel import Batch
    from bco.projections.runner import open_views
    from bco.projections.viewsdb import views_key

    store = store_of(profile.store_events)
    key = views_key(store.settings())
    views = views_for(store, scratch / f"views-{store.events}")
    model = Matches(store.key)
    rng = random.Random(18)
    with open_views(views, key) as db:
        people = db.execute("SELECT phone, name, birth_date FROM people_cases").fetchall()
    queries = max(profile.worklist_queries, 50)

    def new_person() -> tuple[str, str, str | None]:
        phone, name, birth = rng.choice(people)
        if rng.random() < 0.5:  # half of new cases match nobody
            phone, name = f"+3161{rng.randrange(10**7):07d}", f"Nieuw {rng.random()}"
        return phone, name, birth

    def registered(phone: str, name: str, birth: str | None) -> Any:
        now = START + timedelta(days=20)
        case = Case.register(
            case_id=uuid.uuid4(), person=IndexPerson(
                name=name, phone=phone,
                birth_date=date.fromisoformat(birth) if birth else None),
            disease="covid-19", onset=None, test_date=now.date(), source="lab",
            received_at=now, region="NL", now=now, actor="bench")
        return case.pending_events[0]

    def ours() -> float:
        samples = []
        with open_views(views, key) as db:
            for _ in range(queries):
                event = registered(*new_person())
                rows = Batch(db.conn, {})  # never flushed: the store is left as it was
                started = time.perf_counter()
                model._case(rows, event)
                samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 95)

    def baseline() -> float:
        samples = []
        with open_views(views, key) as db:
            for _ in range(queries):
                phone, _name, _birth = new_person()
                started = time.perf_counter()
                db.execute("SELECT case_id FROM people_cases WHERE phone = ?",
                           [phone]).fetchall()
                samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 95)

    mine, raw = interleaved(profile.rounds, ours, baseline)
    return latency_row("intake_matching", mine, raw, "ms p95", MATCHING_TARGET,
                       note=f"{len(people)} cases in a store of {store.events} events; the "
                            "matches read model's handler for a new case (keyed hashes of "
                            "phone and name + birth date, proposals) vs a plain phone lookup")
