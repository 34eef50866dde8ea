"""What a tracer does on the interview screen, as small steps the browser tests combine."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

# A covid-19 interview where the index had symptoms, lives with two people and went to work.
YES_NO_ANSWERS = {
    "identity_confirmed": True, "good_moment": True, "has_symptoms": True,
    "vulnerable_self": False, "known_case_contact": False, "gathering": False,
    "travel_abroad": False, "household_vulnerable": False, "went_to_work": True,
    "went_to_school": False, "did_sport": False, "attended_worship": False,
    "had_visits": False, "shared_car": False, "gave_or_got_care": False,
}


def saved(page: Page, url_part: str) -> object:
    """Wait for the htmx request whose URL contains `url_part` to come back."""
    return page.expect_response(lambda r: url_part in r.url and r.request.method == "POST")


def answer_yes_no(page: Page, question: str, value: bool) -> None:
    radio = page.locator(f"#q-{question}-{1 if value else 2}")
    with saved(page, f"/answers/{question}"):
        radio.check()
    expect(page.locator(f"#qb-{question}")).to_have_class("badge ok")


def answer_field(page: Page, question: str, value: str) -> None:
    """Type into a field and press Enter: the answer is saved and focus moves on."""
    field = page.locator(f"#q-{question}")
    with saved(page, f"/answers/{question}"):
        field.fill(value)
        field.press("Enter")
    expect(page.locator(f"#qb-{question}")).to_have_class("badge ok")


def choose(page: Page, question: str, option_index: int) -> None:
    with saved(page, f"/answers/{question}"):
        page.locator(f"#q-{question}-{option_index}").check()


def add_contacts_from_prompt(page: Page, prompt_anchor: str,
                             people: list[dict[str, str | bool]]) -> None:
    """Open the line-list under a prompt and type several people, keyboard only."""
    with page.expect_response(lambda r: "/entry-row" in r.url):
        page.click(f"#add-{prompt_anchor}")
    rows = page.locator(f"#pe-{prompt_anchor} form.entry-row")
    for person in people:
        row = rows.last
        expect(row.locator("input[name=name]")).to_be_focused()
        page.keyboard.type(str(person["name"]))
        page.keyboard.press("Tab")
        page.keyboard.type(str(person.get("phone", "")))
        page.keyboard.press("Tab")
        page.keyboard.type(str(person.get("relation", "")))
        if person.get("setting"):
            row.locator("select[name=setting]").select_option(str(person["setting"]))
        if person.get("bubble"):
            row.locator("input[name=household]").check()
        with saved(page, "/contacts"):
            row.locator("input[name=name]").press("Enter")
        expect(page.locator(f"#pe-{prompt_anchor} .entry-saved").last).to_contain_text(
            str(person["name"]))


def close_open_prompts(page: Page) -> int:
    """Answer 'Nobody' (or 'Nobody else') on every prompt still open; returns how many."""
    closed = 0
    while True:
        button = page.locator(".probe-head.open button[id^=nobody-]:visible").first
        if button.count() == 0:
            return closed
        anchor = (button.get_attribute("id") or "").removeprefix("nobody-")
        with saved(page, "/prompts"):
            button.click()
        expect(page.locator(f"#ph-{anchor}")).not_to_have_class("probe-head open")
        closed += 1


def say_everything(page: Page) -> None:
    """Mark every scripted line shown as said."""
    while True:
        button = page.locator("button[id^=said-]:visible").first
        if button.count() == 0:
            return
        anchor = (button.get_attribute("id") or "").removeprefix("said-")
        with saved(page, "/prompts"):
            button.click()
        expect(page.locator(f"#ph-{anchor} .badge.ok")).to_be_visible()


def answer_all_questions(page: Page, onset: date) -> None:
    """Everything the covid-19 guide asks, in screen order, as an index would answer."""
    for question in ("identity_confirmed", "good_moment", "has_symptoms"):
        answer_yes_no(page, question, YES_NO_ANSWERS[question])
    answer_field(page, "onset_date", onset.isoformat())
    with saved(page, "/answers/symptoms"):
        page.locator("#q-symptoms-2").check()
    for question in ("vulnerable_self", "known_case_contact", "gathering", "travel_abroad"):
        answer_yes_no(page, question, YES_NO_ANSWERS[question])
    answer_field(page, "household_size", "2")
    answer_yes_no(page, "household_vulnerable", False)
    for question in ("went_to_work", "went_to_school", "did_sport", "attended_worship",
                     "had_visits", "shared_car", "gave_or_got_care"):
        answer_yes_no(page, question, YES_NO_ANSWERS[question])
    choose(page, "who_informs", 2)
