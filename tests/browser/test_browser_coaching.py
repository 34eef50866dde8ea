"""A team lead coaches a real interview in Chromium: picks it from the sample, scores it on the
rubric, leaves feedback; the tracer reads the words and never the scores."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import OUTPUT, Server, axe_violations, sign_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ITEMS = ("identity_checked", "window_explained", "every_day_walked", "every_setting_asked",
         "bubble_probed", "who_informs_agreed", "next_steps_explained")
FEEDBACK = "Goed doorgevraagd; loop volgende keer ook de dag voor de eerste klachten door."


def accessible(page: Page) -> None:
    for impact in ("critical", "serious"):
        found = axe_violations(page, impact)
        assert found == [], [(v["id"], v["help"]) for v in found]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_lead_scores_an_interview_and_the_tracer_reads_the_feedback(
        new_page: Callable[..., Page], server: Server, width: int) -> None:
    interview_id = server.interview_for("tracer", f"Coaching Index {width}")
    server.app.complete_interview(interview_id, actor="tracer")
    lead = new_page(bypass_csp=True, viewport={"width": width, "height": 844})
    sign_in(lead, server, "lead")
    lead.goto(f"{server.url}/coaching")
    row = lead.locator(f'tr[data-interview-id="{interview_id}"]').first
    expect(row).to_be_visible()  # a team of one completed interview: it is in the sample
    accessible(lead)
    row.locator("a").click()
    for item in ITEMS:
        lead.check(f"input[name='score_{item}'][value='{1 if item == 'bubble_probed' else 2}']")
    lead.fill("textarea[name=feedback]", FEEDBACK)
    accessible(lead)
    lead.locator("form button[type=submit]").last.click()
    expect(lead.locator(".flash")).to_be_visible()
    expect(lead.locator("li[data-item='bubble_probed']")).to_contain_text("(1)")
    lead.screenshot(path=str(OUTPUT / f"coaching-review-{width}.png"), full_page=True)

    tracer = new_page(viewport={"width": width, "height": 844})
    sign_in(tracer, server, "tracer")
    tracer.goto(f"{server.url}/coaching/feedback")
    expect(tracer.locator("main")).to_contain_text(FEEDBACK)
    for score_word in ("punten", "Deels", "Goed gedaan"):  # the words, not the scores
        expect(tracer.locator("main")).not_to_contain_text(score_word)
    case_id = server.app.get_interview(interview_id).case_id
    tracer.goto(f"{server.url}/cases/{case_id}")
    expect(tracer.locator("#coaching-reviews")).to_have_count(0)
    lead.goto(f"{server.url}/cases/{case_id}")
    expect(lead.locator("#coaching-reviews")).to_contain_text(FEEDBACK)
