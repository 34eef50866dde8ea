"""`dashboard` and `dashboard_kpis`: a team lead opening the dashboard for a month, and the
KPIs of `/api/kpis` for a month, on read models built from the big store.

The page is rendered by the real view in a request context with a lead signed in (every
query, the charts and the templates; no HTTP or session cookie). The baseline is the worklist
query of one tracer measured in the same run (`bco.projections.worklist.for_tracer`, its own
connection per query), so the ratio says how many worklist opens one dashboard costs.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask_login import login_user

from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need, views_for
from benchmarks.results import Row, interleaved, latency_row, percentile, skipped, value_at_most
from benchmarks.stores import START, TRACERS, Store, store_of

TARGET = value_at_most(100, "ms")
MONTH = "from=2026-10-01&to=2026-10-31"


def bench_dashboard(profile: Profile, scratch: Path) -> list[Row]:
    try:
        need("bco.web.dashboard")
        store = store_of(profile.store_events)
        return dashboard_rows(store, scratch, profile)
    except Missing as missing:
        return [skipped(name, "ms p95", TARGET, str(missing))
                for name in ("dashboard", "dashboard_kpis")]


def dashboard_rows(store: Store, scratch: Path, profile: Profile) -> list[Row]:
    from bco.application import BCOApplication
    from bco.projections import worklist
    from bco.projections.kpis import Period, Scope, compute_kpis
    from bco.projections.runner import open_views
    from bco.projections.viewsdb import views_key
    from bco.web import create_app
    from bco.web.auth import User

    views = views_for(store, scratch / f"views-{store.events}")
    link = store.data_dir / "views.db"  # where the web app looks for the read models
    link.unlink(missing_ok=True)
    link.symlink_to(views)
    now = START + timedelta(days=20)
    settings = store.settings().with_overrides(run_projections_in_web=False,
                                               secret_key_file=scratch / "session.key")
    key = views_key(settings)
    app = BCOApplication(settings, clock=lambda: now)
    rng = random.Random(11)
    teams = sorted({team for _name, team in TRACERS})
    queries = max(profile.worklist_queries // 20, 10)  # a page costs seconds at 1M events
    try:
        flask_app = create_app(settings, app)
        page = flask_app.view_functions["dashboard.page"]

        def dashboard() -> float:
            samples = []
            for _ in range(queries):
                team = rng.choice(teams)
                lead = User(name=f"lead-{team}", role="team_lead", team=team, language="en")
                started = time.perf_counter()
                with flask_app.test_request_context(f"/dashboard?{MONTH}"):
                    login_user(lead)
                    answer: Any = page()
                samples.append((time.perf_counter() - started) * 1000)
                assert answer[1] == 200, answer[1]
            return percentile(samples, 95)

        def kpis() -> float:
            samples = []
            for _ in range(queries):
                scope = Scope(team=rng.choice([*teams, None]))
                started = time.perf_counter()
                with open_views(views, key) as db:
                    compute_kpis(db, Period(START.date(), START.date() + timedelta(days=30),
                                            settings.zone), now=now, scope=scope)
                samples.append((time.perf_counter() - started) * 1000)
            return percentile(samples, 95)

        def worklist_query() -> float:
            samples = []
            for _ in range(queries):
                tracer = rng.choice(store.tracers)
                started = time.perf_counter()
                with open_views(views, key) as db:
                    worklist.for_tracer(db, tracer, now=now, target_hours=24)
                samples.append((time.perf_counter() - started) * 1000)
            return percentile(samples, 95)

        dashboard()
        page_ms, kpi_ms, worklist_ms = interleaved(profile.rounds, dashboard, kpis,
                                                   worklist_query)
    finally:
        app.close()
        link.unlink(missing_ok=True)
    note = f"{store.events:,}-event store, a month, one of {len(teams)} teams; baseline: " \
           "one tracer's worklist query"
    return [latency_row("dashboard", page_ms, worklist_ms, "ms p95", TARGET, note=note),
            latency_row("dashboard_kpis", kpi_ms, worklist_ms, "ms p95", TARGET,
                        note=note.replace("one of", "all or one of"))]
