"""Refusals on the interview screen are shown, never dropped, and never eat what was typed."""

from __future__ import annotations

from uuid import UUID

import pytest
from browser_support import Server, sign_in
from interview_steps import saved
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.expected_refusals]


def open_interview(new_page, server: Server, name: str) -> tuple[Page, UUID]:
    interview_id = server.interview_for("tracer", name)
    page: Page = new_page(locale="nl-NL")
    sign_in(page, server, "tracer")
    page.goto(f"{server.url}/interviews/{interview_id}")
    return page, interview_id


def save_household_size(page: Page, value: str) -> int:
    field = page.locator("#q-household_size")
    with saved(page, "/answers/household_size") as answer:
        field.fill(value)
        field.press("Enter")
    return answer.value.status


def test_a_save_after_signing_out_says_so_and_keeps_the_answer(new_page,
                                                               server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Lotte Smit")
    other_tab = page.context.new_page()
    other_tab.goto(f"{server.url}/worklist")
    other_tab.click("form.signout button")
    expect(other_tab).to_have_url(f"{server.url}/signin")

    assert save_household_size(page, "3") == 401
    banner = page.locator("#htmx-problem")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Je bent afgemeld, dus dit is niet opgeslagen.")
    expect(page.locator("#q-household_size")).to_have_value("3")  # the form stays

    # Signed in again in the other tab, the same save goes through and the banner goes away.
    sign_in(other_tab, server, "tracer")
    assert save_household_size(page, "4") == 200
    expect(banner).to_be_hidden()
    assert server.app.get_interview(interview_id).answers["household_size"] == 4


def test_an_expired_form_is_shown_too(new_page, server: Server) -> None:
    page, _interview_id = open_interview(new_page, server, "Daan Smit")
    page.context.clear_cookies()
    assert save_household_size(page, "2") == 400
    expect(page.locator("#htmx-problem")).to_contain_text("Dit formulier was verlopen.")
    expect(page.locator("#q-household_size")).to_have_value("2")
