"""A team lead hands out cases in the browser; the case page and the lead's pages fit a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Server, axe_violations, page_width, sign_in, sized
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}



def clipped_cards(page: Page) -> list[str]:
    """Headings of caseload cards whose table is wider than the card shows."""
    found: list[str] = page.evaluate(
        "[...document.querySelectorAll('.caseload .card')]"
        ".filter(card => card.querySelector('table').getBoundingClientRect().width"
        " > card.clientWidth)"
        ".map(card => card.querySelector('h2').textContent)")
    return found


def test_a_lead_reassigns_a_case_and_puts_it_back_in_the_pool(
        new_page, server: Server, output_dir: Path) -> None:
    case_id = server.register_case("Fenna Dijkstra")
    server.app.assign_case(case_id, "tracer", "north", actor="lead")
    lead: Page = sized(new_page, DESKTOP)
    sign_in(lead, server, "lead")

    lead.goto(f"{server.url}/cases/{case_id}")
    expect(lead.locator("#assign-now")).to_contain_text("tracer")
    lead.select_option("#assign-tracer", "tracer2")
    lead.click("#assign-case")
    expect(lead.locator("#assign-now")).to_contain_text("tracer2")
    expect(lead.locator(".flash")).to_contain_text("tracer2 (team north)")
    assert axe_violations(lead) == [] and axe_violations(lead, "serious") == []
    assert server.app.get_case(case_id).tracer == "tracer2"
    lead.screenshot(path=str(output_dir / "assign-lead-case-desktop.png"), full_page=True)

    tracer2: Page = sized(new_page, DESKTOP)
    sign_in(tracer2, server, "tracer2")
    tracer2.goto(f"{server.url}/worklist")
    expect(tracer2.locator(f'#mine-heading ~ div tr[data-case-id="{case_id}"]')).to_have_count(1)

    lead.goto(f"{server.url}/caseload")
    assert clipped_cards(lead) == []
    lead.screenshot(path=str(output_dir / "assign-lead-caseload-desktop.png"), full_page=True)
    lead.click('a[href="/team/cases?tracer=tracer2"]')
    row = lead.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_have_count(1)
    lead.screenshot(path=str(output_dir / "assign-lead-team-cases-desktop.png"), full_page=True)
    assert axe_violations(lead) == [] and axe_violations(lead, "serious") == []
    row.locator(".to-pool button").click()
    expect(lead.locator(".flash")).to_contain_text("pool")
    expect(lead.locator(f'tr[data-case-id="{case_id}"]')).to_have_count(0)
    assert server.app.get_case(case_id).tracer is None

    lead.goto(f"{server.url}/team/cases")
    pool_row = lead.locator(f'#pool tr[data-case-id="{case_id}"]')
    pool_row.locator("select").select_option("tracer")
    pool_row.locator(".assign-button").click()
    expect(lead.locator(f'#tracer-tracer tr[data-case-id="{case_id}"]')).to_have_count(1)
    assert server.app.get_case(case_id).tracer == "tracer"


@pytest.mark.expected_refusals
def test_a_hand_out_made_meanwhile_is_shown_and_the_choice_kept(
        new_page, server: Server, output_dir: Path) -> None:
    case_id = server.register_case("Ruben Mulder")
    server.app.assign_case(case_id, "tracer", "north", actor="lead")
    lead: Page = sized(new_page, DESKTOP)
    sign_in(lead, server, "lead")
    lead.goto(f"{server.url}/cases/{case_id}")
    server.app.assign_case(case_id, "tracer2", "north", actor="lead2")  # someone else, first
    lead.select_option("#assign-tracer", "lead")
    with lead.expect_response(lambda r: r.url.endswith("/assignment")) as answer:
        lead.click("#assign-case")
    assert answer.value.status == 409
    expect(lead.locator("#assignment .other-change")).to_contain_text("lead2")
    expect(lead.locator("#assignment .other-change")).to_contain_text("tracer2")
    expect(lead.locator("#assign-tracer")).to_have_value("lead")
    lead.screenshot(path=str(output_dir / "assign-conflict-desktop.png"))
    assert server.app.get_case(case_id).tracer == "tracer2"


def test_the_case_page_and_the_leads_pages_fit_a_phone(new_page, server: Server,
                                                       output_dir: Path) -> None:
    case_id = server.register_case("Maximiliaan van Oosterwijk-Bakhuizen")
    tracer: Page = sized(new_page, PHONE)
    sign_in(tracer, server, "tracer")
    tracer.goto(f"{server.url}/cases/{case_id}")
    assert page_width(tracer) <= 390
    tracer.click("#take-case")
    expect(tracer.locator("#log-call")).to_be_visible()
    for outcome, note in (("voicemail", "Voicemail ingesproken, terugbelverzoek met "
                                        "doorkiesnummer 0612345678 achtergelaten"),
                          ("no_answer", "")):
        tracer.select_option("#call-outcome", outcome)
        tracer.fill("#call-note", note)
        tracer.click("#log-call")
        expect(tracer.locator(".flash")).to_be_visible()
    expect(tracer.locator("tr.attempt")).to_have_count(2)
    assert page_width(tracer) <= 390
    tracer.screenshot(path=str(output_dir / "assign-tracer-case-phone.png"), full_page=True)

    lead: Page = sized(new_page, PHONE)
    sign_in(lead, server, "lead")
    for path, name in ((f"/cases/{case_id}", "case"), ("/caseload", "caseload"),
                       ("/team/cases", "team-cases"), ("/worklist", "worklist")):
        lead.goto(f"{server.url}{path}")
        assert page_width(lead) <= 390, path
        lead.screenshot(path=str(output_dir / f"assign-lead-{name}-phone.png"), full_page=True)
    lead.goto(f"{server.url}/cases/{case_id}")
    lead.select_option("#assign-tracer", "tracer2")
    lead.click("#assign-case")  # reachable on a phone, no sideways scrolling needed
    expect(lead.locator("#assign-now")).to_contain_text("tracer2")


def test_a_completed_case_on_a_phone_offers_neither_a_call_nor_the_pool(
        new_page, server: Server, output_dir: Path) -> None:
    interview_id = server.interview_for("tracer", "Johanna Wilhelmina de Groot-Verhoeven")
    case_id = server.app.get_interview(interview_id).case_id
    server.app.complete_interview(interview_id, actor="tracer")
    lead: Page = sized(new_page, PHONE)
    sign_in(lead, server, "lead")
    lead.goto(f"{server.url}/cases/{case_id}")
    expect(lead.locator("#assign-now")).to_contain_text("tracer")
    expect(lead.locator("#log-call")).to_have_count(0)
    expect(lead.locator("#unassign-case")).to_have_count(0)
    expect(lead.locator("#assign-tracer option[value=tracer3]")).to_have_count(0)
    assert page_width(lead) <= 390
    assert axe_violations(lead) == [] and axe_violations(lead, "serious") == []
    lead.screenshot(path=str(output_dir / "leads-completed-case-phone.png"), full_page=True)
