"""A full tour on demo data — a tracer works a case, a team lead reads the dashboard and a case
file, the health authority informs and exports — with every log line, printed line, request
URL and page title kept, then searched for the identities in the demo: none may show there."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from browser_support import Server, sign_in
from interview_steps import answer_yes_no, saved, say_everything
from playwright.sync_api import Page, Request, expect

from bco.demo import load_demo
from bco.projections import runner_for

pytestmark = pytest.mark.browser


def identities(server: Server) -> set[str]:
    """Every name, phone number, e-mail address, birth date and postcode the demo holds, as
    stored and as typed (national phone numbers, dates day first)."""
    runner = runner_for(server.app)
    runner.catch_up()
    found: set[str] = set()
    with runner.reading() as db:
        for name, phone, email, birth, postcode in db.execute(
                "SELECT name, phone, email, birth_date, postcode FROM people_cases"):
            found |= {name or "", phone or "", email or "", postcode or ""}
            if birth:
                year, month, day = birth.split("-")
                found |= {birth, f"{day}-{month}-{year}", f"{int(day)}-{int(month)}-{year}"}
        for name, phone, email in db.execute(
                "SELECT name, phone, email FROM people_contacts"):
            found |= {name or "", phone or "", email or ""}
    for phone in [p for p in found if p.startswith("+31")]:
        found.add("0" + phone[3:])
    return {text for text in found if len(text) >= 6}


def test_no_identity_in_logs_urls_or_titles(new_page: Callable[..., Page], server: Server,
                                            caplog: pytest.LogCaptureFixture,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    app = server.app
    load_demo(app, cases=30, now=datetime.now(tz=UTC))
    interview_id = server.interview_for("tracer", "Marit Ploegmaker")
    case_id = app.get_interview(interview_id).case_id
    token, _ = app.issue_api_token("tour-export", role="authority", actor="admin")
    urls: list[str] = []
    titles: list[str] = []

    def page_for(name: str) -> Page:
        page = new_page()
        page.on("request", lambda request: urls.append(_described(request)))
        sign_in(page, server, name)
        return page

    def visit(page: Page, path: str) -> None:
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        titles.append(page.title())

    # The tracer finds the case by name, works the interview and records a contact.
    tracer = page_for("tracer")
    visit(tracer, "/worklist")
    tracer.fill("#search-term", "Marit Ploeg")
    tracer.press("#search-term", "Enter")
    tracer.wait_for_load_state("networkidle")
    titles.append(tracer.title())
    visit(tracer, f"/cases/{case_id}")
    visit(tracer, f"/interviews/{interview_id}")
    say_everything(tracer)
    answer_yes_no(tracer, "identity_confirmed", True)
    tracer.fill("#q-household_size", "1")
    with saved(tracer, "/answers/household_size"):
        tracer.press("#q-household_size", "Enter")
    with tracer.expect_response(lambda r: "/entry-row" in r.url):
        tracer.click("#add-step-household_members")
    row = tracer.locator("#pe-step-household_members form.entry-row").last
    row.locator("input[name=name]").fill("Joris Ploegmaker")
    row.locator("input[name=phone]").fill("06 23456789")
    with saved(tracer, "/contacts"):
        row.locator("input[name=name]").press("Enter")
    expect(tracer.locator("article.contact", has_text="Joris Ploegmaker")).to_be_visible()
    titles.append(tracer.title())

    # The team lead: dashboard, the team's cases, a case file.
    lead = page_for("lead")
    for path in ("/dashboard", "/team/cases", "/caseload", f"/cases/{case_id}"):
        visit(lead, path)
    pdf = lead.request.get(f"{server.url}/cases/{case_id}/casefile.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    urls.append(f"GET {server.url}/cases/{case_id}/casefile.pdf")

    # The health authority: the contacts to inform, a search, and the exports.
    authority = page_for("authority")
    visit(authority, "/inform")
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("/api/exports/cases?format=csv", "/api/exports/contacts?format=fhir",
                 "/api/exports/cases?format=ndjson&pseudonymised=true",
                 f"/api/cases/{case_id}", f"/api/cases/{case_id}/casefile.pdf"):
        answer = authority.request.get(server.url + path, headers=bearer)
        assert answer.ok, path
        urls.append(f"GET {server.url}{path}")
    exported = authority.request.get(f"{server.url}/api/exports/contacts?format=ndjson",
                                     headers=bearer).text()
    assert "Joris Ploegmaker" in exported  # the identities do reach those who may read them

    people = identities(server)
    assert "Marit Ploegmaker" in people and len(people) > 60
    reads = app.access_log.entries()
    assert {"case", "interview", "casefile", "search-result", "inform-list", "export-contacts",
            "api-case", "api-casefile"} <= {entry.action for entry in reads}
    outputs = {
        "log records": caplog.text,
        "printed": "".join(capfd.readouterr()),
        "request URLs": "\n".join(urls),
        "page titles": "\n".join(titles),
        "access log": "\n".join(repr(entry) for entry in reads),
    }
    assert len(urls) > 20 and len(titles) > 8 and "GET /worklist" in caplog.text
    leaks = {where: sorted(person for person in people if person.lower() in text.lower())
             for where, text in outputs.items()}
    assert {where: found for where, found in leaks.items() if found} == {}


def _described(request: Request) -> str:
    """Method and URL, and a referrer if the browser sent one (the policy says it may not)."""
    referrer = request.headers.get("referer", "")
    return f"{request.method} {request.url} {referrer}".strip()
