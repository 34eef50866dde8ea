"""A page that fits a call, in Chromium (issue 12, items 3 and 7): a resume lands on the first
open required item, in view, with the finished sections folded to one line each and opened
on demand; a new contact's items are marked new in the completeness panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from browser_support import Server, axe_violations, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ANSWERS = {"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
           "vulnerable_self": False, "known_case_contact": False, "gathering": False,
           "travel_abroad": False, "household_size": 2}


def handed_over(server: Server) -> UUID:
    """A covid-19 interview stopped before naming the household, the optional 'which symptoms'
    left open, handed over to the pool."""
    interview_id = server.interview_for("tracer", "Wim Hendriks")
    app = server.app
    onset = datetime.now(tz=UTC).astimezone(app.settings.zone).date() - timedelta(days=2)
    for script in ("greeting", "identity-check", "why-we-call", "you-decide", "how-are-you"):
        app.answer_follow_up(interview_id, f"script:{script}", answer="said", actor="tracer")
    for question, value in {**ANSWERS, "onset_date": onset.isoformat()}.items():
        app.record_answer(interview_id, question, value, actor="tracer")
    app.pause_interview(interview_id, "Huisgenoten nog noemen.", actor="tracer", hand_over=True)
    return interview_id


def in_view(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
             return box.top > -2 && box.top < window.innerHeight; }""", selector))


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_resume_lands_on_the_first_open_required_item_with_done_sections_folded(
        new_page: Callable[..., Page], server: Server, viewport: dict[str, int]) -> None:
    interview_id = handed_over(server)
    page = new_page()
    page.set_viewport_size(viewport)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    sign_in(page, server, "tracer2")
    page.goto(f"{server.url}/interviews/{interview_id}")
    expect(page.locator("#handover")).to_contain_text("Huisgenoten nog noemen.")
    page.click("#resume-interview")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("#step-household_members")
    assert page.locator("#now").get_attribute("data-anchor") == "step-household_members"
    expect(page.locator("#step-household_members")).to_have_class("step probe current")
    assert in_view(page, "#step-household_members")

    # Opening, purpose and health are done: one line each, their steps out of sight.
    for section in ("opening", "purpose", "health", "source"):
        fold = page.locator(f"#fold-{section}")
        expect(fold.locator("summary")).to_be_visible()
        expect(fold).not_to_have_attribute("open", "")
    expect(page.locator("#step-symptoms")).to_be_hidden()  # optional, open, folded away
    expect(page.locator("#fold-opening summary")).to_contain_text("2 answers")
    expect(page.locator("#section-household .section-fold")).to_have_count(0)

    # Open on demand: a click on the line, or a link to a step inside.
    page.click("#fold-health summary")
    expect(page.locator("#q-has_symptoms-1")).to_be_visible()
    page.evaluate("location.hash = '#step-identity_confirmed'")
    expect(page.locator("#q-identity_confirmed-1")).to_be_visible()
    assert errors == []  # under the real CSP

    checked = new_page(bypass_csp=True)  # axe comes as a script tag, which the CSP blocks
    checked.set_viewport_size(viewport)
    sign_in(checked, server, "tracer2")
    checked.goto(f"{server.url}/interviews/{interview_id}")
    assert axe_violations(checked) == [] and axe_violations(checked, "serious") == []


def test_opening_an_interview_under_way_lands_on_its_current_step(
        page: Page, server: Server) -> None:
    interview_id = handed_over(server)
    server.app.take_interview(interview_id, "tracer", "north", actor="tracer")
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/interviews/{interview_id}")  # no step in the address
    page.wait_for_load_state("networkidle")
    expect(page.locator("#step-household_members")).to_have_class("step probe current")
    assert in_view(page, "#step-household_members")
    assert page.evaluate("window.scrollY") > 0


def test_a_new_contact_is_marked_new_in_the_completeness_panel(
        new_page: Callable[..., Page], server: Server) -> None:
    page = new_page(bypass_csp=True)  # for axe's script tag only
    interview_id = server.interview_for("tracer", "Lies Smit")
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/interviews/{interview_id}")
    row = page.locator("#pe-roster form.entry-row")
    row.locator("input[name=name]").fill("Gijs Smit")
    row.locator("input[name=fact_age_years]").fill("9")
    with page.expect_response(lambda r: r.url.endswith("/contacts")
                              and r.request.method == "POST"):
        row.locator("input[name=name]").press("Enter")
    expect(page.locator("#opened-note")).to_be_visible()
    expect(page.locator("#completeness li.opened").first).to_contain_text("Gijs Smit")
    expect(page.locator("#score-chip")).to_contain_text("nieuw")
    contact = server.app.get_interview(interview_id).live_contacts[-1]
    assert contact.facts == {"age_years": 9}
    # Its category is asked in the open, without opening the card's details.
    card = page.locator("article.contact", has_text="Gijs Smit")
    expect(card.locator("input[name=fact_duration_min]")).to_be_visible()
    expect(card.locator("details.contact-details")).not_to_have_attribute("open", "")
    # Its line in the completeness panel goes to what is missing, the details left shut.
    page.locator("#completeness .contacts-to-fill a", has_text="Gijs Smit").click()
    expect(card.locator("#co-" + str(contact.contact_id) + " input[name=phone]")).to_be_focused()
    expect(card.locator("details.contact-details")).not_to_have_attribute("open", "")
    assert axe_violations(page) == [] and axe_violations(page, "serious") == []
