"""Typing into the interview screen as a tracer on a call does: dates segment by segment,
counts, quick-entry lines, then pausing and completing. Nothing half-typed is saved, and
every refusal is shown next to its field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from browser_support import Server, sign_in
from interview_steps import answer_yes_no, saved
from playwright.sync_api import Page, Request, expect

pytestmark = pytest.mark.browser


def today(server: Server) -> date:
    return datetime.now(tz=UTC).astimezone(server.app.settings.zone).date()


def open_interview(new_page, server: Server, name: str) -> tuple[Page, UUID]:
    """tracer2 works in English; en-US dates are typed month, day, year."""
    interview_id = server.interview_for("tracer2", name)
    page: Page = new_page(locale="en-US")
    sign_in(page, server, "tracer2")
    page.goto(f"{server.url}/interviews/{interview_id}")
    return page, interview_id


def posts_to(page: Page, url_part: str) -> list[str]:
    """The form bodies of every POST to `url_part` from now on."""
    bodies: list[str] = []

    def seen(request: Request) -> None:
        if url_part in request.url and request.method == "POST":
            bodies.append(request.post_data or "")
    page.on("request", seen)
    return bodies


def type_date(page: Page, selector: str, day: date) -> None:
    page.locator(selector).focus()
    page.keyboard.type(day.strftime("%m%d%Y"))


def test_a_date_is_saved_once_when_the_tracer_leaves_it(new_page, server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Noor Visser")
    answer_yes_no(page, "has_symptoms", True)
    onset = today(server) - timedelta(days=3)
    sent = posts_to(page, "/answers/onset_date")

    type_date(page, "#q-onset_date", onset)
    page.wait_for_timeout(300)
    assert sent == []  # every segment fired `change`; none of them saved
    with saved(page, "/answers/onset_date"):
        page.click("#step-onset_date .why")  # the tracer clicks away: the field is left
    expect(page.locator("#qb-onset_date")).to_have_text("Answered")
    assert sent == [sent[0]] and f"value={onset.isoformat()}" in sent[0]
    assert server.app.get_interview(interview_id).answers["onset_date"] == onset.isoformat()


@pytest.mark.expected_refusals
def test_an_impossible_or_half_typed_date_is_said_and_not_saved(new_page,
                                                                server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Sem Visser")
    answer_yes_no(page, "has_symptoms", True)
    onset = today(server) - timedelta(days=3)
    type_date(page, "#q-onset_date", onset)
    with saved(page, "/answers/onset_date"):
        page.keyboard.press("Enter")
    # The onset moves the days to walk through: its section is redrawn, the field with it.
    expect(page.locator("#qb-onset_date")).to_have_text("Answered")
    type_date(page, "#q-onset_date", today(server) + timedelta(days=3))
    with saved(page, "/answers/onset_date") as refused:
        page.keyboard.press("Enter")
    assert refused.value.status == 422  # a refused date is not what is saved
    sent = posts_to(page, "/answers/onset_date")

    field = page.locator("#q-onset_date")
    field.focus()
    page.keyboard.type(f"0231{onset.year}")  # 31 February passes through 3 February
    page.locator("#q-vulnerable_self-1").focus()
    problem = page.locator("#qs-onset_date .date-problem")
    expect(problem).to_contain_text(
        "This date is incomplete or does not exist; check the day, month and year.")
    expect(problem).to_contain_text(
        f"This was not saved; the saved answer is still {onset:%d-%m-%Y}.")
    expect(field).to_have_attribute("aria-invalid", "true")

    field.focus()
    page.keyboard.press("Backspace")  # clears the month: the date is half typed
    page.keyboard.press("Enter")
    expect(field).to_be_focused()  # Enter stays on a date it cannot save
    expect(problem).to_be_visible()
    page.wait_for_timeout(300)
    assert sent == []
    assert server.app.get_interview(interview_id).answers["onset_date"] == onset.isoformat()


@pytest.mark.expected_refusals
def test_a_refused_date_shows_the_servers_message_and_keeps_what_was_typed(
        new_page, server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Lars Visser")
    answer_yes_no(page, "has_symptoms", True)
    for typed, message in ((today(server) + timedelta(days=5),
                            "This date lies in the future; check the day."),
                           (date(2016, 1, 2), "is more than two years ago; check the year.")):
        type_date(page, "#q-onset_date", typed)
        with saved(page, "/answers/onset_date") as answer:
            page.keyboard.press("Enter")
        assert answer.value.status == 422
        status = page.locator("#qs-onset_date")
        expect(status).to_contain_text(message)
        expect(status).to_contain_text("This was not saved; the question is still open.")
        expect(page.locator("#q-onset_date")).to_have_value(typed.isoformat())
        expect(page.locator("#qb-onset_date")).to_have_text("To ask")
    assert "onset_date" not in server.app.get_interview(interview_id).answers


@pytest.mark.expected_refusals
@pytest.mark.parametrize(("typed", "message"), [
    ("-3", "Type a number of 0 or more."), ("2.5", "Type a whole number, e.g. 2."),
])
def test_a_household_size_the_server_refuses_is_said_next_to_it(
        new_page, server: Server, typed: str, message: str) -> None:
    page, interview_id = open_interview(new_page, server, f"Household {typed}")
    field = page.locator("#q-household_size")
    with saved(page, "/answers/household_size") as answer:
        field.fill(typed)
        field.press("Enter")
    assert answer.value.status == 422
    expect(page.locator("#qs-household_size")).to_contain_text(message)
    expect(field).to_have_value(typed)
    expect(page.locator("#qb-household_size")).not_to_have_text("Answered")
    assert "household_size" not in server.app.get_interview(interview_id).answers


def test_the_bubble_is_not_carried_to_the_next_quick_entry_line(new_page,
                                                                server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Julia Mulder")
    roster = page.locator("#pe-roster")
    day = today(server) - timedelta(days=1)
    line = roster.locator("form.entry-row").last
    line.locator("input[name=name]").fill("Sanne Mertens")
    line.locator("input[name=day]").fill(day.isoformat())
    line.locator("select[name=setting]").select_option("home")
    line.locator("input[name=household]").check()
    with saved(page, "/contacts"):
        line.locator("input[name=name]").press("Enter")

    line = roster.locator("form.entry-row").last
    expect(line.locator("input[name=name]")).to_be_focused()
    expect(line.locator("input[name=household]")).not_to_be_checked()
    expect(line.locator("input[name=day]")).to_have_value(day.isoformat())
    expect(line.locator("select[name=setting]")).to_have_value("home")
    page.keyboard.type("Pieter Bakker")
    line.locator("select[name=setting]").select_option("work")
    with saved(page, "/contacts"):
        line.locator("input[name=name]").press("Enter")
    expect(roster.locator(".entry-saved").last).to_contain_text("Pieter Bakker")
    contacts = server.app.get_interview(interview_id).live_contacts
    assert [(c.name, c.household, c.setting) for c in contacts] == [
        ("Sanne Mertens", True, "home"), ("Pieter Bakker", False, "work")]


def test_a_half_typed_contact_day_stops_the_line_with_a_message(new_page,
                                                               server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Eva Mulder")
    line = page.locator("#pe-roster form.entry-row").last
    line.locator("input[name=name]").fill("Kees de Wit")
    line.locator("input[name=day]").focus()
    page.keyboard.type("112")
    page.keyboard.press("Enter")
    expect(line.locator(".date-problem")).to_contain_text("This date is incomplete")
    page.wait_for_timeout(300)
    assert server.app.get_interview(interview_id).live_contacts == []


def test_completing_below_100_asks_first_and_says_what_is_missing(new_page,
                                                                  server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Daan Smit")
    score = page.locator("#completeness-score").inner_text()
    page.click("#complete-interview")
    confirm = page.locator("#confirm-complete")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(f"Completeness is {score} of 100.")
    expect(confirm.locator("h3")).to_contain_text("items still missing?")
    expect(page.locator("#complete-go-back")).to_be_focused()
    assert server.app.get_interview(interview_id).status == "in_progress"
    page.click("#complete-anyway")
    expect(page.locator("#interview-status")).to_have_text("completed")


@pytest.mark.expected_refusals
def test_an_empty_handover_summary_comes_back_next_to_the_field(new_page,
                                                                server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Mila Smit")
    page.fill("#pause-summary", "   ")  # passes the browser's `required`, not the server
    page.check("#pause-handover")
    page.click("#pause-interview")
    expect(page.locator("#pause-summary-problem")).to_contain_text(
        "Write a short handover summary")
    expect(page.locator("#pause-summary")).to_be_focused()
    expect(page.locator("#pause-handover")).to_be_checked()
    page.fill("#pause-summary", "Stopped at the days; household done.")
    page.click("#pause-interview")
    expect(page.locator("#interview-status")).to_have_text("paused")
    assert server.app.get_interview(interview_id).status == "paused"


def test_a_contacts_day_is_saved_once_when_the_tracer_leaves_it(new_page,
                                                                server: Server) -> None:
    page, interview_id = open_interview(new_page, server, "Fenna Bakker")
    server.app.report_contact(interview_id, {"name": "Kees de Wit"}, actor="tracer2")
    page.reload()
    card = page.locator("article.contact", has_text="Kees de Wit")
    card.locator("summary").click()
    sent = posts_to(page, "/contacts/")
    day = today(server) - timedelta(days=2)
    type_date(page, "article.contact input[name=day]", day)
    page.wait_for_timeout(300)
    assert sent == []
    with saved(page, "/contacts/"):
        card.locator("input[name=relation]").focus()
    expect(card.locator(".contact-head")).to_contain_text(f"last contact {day:%d-%m}")
    assert len(sent) == 1 and f"day={day.isoformat()}" in sent[0]
