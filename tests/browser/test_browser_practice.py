"""A practice interview in Chromium: the trainee puts prompts to the simulated index, skips one
day, and the feedback names the contact that day would have brought back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from browser_support import OUTPUT, Server, axe_violations, sign_in
from interview_steps import saved
from playwright.sync_api import Page, expect

from bco.guides.phrasing import format_day

pytestmark = pytest.mark.browser


def ask(page: Page, prompt: str) -> None:
    page.select_option("#ask-prompt", prompt)
    with saved(page, "/ask"):
        page.click("#ask-index")
    expect(page.locator(f"#index-replies li[data-prompt='{prompt}']")).to_have_count(1)


def test_a_skipped_day_is_named_in_the_feedback(new_page: Callable[..., Page],
                                                server: Server) -> None:
    page = new_page()
    real_events = server.app.store_position()
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/practice")
    page.click("#start-covid-19-birthday-en")
    expect(page.locator("#index-panel")).to_contain_text("My partner Sam is here with me")
    onset = datetime.now(ZoneInfo(server.app.settings.timezone)).date() - timedelta(days=3)
    saturday = onset - timedelta(days=1)

    ask(page, "setting:sport")
    expect(page.locator("#index-replies li[data-prompt='setting:sport']")).to_contain_text(
        "defensive partner")
    for offset in (-2, 0, 1, 2, 3):  # every day but the Saturday of the birthday
        day = onset + timedelta(days=offset)
        ask(page, f"day:{day.isoformat()}")
        expect(page.locator(f"#index-replies li[data-prompt='day:{day.isoformat()}']")
               ).not_to_contain_text("Karin")
    ask(page, "final")

    row = page.locator("#pe-roster form.entry-row").last
    for name in ("Sam Vos", "Jeroen Smit", "Els de Groot"):
        row.locator("input[name=name]").fill(name)
        with saved(page, "/contacts"):
            row.locator("input[name=name]").press("Enter")
        expect(page.locator("#roster-list")).to_contain_text(name)
        row = page.locator("#pe-roster form.entry-row").last
    page.screenshot(path=str(OUTPUT / "practice-interview.png"))

    page.click("#finish-practice")
    missed = page.locator("#feedback-missed li[data-missed]")
    expect(missed).to_have_count(1)
    expect(missed.first).to_have_attribute("data-missed", "Karin Bakker")
    expect(missed.first).to_have_attribute("data-prompt", f"day:{saturday.isoformat()}")
    expect(missed.first).to_contain_text(format_day(saturday, "en"))
    expect(missed.first).to_have_attribute("data-asked", "no")  # the day was never put
    skipped = page.locator("#feedback-skipped li[data-prompt^='day:']")
    expect(skipped).to_have_count(1)  # the days put to the index count as asked
    expect(skipped.first).to_have_attribute("data-prompt", f"day:{saturday.isoformat()}")
    expect(page.locator("#feedback-found")).to_contain_text("3")
    page.screenshot(path=str(OUTPUT / "practice-feedback.png"), full_page=True)
    assert server.app.store_position() == real_events  # all of it in the sandbox


def accessible(page: Page) -> None:
    for impact in ("critical", "serious"):
        found = axe_violations(page, impact)
        assert found == [], [(v["id"], v["help"]) for v in found]


def test_practice_pages_are_accessible(new_page: Callable[..., Page], server: Server) -> None:
    """The practice list, the screen with the index's panel, and the feedback; axe is injected
    as a script tag, which the strict CSP would (rightly) block."""
    page = new_page(bypass_csp=True)
    sign_in(page, server, "tracer2")
    page.goto(f"{server.url}/practice")
    accessible(page)
    page.click("#start-tuberculosis-club-nl")
    ask(page, "household_size")
    accessible(page)
    page.click("#finish-practice")
    expect(page.locator("#feedback-missed li[data-missed]")).to_have_count(3)
    accessible(page)


def test_on_a_phone_a_chip_leads_to_the_index_and_a_link_back(new_page: Callable[..., Page],
                                                              server: Server) -> None:
    """At 390 px the panel sits below the whole interview; the chip reaches it in one tap."""
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, server, "tracer3")
    page.goto(f"{server.url}/practice")
    page.click("#start-measles-grandparents-en")
    expect(page.locator("#index-chip")).to_be_visible()
    expect(page.locator("#ask-index")).not_to_be_in_viewport()
    page.click("#index-chip")
    expect(page.locator("#ask-index")).to_be_in_viewport()
    ask(page, "rash_date")
    page.click(".back-to-call a")
    expect(page.locator("#now")).to_be_in_viewport()
    page.screenshot(path=str(OUTPUT / "practice-phone.png"))
