"""Handover and conflicts between two people, each in their own browser context."""

from __future__ import annotations

import pytest
from browser_support import Server, sign_in
from interview_steps import answer_field, answer_yes_no, saved
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_second_tracer_never_meets_an_answered_question(new_page, server: Server) -> None:
    interview_id = server.interview_for("tracer", "Noor Visser")
    first: Page = new_page()
    sign_in(first, server, "tracer")
    first.goto(f"{server.url}/interviews/{interview_id}")
    for question in ("identity_confirmed", "good_moment", "has_symptoms"):
        answer_yes_no(first, question, True)
    answer_field(first, "household_size", "3")
    first.fill("#pause-summary", "Index moest naar de huisarts. Huisgenoten nog noteren.")
    first.check("#pause-handover")
    first.click("#pause-interview")
    expect(first.locator("#interview-status")).to_have_class("badge warn")

    second: Page = new_page()
    sign_in(second, server, "tracer2")
    second.goto(f"{server.url}/interviews/{interview_id}")
    expect(second.locator("#handover")).to_contain_text("Huisgenoten nog noteren")
    second.click("#resume-interview")
    expect(second.locator("#interview-status")).not_to_have_class("badge warn")

    answered = {"identity_confirmed", "good_moment", "has_symptoms", "household_size"}
    for question in answered:
        expect(second.locator(f"#qb-{question}")).to_have_class("badge ok")
    expect(second.locator("#q-household_size")).to_have_value("3")
    # Walk on as the guide proposes: an answered question is never proposed again.
    for _ in range(12):
        anchor = second.locator("#now").get_attribute("data-anchor") or ""
        assert anchor.removeprefix("step-") not in answered, anchor
        step = second.locator(f"#{anchor}")
        said = step.locator("button[id^=said-]")
        if said.count():
            with saved(second, "/prompts"):
                said.click()
            expect(said).to_have_count(0)
            continue
        question = anchor.removeprefix("step-")
        if step.locator("input[type=radio]").count():
            answer_yes_no(second, question, False)
        elif step.locator("input[type=date]").count():
            answer_field(second, question, server.app.get_case(
                server.app.get_interview(interview_id).case_id).onset.isoformat())
        else:
            break
        answered.add(question)
    interview = server.app.get_interview(interview_id)
    assert interview.tracer == "tracer2"
    assert server.app.get_case(interview.case_id).tracer == "tracer2"


@pytest.mark.expected_refusals
def test_two_people_editing_the_same_answer(new_page, server: Server) -> None:
    interview_id = server.interview_for("tracer", "Bram de Boer")
    tracer: Page = new_page()
    lead: Page = new_page()
    sign_in(tracer, server, "tracer")
    sign_in(lead, server, "lead")
    for person in (tracer, lead):
        person.goto(f"{server.url}/interviews/{interview_id}")

    answer_field(tracer, "household_size", "2")

    field = lead.locator("#q-household_size")
    with saved(lead, "/answers/household_size") as response_info:
        field.fill("4")
        field.press("Enter")
    assert response_info.value.status == 409
    problem = lead.locator("#qs-household_size .problem-inline")
    expect(problem).to_contain_text("tracer")
    expect(problem.locator(".their-value")).to_have_text("2")
    expect(field).to_have_value("4")  # what the lead typed is still there

    with saved(lead, "/answers/household_size"):
        lead.click("#keep-mine-household_size")
    expect(lead.locator("#qs-household_size")).to_contain_text("✓")
    assert server.app.get_interview(interview_id).answers["household_size"] == 4
