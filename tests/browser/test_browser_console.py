"""Every main page, as tracer, team lead and health authority, with the browser's console
watched: any error (script, CSP, htmx) fails the test (the `new_page` fixture). Also the
language switch, our own required-field message and a missing-item link, as a user meets them
(issue 12 items 4, 6 and 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from babel.dates import format_date
from browser_support import ConsoleErrors, Server, sign_in
from conftest import REPORT_CSP_VIOLATIONS
from interview_steps import answer_yes_no, saved, say_everything
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def completed_interview(server: Server, name: str) -> UUID:
    """A north case whose interview is complete, with two contacts the service informs."""
    interview_id = server.interview_for("tracer", name)
    app = server.app
    app.record_answer(interview_id, "who_informs", "authority", actor="tracer")
    app.report_contact(interview_id, {"name": "Bram Kok", "phone": "0611111111",
                                      "household": True}, actor="tracer")
    app.report_contact(interview_id, {"name": "Lies Kok", "phone": "+32470123456"},
                       actor="tracer")
    app.complete_interview(interview_id, actor="tracer")
    return interview_id


def visit(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_every_main_page_as_each_role_without_console_errors(
        new_page: Callable[..., Page], server: Server, viewport: dict[str, int]) -> None:
    done = completed_interview(server, "Kees Kok")
    done_case = server.app.get_interview(done).case_id
    open_interview = server.interview_for("tracer", "Roos Kok")
    open_case = server.app.get_interview(open_interview).case_id
    waiting = server.register_case("Wim Kok")

    tracer = new_page(viewport=viewport)
    sign_in(tracer, server, "tracer")
    for path in ("/worklist", f"/cases/{waiting}", f"/cases/{open_case}", "/inform",
                 f"/interviews/{done}"):
        visit(tracer, server.url + path)

    # The interview: answers, "that is everyone", contacts added and changed, a handover note.
    visit(tracer, f"{server.url}/interviews/{open_interview}")
    say_everything(tracer)
    answer_yes_no(tracer, "identity_confirmed", True)
    answer_yes_no(tracer, "good_moment", True)
    tracer.fill("#q-household_size", "1")
    with saved(tracer, "/answers/household_size"):
        tracer.press("#q-household_size", "Enter")
    with tracer.expect_response(lambda r: "/entry-row" in r.url):
        tracer.click("#add-step-household_members")
    row = tracer.locator("#pe-step-household_members form.entry-row").last
    row.locator("input[name=name]").fill("Joris Kok")
    row.locator("input[name=phone]").fill("06 23456789")
    with saved(tracer, "/contacts"):
        row.locator("input[name=name]").press("Enter")
    with saved(tracer, "/answers/household_members"):
        tracer.click("#done-step-household_members")
    card = tracer.locator("article.contact", has_text="Joris Kok")
    card.locator("summary").click()
    with saved(tracer, "/contacts/"):
        card.locator("input[name=relation]").fill("partner")
        card.locator("input[name=relation]").press("Tab")
    expect(card.locator(".contact-head")).to_contain_text("06 23456789")
    tracer.wait_for_load_state("networkidle")

    lead = new_page(viewport=viewport)
    sign_in(lead, server, "lead")
    for path in ("/worklist", "/team/cases", "/caseload", f"/cases/{open_case}",
                 f"/cases/{done_case}", f"/interviews/{open_interview}", "/inform"):
        visit(lead, server.url + path)
    visit(lead, f"{server.url}/dashboard")
    expect(lead.locator("#dashboard-panels")).to_be_visible()

    authority = new_page(viewport=viewport)
    sign_in(authority, server, "authority")
    visit(authority, f"{server.url}/inform")
    expect(authority.locator("body")).to_contain_text("Lies Kok")
    authority.fill("#search-term", "Kees")
    authority.press("#search-term", "Enter")
    authority.wait_for_load_state("networkidle")


def test_the_language_switch_and_our_own_required_field_message(
        new_page: Callable[..., Page], server: Server) -> None:
    interview_id = server.interview_for("tracer", "Sem Kok")
    page = new_page(locale="en-US")  # the browser would complain in English
    sign_in(page, server, "tracer")
    visit(page, f"{server.url}/interviews/{interview_id}")
    summary = page.locator("#pause-summary")
    page.click("#pause-interview")
    assert summary.evaluate("el => el.validationMessage") == "Vul dit veld in."
    assert "/interviews/" in page.url  # nothing was sent

    # A date field says its day in words in the page's language, whatever the browser's
    # locale writes in the field itself (mm/dd/yyyy here).
    contact = server.app.report_contact(interview_id, {"name": "Noor"}, actor="tracer")
    contact_id = next(iter(contact.saved.contacts.values())).contact_id
    page.reload()
    page.locator("article.contact", has_text="Noor").locator("summary").click()
    day = datetime.now(tz=UTC).astimezone(server.app.settings.zone).date() - timedelta(days=2)
    page.fill(f"#c-{contact_id}-day", day.isoformat())
    expect(page.locator(f"#c-{contact_id}-day + .date-words")).to_have_text(
        format_date(day, "EEEE d MMMM y", locale="nl"))

    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(f"/interviews/{interview_id}")
    expect(page.locator("#finish-heading")).to_have_text("Pause or complete")
    page.click("#pause-interview")
    assert summary.evaluate("el => el.validationMessage") == "Fill in this field."
    summary.fill("Stopped before the household.")
    assert summary.evaluate("el => el.validationMessage") == ""
    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_a_missing_day_link_focuses_the_day_field(new_page: Callable[..., Page],
                                                  server: Server) -> None:
    interview_id = server.interview_for("tracer2", "Fem Kok")
    contact = server.app.report_contact(interview_id, {"name": "Noor", "phone": "0612345678"},
                                        actor="tracer2")
    contact_id = next(iter(contact.saved.contacts.values())).contact_id
    page = new_page()
    sign_in(page, server, "tracer2")
    visit(page, f"{server.url}/interviews/{interview_id}")
    link = page.locator("#completeness a", has_text="Contact Noor: date of last contact")
    if not link.is_visible():
        page.click("#completeness details.more-missing summary")
    link.click()
    expect(page.locator(f"#c-{contact_id}-day")).to_be_focused()


def test_the_watch_sees_an_inline_style_the_policy_blocks(browser: Browser,
                                                          server: Server) -> None:
    """The check above would pass on a watch that sees nothing: here an htmx-like swap brings
    a style attribute, and the page's CSP report reaches the watch as an error."""
    errors = ConsoleErrors()
    context = browser.new_context()
    try:
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("page", errors.watch)
        page = context.new_page()
        page.goto(f"{server.url}/signin")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                      "'<p style=\"color: red\">swapped in</p>')")
        page.wait_for_timeout(200)
    finally:
        context.close()
    assert any("CSP violation: style-src-attr" in error for error in errors.found), errors.found
