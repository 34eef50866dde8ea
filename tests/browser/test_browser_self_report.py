"""The self-report link on a phone (390×844): two contacts over two days, saved, reopened; the
tracer confirms one and rejects one; the history says who said what. axe on the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from uuid import UUID

import pdfplumber
import pytest
from browser_support import Server, axe_violations, sign_in
from playwright.sync_api import Page

from bco.domain.case import IndexPerson
from bco.domain.invitation import SELF_REPORTED

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def linked_case(server: Server, language: str = "en") -> tuple[UUID, str]:
    app = server.app
    today = datetime.now(tz=UTC).astimezone(app.settings.zone).date()
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678", language=language),
        disease="covid-19", onset=today - timedelta(days=1),
        received_at=datetime.now(tz=UTC) - timedelta(hours=1), actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    token = app.invite_index(case_id, actor="tracer").token
    return case_id, f"{server.url}/r/{token}"


def fits_the_phone(page: Page) -> None:
    page.wait_for_load_state("load")  # the stylesheet applied, not only the markup there
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator("#save-contact").bounding_box() if page.locator(
        "#save-contact").count() else None
    assert box is None or box["height"] >= 44


def add(page: Page, name: str, relation: str) -> None:
    page.fill("#name", name)
    page.fill("#relation", relation)
    page.fill("#fact_duration_min", "30")
    page.locator("#save-contact").click()
    page.wait_for_load_state()
    assert page.locator("#entered strong", has_text=name).count() == 1


@pytest.mark.expected_refusals  # the tracer first rejects without a reason
def test_prepare_on_a_phone_then_the_tracer_confirms_one_and_rejects_one(
        new_page: Callable[..., Page], server: Server) -> None:
    case_id, url = linked_case(server)
    phone = new_page(**PHONE)
    phone.goto(url)
    assert phone.locator("h1").inner_text() == "Prepare your list of contacts"
    fits_the_phone(phone)
    phone.locator("#start").click()
    phone.wait_for_url("**step=1*")  # the first day's page, not the welcome still showing
    fits_the_phone(phone)
    add(phone, "Noor Bakker", "colleague")
    phone.locator("#day-done").click()
    phone.wait_for_load_state()
    add(phone, "Bram de Wit", "neighbour")
    fits_the_phone(phone)

    again = new_page(**PHONE)  # the index comes back later, in another browser
    again.goto(url)
    last = again.locator("#next")
    while last.count():
        last.click()
        again.wait_for_load_state()
    listed = again.locator("#entered").inner_text()
    assert "Noor Bakker" in listed and "Bram de Wit" in listed
    days = {p.contact.name: p.contact.day for p in server.app.open_link(
        url.rsplit("/", 1)[1]).invitation.entered}  # type: ignore[union-attr]
    assert days["Noor Bakker"] == days["Bram de Wit"] + timedelta(days=1)  # two days

    app = server.app
    interview_id = app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    tracer = new_page()
    sign_in(tracer, server, "tracer")
    tracer.goto(f"{server.url}/interviews/{interview_id}")
    ids = {p.contact.name: str(p.contact.contact_id)
           for _link, p in app.pending_proposals(app.get_case(case_id))}
    tracer.locator(f"#confirm-{ids['Noor Bakker']}").click()
    tracer.wait_for_load_state()
    tracer.locator(f"#reject-{ids['Bram de Wit']}").click()  # no reason: refused beside it
    tracer.wait_for_load_state()
    assert tracer.evaluate("document.activeElement.id") == f"rr-{ids['Bram de Wit']}"
    assert tracer.locator(f"#rr-{ids['Bram de Wit']} + #proposal-problem").is_visible()
    tracer.fill(f"#rr-{ids['Bram de Wit']}", "lives abroad, seen before the window")
    tracer.locator(f"#reject-{ids['Bram de Wit']}").click()
    tracer.wait_for_load_state()
    assert tracer.locator("#proposals").count() == 0
    assert tracer.locator(".contact .badge.self-reported").count() == 1

    history = app.case_history(case_id)
    proposed = {e["data"]["name"]: e["actor"] for e in history
                if e["type"] == "Invitation.ContactProposed"}
    assert proposed == {"Noor Bakker": "index (self-report link)",
                        "Bram de Wit": "index (self-report link)"}
    reported = [e for e in history if e["type"] == "Interview.ContactReported"]
    assert [(e["actor"], e["data"]["name"], e["data"]["provenance"]) for e in reported] == [
        ("tracer", "Noor Bakker", SELF_REPORTED)]
    rejected = [e for e in history if e["type"] == "Invitation.ProposalRejected"]
    assert [(e["actor"], e["data"]["reason"]) for e in rejected] == [
        ("tracer", "lives abroad, seen before the window")]
    # The case file the team lead downloads says who said what, for both.
    app.change_language("lead", "en", actor="lead")
    lead = new_page()
    sign_in(lead, server, "lead")
    answer = lead.request.get(f"{server.url}/cases/{case_id}/casefile.pdf")
    assert answer.status == 200, answer.text()[:500]
    pdf = answer.body()
    with pdfplumber.open(BytesIO(pdf)) as document:
        text = " ".join(" ".join(page.extract_text() or "" for page in document.pages).split())
    for line in ("The index entered Noor Bakker through the link (self-reported)",
                 "The index entered Bram de Wit through the link (self-reported)",
                 "tracer Self-reported contact Noor Bakker confirmed",
                 "tracer Self-reported contact Bram de Wit rejected: lives abroad",
                 "Self-reported by the"):  # beside the contact it became (a narrow cell)
        assert line in text, line


@pytest.mark.expected_refusals
def test_the_phone_pages_have_no_axe_violations(new_page: Callable[..., Page],
                                                         server: Server) -> None:
    case_id, url = linked_case(server, "nl")
    page = new_page(bypass_csp=True, **PHONE)
    for step in (0, 1, 4, 5, "withdrawn"):
        if step == "withdrawn":  # the page a dead link shows
            server.app.revoke_invitations(case_id, reason="test", actor="tracer")
        page.goto(f"{url}?step={step}")
        if step == 1:  # with a refusal beside its field
            page.fill("#fact_duration_min", "lots")
            page.fill("#name", "Noor")
            page.locator("#save-contact").click()
            page.wait_for_load_state()
            assert page.locator("#fact_duration_min-problem").count() == 1
            assert page.locator("#problem-summary").count() == 1
        for impact in ("critical", "serious", "moderate", "minor"):
            violations = axe_violations(page, impact)
            assert not violations, f"step {step}: {violations}"
        if step == 1:  # then saved, with the status that says so
            page.fill("#fact_duration_min", "20")
            page.locator("#save-contact").click()
            page.wait_for_load_state()
            assert page.locator("#done").count() == 1
            for impact in ("critical", "serious", "moderate", "minor"):
                violations = axe_violations(page, impact)
                assert not violations, f"saved: {violations}"


@pytest.mark.expected_refusals  # a phone number refused on the way
def test_the_page_works_without_javascript(new_page: Callable[..., Page],
                                           server: Server) -> None:
    _case_id, url = linked_case(server)
    page = new_page(java_script_enabled=False, **{**PHONE, "viewport": {"width": 360,
                                                                      "height": 740}})
    page.goto(f"{url}?step=1")
    fits_the_phone(page)
    page.fill("#name", "Ayla")
    page.fill("#phone", "12")
    page.locator("#save-contact").click()
    page.wait_for_load_state()
    # Refused: the page opens at the form, its summary in view, what was typed kept.
    assert page.locator("#problem-summary").is_visible()
    box = page.locator("#problem-summary").bounding_box()
    assert box is not None and 0 <= box["y"] < 844
    assert page.input_value("#name") == "Ayla" and page.input_value("#phone") == "12"
    page.fill("#phone", "06 12121212")
    page.locator("#save-contact").click()
    page.wait_for_load_state()
    assert "Ayla" in page.locator("#entered").inner_text()


def test_the_proposals_on_the_interview_screen_pass_axe(new_page: Callable[..., Page],
                                                         server: Server) -> None:
    case_id, url = linked_case(server)
    app = server.app
    token = url.rsplit("/", 1)[1]
    app.propose_contact(token, {"name": "Noor Bakker", "relation": "colleague",
                                "facts": {"duration_min": 20}})
    interview_id = app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    page = new_page(bypass_csp=True)
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/interviews/{interview_id}")
    assert page.locator("#proposals .proposal").count() == 1
    for impact in ("critical", "serious"):
        violations = axe_violations(page, impact)
        assert not violations, violations
