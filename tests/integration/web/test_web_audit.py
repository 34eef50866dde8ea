"""The access log through the web: what a read records, who sees the log, the admin's views,
the index's access report, and that saves and the old log file cost nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from io import BytesIO
from typing import Any
from uuid import UUID

import pdfplumber
import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from interview_support import HX, start_interview
from web_support import Cases, runner, sign_in

from bco.application import BCOApplication
from bco.audit.store import AccessEntry, AccessLog
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.web import create_app

JSON = {"Accept": "application/json"}


class CountingLog(AccessLog):
    """The real table, counting how many appends (statements) requests make."""

    def __init__(self, app: BCOApplication) -> None:
        super().__init__(app.recorder.datastore,  # type: ignore[attr-defined]
                         postgres=app.settings.uses_postgres)
        self.appends: list[int] = []

    def append(self, entries: Iterable[AccessEntry]) -> int:
        written = super().append(entries)
        self.appends.append(written)
        return written


@pytest.fixture
def web_settings(web_settings: Settings) -> Settings:
    """Bursts small enough to make in a test: more than 2 cases within 10 minutes."""
    return web_settings.with_overrides(audit_burst_reads=2, audit_burst_minutes=10)


@pytest.fixture
def counting(bco_app: BCOApplication) -> CountingLog:
    log = CountingLog(bco_app)
    bco_app.access_log = log
    return log


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(BytesIO(pdf)) as document:
        return " ".join(" ".join(p.extract_text() or "" for p in document.pages).split())


def pdf_columns(pdf: bytes, headers: tuple[str, ...]) -> list[str]:
    """The text of each column of the first page's table, from its header down, wrapped cell
    lines joined again: the columns are cut at the header words' left edges."""
    with pdfplumber.open(BytesIO(pdf)) as document:
        page = document.pages[0]
        words = page.extract_words()
        top = max(w["top"] for w in words if w["text"] == headers[0])
        lefts = [next(w["x0"] for w in words if w["text"] == header and w["top"] == top)
                 for header in headers]
        edges = [*lefts, page.width]
        return [" ".join((page.crop((edges[i] - 1, top - 1, edges[i + 1] - 1, page.height))
                          .extract_text() or "").split()) for i in range(len(headers))]


def logged(app: BCOApplication) -> list[AccessEntry]:
    return app.access_log.entries()


def register(cases: Cases, *, language: str = "nl", name: str = "Anouk Veldhuis") -> UUID:
    recorded = cases.app.register_case(
        person=IndexPerson(name=name, phone="06 47658312", birth_date=date(1984, 5, 6),
                           language=language),
        disease="covid-19", onset=cases.clock.now.date() - timedelta(days=2),
        received_at=cases.clock.now - timedelta(hours=1), actor="intake")
    return recorded.aggregate_id


def test_a_read_records_who_where_why_and_how_they_stood(web: Flask, bco_app: BCOApplication,
                                                          cases: Cases) -> None:
    mine = register(cases)
    cases.assign(mine, "tracer")
    pool = register(cases)
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{mine}")
    sign_in(web, "lead").get(f"/cases/{mine}")
    sign_in(web, "tracer2").get(f"/cases/{pool}")
    sign_in(web, "tracer3").get(f"/cases/{mine}")  # refused: nothing shown, nothing logged
    entries = logged(bco_app)
    assert [(e.account, e.role, e.case_id, e.relation) for e in entries] == [
        ("tracer", "tracer", mine, "assigned"), ("lead", "team_lead", mine, "team"),
        ("tracer2", "tracer", pool, "pool")]
    assert {(e.action, e.purpose, e.address) for e in entries} == {
        ("case", "tracer.case_page", "127.0.0.1")}
    assert entries[0].at == cases.clock.now
    assert "Veldhuis" not in repr(entries) and "47658312" not in repr(entries)


def test_saves_cost_no_log_write_and_a_page_costs_one(web: Flask, bco_app: BCOApplication,
                                                      cases: Cases, counting: CountingLog,
                                                      clock: Any) -> None:
    interview_id = start_interview(bco_app, clock)
    for _ in range(3):
        cases.assign(register(cases), "tracer")
    cases.project()
    client = sign_in(web, "tracer")
    counting.appends.clear()
    client.get(f"/interviews/{interview_id}")
    assert counting.appends == [1]
    saved = client.post(f"/interviews/{interview_id}/answers/has_symptoms",
                        data={"value": "no"}, headers=HX)
    assert saved.status_code == 200
    assert counting.appends == [1]  # the htmx save wrote nothing to the log
    client.get("/worklist")  # four own cases, each with its index's name
    assert counting.appends == [1, 4]
    assert [e.action for e in logged(bco_app)][-4:] == ["worklist"] * 4


def test_only_the_lead_of_the_team_and_admins_see_a_cases_log(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    north = register(cases)
    cases.assign(north, "tracer")
    south = register(cases)
    cases.assign(south, "tracer3", "south")
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{north}")
    sign_in(web, "tracer3").get(f"/cases/{south}")
    lead = sign_in(web, "lead")
    page = lead.get(f"/cases/{north}/access")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-account="tracer"' in html and "tracer3" not in html
    assert "Veldhuis" not in html
    assert f'href="/cases/{north}/access"' in lead.get(f"/cases/{north}").get_data(as_text=True)
    assert lead.get(f"/cases/{south}/access").status_code == 403  # north sees nothing of south
    assert lead.get(f"/cases/{south}/access.pdf").status_code == 403
    assert lead.get("/admin/access?user=tracer3").status_code == 403
    tracer = sign_in(web, "tracer")
    assert tracer.get(f"/cases/{north}/access").status_code == 403  # not even their own
    assert 'id="access-log-link"' not in tracer.get(f"/cases/{north}").get_data(as_text=True)
    assert sign_in(web, "authority").get(f"/cases/{north}/access").status_code == 403
    admin = sign_in(web, "admin")
    south_log = admin.get(f"/cases/{south}/access").get_data(as_text=True)
    assert 'data-account="tracer3"' in south_log and "Veldhuis" not in south_log
    assert admin.get(f"/cases/{south}/access.pdf").status_code == 403  # the report has names


def test_admins_read_the_log_per_reader_and_per_case(web: Flask, bco_app: BCOApplication,
                                                     cases: Cases) -> None:
    first = register(cases)
    cases.assign(first, "tracer")
    second = register(cases)
    cases.assign(second, "tracer2")
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{first}")
    sign_in(web, "tracer2").get(f"/cases/{second}")
    sign_in(web, "lead").get(f"/cases/{second}")
    admin = sign_in(web, "admin")
    assert "/admin/access" in admin.get("/caseload").get_data(as_text=True)  # in the menu
    everyone = admin.get("/admin/access").get_data(as_text=True)  # the newest reads of all
    assert [everyone.count(f'data-account="{name}"') for name in ("tracer", "tracer2", "lead")
            ] == [1, 1, 1]
    assert everyone.index('data-account="lead"') < everyone.index('data-account="tracer"')
    by_user = admin.get("/admin/access?user=tracer2").get_data(as_text=True)
    assert by_user.count('data-account="tracer2"') == 1 and 'data-account="lead"' not in by_user
    assert f"C-{str(second)[:8]}" in by_user
    by_case = admin.get(f"/admin/access?case=C-{str(second)[:8]}").get_data(as_text=True)
    assert 'data-account="tracer2"' in by_case and 'data-account="lead"' in by_case
    assert 'data-account="tracer"' not in by_case
    later = (cases.clock.now + timedelta(days=1)).date().isoformat()
    quiet = admin.get(f"/admin/access?user=tracer2&since={later}").get_data(as_text=True)
    assert 'data-account=' not in quiet and "No reads for this selection." in quiet
    refused = admin.get("/admin/access?case=Jansen", headers=JSON)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["case"]
    refused = admin.get("/admin/access?user=tracer&since=gisteren", headers=JSON)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["since"]
    assert "gisteren" in refused.get_json()["message"]


@examples(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=st.text(max_size=120), case=st.text(max_size=120), since=st.text(max_size=30))
def test_whatever_is_put_in_the_admins_query_is_a_page_or_a_clear_refusal(
        web: Flask, user: str, case: str, since: str) -> None:
    answer = sign_in(web, "admin").get("/admin/access", query_string={
        "user": user, "case": case, "since": since}, headers=JSON)
    assert answer.status_code in (200, 422)
    if answer.status_code == 422:
        assert set(answer.get_json()["errors"]) <= {"user", "case", "since"}


def test_unusual_access_shows_pool_reads_left_behind_and_bursts(
        web: Flask, bco_app: BCOApplication, cases: Cases, clock: Any) -> None:
    pool = [register(cases) for _ in range(3)]
    cases.project()
    browsing = sign_in(web, "tracer2")
    for case_id in pool:
        browsing.get(f"/cases/{case_id}")
        clock.advance(minutes=1)
    taker = sign_in(web, "tracer")
    taker.get(f"/cases/{pool[0]}")
    cases.assign(pool[0], "tracer")
    taker.get(f"/cases/{pool[0]}")
    page = sign_in(web, "admin").get("/admin/access/unusual").get_data(as_text=True)
    bursts, outside = page.split('id="outside"')
    assert 'data-account="tracer2"' in bursts and 'data-account="tracer"' not in bursts
    assert outside.count('data-account="tracer2"') == 3
    assert 'data-account="tracer"' not in outside  # tracer took the case they looked at
    later = (clock.now + timedelta(days=1)).date().isoformat()
    quiet = sign_in(web, "admin").get(f"/admin/access/unusual?since={later}")
    assert "No reads outside own cases and team in this period." in quiet.get_data(as_text=True)
    assert "Nothing in the access log" not in quiet.get_data(as_text=True)
    assert sign_in(web, "lead").get("/admin/access/unusual").status_code == 403
    refused = sign_in(web, "admin").get("/admin/access/unusual?since=2026-13-01",
                                        headers=JSON)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["since"]


REPORT_HEADERS = {"en": ("When", "Who", "What", "Why"), "nl": ("Wanneer", "Wie", "Wat", "Waarom")}
REPORT_WORDS = {
    "en": ("Who looked at your data", "contact tracer 1 (team north)", "Opened the case page",
           "as the tracer handling your case", "team lead 1 (team north)",
           "Printed the case file", "The person concerned asked for it"),
    "nl": ("Wie uw gegevens heeft ingezien", "contactonderzoeker 1 (team north)",
           "Opende de casuspagina", "als de bron- en contactonderzoeker van uw casus",
           "teamleider 1 (team north)", "Printte het dossier", "Op verzoek van de betrokkene"),
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_index_access_report_says_who_when_and_why_in_their_language(
        web: Flask, bco_app: BCOApplication, cases: Cases, language: str) -> None:
    heading, tracer_line, opened, why, lead_line, printed, asked = REPORT_WORDS[language]
    case_id = register(cases, language=language, name="Maud Ingelse")
    cases.assign(case_id, "tracer")
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{case_id}")
    lead = sign_in(web, "lead")
    lead.get(f"/cases/{case_id}/casefile.pdf?purpose=index-request")
    answer = lead.get(f"/cases/{case_id}/access.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="C-{str(case_id)[:8]}-access.pdf"')
    text = pdf_text(answer.data)
    assert heading in text and "Maud Ingelse" in text and f"C-{str(case_id)[:8]}" in text
    when, who, what, reason = pdf_columns(answer.data, REPORT_HEADERS[language])
    assert who.index(tracer_line) < who.index(lead_line)
    assert what.index(opened) < what.index(printed)
    assert reason.index(why) < reason.index(asked)
    assert when.count("25 nov") + when.count("25 Nov") >= 2  # two reads (and the footer)
    assert "127.0.0.1" not in text  # addresses are for the audit, not the letter
    assert logged(bco_app)[-1].action == "access-report"


def test_a_stated_purpose_goes_with_the_case_file_and_a_wrong_one_is_refused(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    cases.project()
    lead = sign_in(web, "lead")
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="purpose"' in page and 'value="index-request"' in page
    assert lead.get(f"/cases/{case_id}/casefile.pdf?purpose=transfer").status_code == 200
    assert logged(bco_app)[-1].purpose == "transfer"
    before = len(logged(bco_app))
    refused = lead.get(f"/cases/{case_id}/casefile.pdf?purpose=curious", headers=JSON)
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["purpose"]
    assert len(logged(bco_app)) == before


def test_the_old_access_log_file_is_no_longer_written(web: Flask, web_settings: Settings,
                                                      bco_app: BCOApplication,
                                                      cases: Cases) -> None:
    case_id = register(cases)
    cases.assign(case_id, "tracer")
    cases.project()
    sign_in(web, "tracer").get(f"/cases/{case_id}")
    sign_in(web, "lead").get(f"/cases/{case_id}/casefile.pdf")
    sign_in(web, "tracer").get("/inform.csv")
    assert len(logged(bco_app)) == 2
    assert not (web_settings.data_dir / "access.log").exists()
    assert not list(web_settings.data_dir.rglob("*.log"))


@pytest.fixture
def two_nodes(settings: Settings, clock: Any) -> Iterator[tuple[Flask, Flask, BCOApplication]]:
    """Two web nodes (each its own application) on one store, SQLite or PostgreSQL."""
    node_settings = settings.with_overrides(run_projections_in_web=False,
                                            secret_key_file=settings.data_dir / "session.key")
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    first = BCOApplication(node_settings, clock=clock)
    second = BCOApplication(node_settings, clock=clock)
    for name, role, team, password in (("tracer", "tracer", "north", "demo-tracer-pass"),
                                       ("lead", "team_lead", "north", "demo-lead-pass")):
        first.add_user(name, role=role, team=team, password_hash=cheap.hash(password),
                       actor="test")
    webs = []
    for node in (first, second):
        flask_app = create_app(node_settings, node)
        flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        webs.append(flask_app)
    try:
        yield webs[0], webs[1], first
    finally:
        for flask_app in webs:
            runner(flask_app).stop()
        first.close()
        second.close()


def test_a_read_on_one_node_is_in_the_log_on_the_other(
        two_nodes: tuple[Flask, Flask, BCOApplication], clock: Any) -> None:
    first, second, app = two_nodes
    case_id = app.register_case(person=IndexPerson(name="Twee Knopen", phone="06 11223344"),
                                disease="covid-19", test_date=clock.now.date(),
                                actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    assert sign_in(first, "tracer").get(f"/cases/{case_id}").status_code == 200
    page = sign_in(second, "lead").get(f"/cases/{case_id}/access").get_data(as_text=True)
    assert page.count('data-account="tracer"') == 1
