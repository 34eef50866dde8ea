"""A tracer's whole day in a real browser: from 'next case' to a complete interview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser_support import Server, sign_in
from interview_steps import (
    add_contacts_from_prompt,
    answer_all_questions,
    answer_yes_no,
    close_open_prompts,
    saved,
    say_everything,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_next_case_calls_and_a_complete_interview(page: Page, server: Server,
                                                  output_dir: Path) -> None:
    case_id = server.register_case("Daan Bakker", onset_days_ago=2)
    zone = server.app.settings.zone
    today = datetime.now(tz=UTC).astimezone(zone).date()
    onset = today - timedelta(days=2)

    sign_in(page, server, "tracer")
    page.click("#next-case")
    expect(page).to_have_url(f"{server.url}/cases/{case_id}")

    page.select_option("#call-outcome", "no_answer")
    page.fill("#call-note", "Geen gehoor.")
    page.click("#log-call")
    callback = (datetime.now(tz=UTC).astimezone(zone) + timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M")
    page.select_option("#call-outcome", "callback_requested")
    page.fill("#callback-at", callback)
    page.fill("#call-note", "Belt terug na het werk.")
    page.click("#log-call")
    expect(page.locator("body")).to_contain_text("Belt terug na het werk.")
    page.select_option("#call-outcome", "reached")
    page.click("#log-call")
    page.click("#start-interview")
    expect(page.locator("#now")).to_be_visible()
    assert "/interviews/" in page.url

    say_everything(page)
    answer_all_questions(page, onset)

    # Day by day (newest first): two housemates today, a colleague the day before.
    add_contacts_from_prompt(page, f"step-day-{today.isoformat()}", [
        {"name": "Joris Bakker", "phone": "06 23456789", "relation": "partner", "bubble": True},
        {"name": "Mila Bakker", "phone": "06 34567890", "relation": "kind", "bubble": True},
    ])
    yesterday = today - timedelta(days=1)
    add_contacts_from_prompt(page, f"step-day-{yesterday.isoformat()}", [
        {"name": "Ayla Yilmaz", "phone": "06 45678901", "relation": "collega",
         "setting": "work"},
    ])
    # The colleague is outside the bubble: her category needs duration and distance.
    colleague = page.locator("article.contact", has_text="Ayla Yilmaz")
    colleague.locator("summary").click()
    with saved(page, "/contacts/"):
        colleague.locator("input[name=fact_duration_min]").fill("45")
        colleague.locator("input[name=fact_duration_min]").press("Tab")
    with saved(page, "/contacts/"):
        colleague.locator("input[name=fact_distance_m]").fill("1")
        colleague.locator("input[name=fact_distance_m]").press("Tab")
    expect(colleague.locator(".contact-head")).to_contain_text("2a")
    expect(colleague.locator(".contact-head .badge.outside")).to_be_visible()

    with saved(page, "/answers/household_members"):
        page.click("#done-step-household_members")
    assert close_open_prompts(page) >= 10  # days without contacts, settings, 'anyone else?'
    say_everything(page)

    timeline = page.locator("#timeline")
    expect(timeline.locator(".day", has_text="Joris Bakker")).to_contain_text("Mila Bakker")
    expect(timeline.locator(".day", has_text="Ayla Yilmaz")).to_be_visible()
    expect(page.locator("#completeness-score")).to_have_text("100")
    page.screenshot(path=str(output_dir / "interview-screen.png"), full_page=False)

    page.click("#complete-interview")
    expect(page.locator("#interview-status")).to_have_class("badge ok")
    interview = server.app.get_interview(server.app.get_case(case_id).interview_id)
    assert interview.status == "completed"
    assert len(interview.live_contacts) == 3
    assert [c.household for c in interview.live_contacts] == [True, True, False]


def test_each_answer_moves_next_and_completeness_on(page: Page, server: Server) -> None:
    """'Next' comes with the answer's response; completeness refreshes itself right after."""
    interview_id = server.interview_for("tracer", "Fenna Mulder")
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/interviews/{interview_id}")
    say_everything(page)
    now = page.locator("#now")
    expect(now).to_have_attribute("data-anchor", "step-identity_confirmed")
    missing = page.locator("#completeness a[href='#step-identity_confirmed']")
    expect(missing).to_have_count(1)
    score = page.locator("#completeness-score").inner_text()

    answer_yes_no(page, "identity_confirmed", True)
    expect(now).not_to_have_attribute("data-anchor", "step-identity_confirmed")
    expect(missing).to_have_count(0)
    expect(page.locator("#completeness-score")).not_to_have_text(score)
