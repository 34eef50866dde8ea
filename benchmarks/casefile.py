"""`casefile_pdf`: printing a 1-page and a 10-page case file, and the memory it takes.

The baseline is WeasyPrint rendering the very same HTML as a static string with the same
stylesheet, so the ratio is what replaying the events, running the guide engine and filling the
template add on top of WeasyPrint itself. Peak memory is measured in a fresh process each side
(ru_maxrss), as a web worker or a CLI run would start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from uuid import UUID

from weasyprint import HTML

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.reports.casefile import build_case_file
from bco.reports.pdf import TEMPLATES, render_html, render_pdf, stylesheet
from benchmarks.profile import Profile
from benchmarks.results import (
    Row,
    interleaved,
    latency_row,
    ratio_at_least,
    value_at_most,
)
from benchmarks.workspace import ROOT, opened, sqlite_settings

PAGES_WANTED = 10
CONTACTS_PER_STEP = 15


def bench_casefile(profile: Profile, scratch: Path) -> list[Row]:
    settings = sqlite_settings(scratch / "casefile")
    with opened(settings) as app:
        short = one_page_case(app)
        long = long_case(app)
        rows = [timed_row("casefile_pdf_1p", app, short, profile, 0.25),
                timed_row("casefile_pdf_10p", app, long, profile, 2.5)]
        static = scratch / "casefile-static.html"
        static.write_text(html_of(app, long))
        shutil.copy(TEMPLATES / "casefile.css", scratch / "casefile.css")
    ours = peak_in_child(settings, "ours", str(long))
    raw = peak_in_child(settings, "static", str(static))
    rows.append(Row("casefile_pdf_peak", ours, "MiB peak RSS", raw, raw / ours,
                    value_at_most(120, "MiB"),
                    "printing the 10-page file in a fresh process; baseline: the static HTML"))
    return rows


def timed_row(name: str, app: BCOApplication, case_id: UUID, profile: Profile,
              target_s: float) -> Row:
    html = html_of(app, case_id)
    printed: list[bytes] = []

    def ours() -> float:
        started = time.perf_counter()
        printed[:] = [render_pdf(build_case_file(app, case_id, language="nl"),
                                 zone=app.settings.zone, phone_region=app.settings.phone_region)]
        return time.perf_counter() - started

    def baseline() -> float:
        started = time.perf_counter()
        HTML(string=html).write_pdf(stylesheets=[stylesheet()])
        return time.perf_counter() - started

    ours()
    mine, plain = interleaved(profile.rounds, ours, baseline)
    return latency_row(name, mine, plain, "s", value_at_most(target_s, "s")
                       & ratio_at_least(0.8),
                       f"{pages(printed[0])} page(s); baseline: the same HTML, static")


def html_of(app: BCOApplication, case_id: UUID) -> str:
    return render_html(build_case_file(app, case_id, language="nl"), zone=app.settings.zone,
                       phone_region=app.settings.phone_region)


def pages(pdf: bytes) -> int:
    """Pages of a PDF (pdfplumber is in the test extra, which scripts/bench installs; imported
    here so the memory children do not carry it)."""
    import pdfplumber

    with pdfplumber.open(BytesIO(pdf)) as document:
        return len(document.pages)


def one_page_case(app: BCOApplication) -> UUID:
    """A case received, assigned and called twice: no interview yet, one page."""
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="0612345678", birth_date=date(1984, 3, 9),
                           postcode="3511 AB"),
        disease="covid-19", onset=datetime.now(tz=UTC).date() - timedelta(days=2),
        actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    app.log_call_attempt(case_id, "no_answer", note="Voicemail full", actor="tracer")
    app.log_call_attempt(case_id, "no_answer", actor="tracer")
    return case_id


def long_case(app: BCOApplication) -> UUID:
    """An interview with answers, handovers and contacts added until the file has 10 pages."""
    today = datetime.now(tz=UTC).date()
    case_id = app.register_case(
        person=IndexPerson(name="Bram Jansen", phone="0687654321", birth_date=date(1971, 6, 2)),
        disease="covid-19", onset=today - timedelta(days=3), actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    app.log_call_attempt(case_id, "reached", actor="tracer")
    interview_id = app.start_interview(case_id, actor="tracer").aggregate_id
    for question, value in (("identity_confirmed", True), ("has_symptoms", True),
                            ("symptoms", ["fever", "cough"]), ("household_size", 3),
                            ("went_to_work", True), ("who_informs", "authority")):
        app.record_answer(interview_id, question, value, actor="tracer")
    for number in range(3):
        app.pause_interview(interview_id, f"Break {number}: index needed rest; days and "
                            "settings still to do.", actor="tracer")
        app.resume_interview(interview_id, actor="tracer")
    added = 0
    while pages(render_pdf(build_case_file(app, case_id, language="nl"),
                           zone=app.settings.zone, phone_region="NL")) < PAGES_WANTED:
        for _ in range(CONTACTS_PER_STEP):
            added += 1
            app.report_contact(interview_id, {
                "name": f"Contact {added}", "phone": f"06{10000000 + added}",
                "day": today - timedelta(days=added % 3), "setting": "work",
                "relation": "colleague", "facts": {"duration_min": 5 + added % 30}},
                actor="tracer")
    return case_id


def peak_in_child(settings: Settings, mode: str, what: str) -> float:
    """Peak RSS in MiB of a fresh process that prints one case file (or the static HTML)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.casefile_child", mode, what], cwd=ROOT,
        env={**os.environ, **settings.to_env()}, capture_output=True, text=True, check=True,
        timeout=300)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"])
