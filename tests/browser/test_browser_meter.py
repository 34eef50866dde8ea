"""The completeness meter in a real browser: it starts near 0, says what it means, and a
contact typed in shows how many of its items are still to fill."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_support import Server, sign_in
from interview_steps import add_contacts_from_prompt
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_meter_explains_itself_and_names_a_new_contacts_items(
        page: Page, server: Server, output_dir: Path) -> None:
    interview_id = server.interview_for("tracer2", "Kees Jansen")
    sign_in(page, server, "tracer2")
    page.goto(f"{server.url}/interviews/{interview_id}")
    meter = page.locator("#completeness")
    expect(meter.locator("#completeness-means")).to_contain_text(
        "How much of what the guide requires has been asked and recorded")
    assert int(page.locator("#completeness-score").inner_text()) <= 2
    meter.screenshot(path=str(output_dir / "meter-start.png"))

    today = datetime.now(tz=UTC).astimezone(server.app.settings.zone).date()
    add_contacts_from_prompt(page, f"step-day-{today.isoformat()}", [
        {"name": "Noor Visser", "phone": "06 23456789", "relation": "friend"}])
    expect(meter.locator(".contacts-to-fill")).to_contain_text("Noor Visser: ")
    expect(meter.locator(".contacts-to-fill")).to_contain_text("items to fill")
    meter.screenshot(path=str(output_dir / "meter-new-contact.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#completeness").scroll_into_view_if_needed()
    meter.screenshot(path=str(output_dir / "meter-phone.png"))
