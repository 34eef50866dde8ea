"""The worklist as a tracer sees it: most urgent first, clocks in words, the pool, the team."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import CallOutcome


def rows_in(page: str, heading_id: str) -> list[UUID]:
    """The case ids of the table under one heading, in the order they are shown."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return [UUID(found) for found in re.findall(r'<tr data-case-id="([0-9a-f-]+)"',
                                                 page[start:end])]


def test_my_cases_in_order_of_urgency(web: Flask, bco_app: BCOApplication, cases: Cases,
                                      clock: object) -> None:
    fresh = cases.register(hours_ago=2)
    late = cases.register(hours_ago=30)
    interview = cases.register(hours_ago=40)
    due_callback = cases.register(hours_ago=1)
    later_callback = cases.register(hours_ago=50)
    for case_id in (fresh, late, interview, due_callback, later_callback):
        cases.assign(case_id, "tracer")
    bco_app.start_interview(interview, actor="tracer")
    now = cases.clock.now
    bco_app.log_call_attempt(due_callback, CallOutcome.CALLBACK_REQUESTED,
                             callback_at=now + timedelta(minutes=30), actor="tracer")
    bco_app.log_call_attempt(later_callback, CallOutcome.CALLBACK_REQUESTED,
                             callback_at=now + timedelta(hours=5), actor="tracer")
    cases.clock.advance(hours=1)
    cases.project()
    page = sign_in(web, "tracer").get("/worklist").get_data(as_text=True)
    assert rows_in(page, "mine-heading") == [due_callback, late, fresh, interview,
                                             later_callback]
    assert "received 31 h ago — over the 24 h target, not called yet" in page or \
        "31 uur geleden" in page


def test_waiting_time_words_in_english(web: Flask, cases: Cases) -> None:
    late = cases.register(hours_ago=26)
    fresh = cases.register(hours_ago=3)
    cases.assign(late, "tracer2")
    cases.assign(fresh, "tracer2")
    cases.project()
    page = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert "received 26 h ago — over the 24 h target, not called yet" in page
    assert "received 3 h ago — 21 h left of the 24 h target" in page


def test_pool_shows_unassigned_cases_of_my_team_only(web: Flask, bco_app: BCOApplication,
                                                      cases: Cases) -> None:
    open_pool = cases.register(hours_ago=5)
    south = cases.register(hours_ago=6)
    cases.assign(south, "tracer3", "south")
    bco_app.unassign_case(south, actor="lead")
    mine = cases.register(hours_ago=1)
    cases.assign(mine, "tracer")
    cases.project()
    north_page = sign_in(web, "tracer").get("/worklist").get_data(as_text=True)
    assert rows_in(north_page, "pool-heading") == [open_pool]
    assert rows_in(north_page, "mine-heading") == [mine]
    south_page = sign_in(web, "tracer3").get("/worklist").get_data(as_text=True)
    assert rows_in(south_page, "pool-heading") == [south, open_pool]


def test_names_only_for_my_own_cases_and_never_phone_numbers(
        web: Flask, web_settings: Settings, cases: Cases) -> None:
    mine = cases.register(name="Fenna Achterberg", phone="06 47658312")
    cases.assign(mine, "tracer")
    cases.register(name="Pool Persoon")
    theirs = cases.register(name="Andere Tracer")
    cases.assign(theirs, "tracer2")
    cases.project()
    page = sign_in(web, "tracer").get("/worklist").get_data(as_text=True)
    assert "Fenna Achterberg" in page and "47658312" not in page
    assert "Pool Persoon" not in page and "Andere Tracer" not in page
    lead_page = sign_in(web, "lead").get("/worklist").get_data(as_text=True)
    assert "Fenna Achterberg" not in lead_page  # the lead's own cases only
    log = web.extensions["bco"].access_log.entries()
    assert {(e.account, e.action, e.case_id) for e in log} == {("tracer", "worklist", mine)}
    assert not (web_settings.data_dir / "access.log").exists()


def test_team_lead_sees_the_teams_cases(web: Flask, cases: Cases) -> None:
    north = cases.register(hours_ago=3)
    cases.assign(north, "tracer2", "north")
    south = cases.register(hours_ago=4)
    cases.assign(south, "tracer3", "south")
    cases.project()
    page = sign_in(web, "lead").get("/worklist").get_data(as_text=True)
    assert rows_in(page, "team-heading") == [north]
    assert "tracer2" in page
    assert 'id="team-heading"' not in sign_in(web, "tracer").get("/worklist").get_data(
        as_text=True)


def test_empty_worklist_says_what_to_do(web: Flask) -> None:
    page = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert "You have no open cases" in page
    assert 'id="next-case"' in page


def test_caseload_counts_without_personal_data(web: Flask, cases: Cases) -> None:
    first = cases.register(name="Ineke Brouwer")
    cases.assign(first, "tracer2", "north")
    cases.register()
    cases.project()
    for name in ("lead", "admin"):
        page = sign_in(web, name).get("/caseload").get_data(as_text=True)
        assert "2 cases in total" in page or "2 casussen in totaal" in page
        assert 'data-dimension="by_tracer" data-value="tracer2"' in page
        assert "COVID-19" in page and "Brouwer" not in page


def test_a_leads_priority_shows_as_a_badge_and_puts_the_case_first(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    older = cases.register(hours_ago=5)
    urgent = cases.register(hours_ago=2)
    high = cases.register(hours_ago=1)
    for case_id in (older, urgent, high):
        cases.assign(case_id, "tracer2")
    bco_app.set_case_priority(urgent, 2, "care home resident", actor="lead")
    bco_app.set_case_priority(high, 1, "asked by the GGD", actor="lead")
    cases.project()
    page = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert rows_in(page, "mine-heading") == [urgent, high, older]

    def row(case_id: UUID) -> str:
        return page.split(f'<tr data-case-id="{case_id}"')[1].split("</tr>")[0]

    assert 'data-priority="2"' in row(urgent) and "urgent" in row(urgent).lower()
    assert 'data-priority="1"' in row(high) and "high" in row(high).lower()
    assert "data-priority" not in row(older)
