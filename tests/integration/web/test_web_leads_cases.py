"""Leads and cases on screen: hand-outs only within the case's team, no calls or pool for a
finished case, and 'next case' that honours the tracer's own overdue callback."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.domain.case import CallOutcome


def test_a_lead_cannot_give_a_north_case_to_tracer3_of_south(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    lead = sign_in(web, "lead")  # Dutch
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'value="tracer3"' not in page and 'value="tracer2"' not in page.split(
        'id="assignment"')[0]
    reference = f"C-{str(case_id)[:8]}"
    before = bco_app.store_position()
    form = {"expected_version": str(bco_app.get_case(case_id).version), "action": "assign",
            "tracer": "tracer3"}
    answer = lead.post(f"/cases/{case_id}/assignment", data=form)
    assert answer.status_code == 422
    assert (f"tracer3 werkt in team south; casus {reference} hoort bij team north. Kies een "
            "contactonderzoeker van team north.") in answer.get_data(as_text=True)
    assert bco_app.store_position() == before and bco_app.get_case(case_id).tracer == "tracer"

    answer = lead.post(f"/cases/{case_id}/assignment", data={**form, "back": "team"},
                       headers={"Accept": "application/json"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["tracer"] == [
        f"tracer3 werkt in team south; casus {reference} hoort bij team north. Kies een "
        "contactonderzoeker van team north."]
    team_list = lead.get("/team/cases").get_data(as_text=True)
    assert 'value="tracer2"' in team_list and 'value="tracer3"' not in team_list


def test_a_completed_case_offers_no_call_and_no_way_back_to_the_pool(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    interview = bco_app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    lead = sign_in(web, "lead")
    open_page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="log-call"' in open_page and 'id="unassign-case"' in open_page
    bco_app.complete_interview(interview, actor="tracer")
    cases.project()
    for client in (lead, sign_in(web, "tracer")):
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert 'id="log-call"' not in page and 'id="log-heading"' not in page
        assert 'id="unassign-case"' not in page
    before = bco_app.store_position()
    call = sign_in(web, "tracer2").post(f"/cases/{case_id}/calls", data={
        "outcome": "no_answer", "note": ""})
    assert call.status_code == 403  # not hers; the tracer's own attempt is refused below
    call = sign_in(web, "tracer").post(f"/cases/{case_id}/calls", data={
        "outcome": "no_answer", "note": ""})
    assert call.status_code == 422
    assert "Het gesprek is afgerond" in call.get_data(as_text=True)
    pool = lead.post(f"/cases/{case_id}/assignment", data={
        "expected_version": str(bco_app.get_case(case_id).version), "action": "pool"})
    assert pool.status_code == 422
    assert "Het gesprek is afgerond" in pool.get_data(as_text=True)
    assert bco_app.store_position() == before

    closed = cases.register()
    cases.assign(closed, "tracer")
    bco_app.close_case(closed, "duplicate", actor="lead")
    page = lead.get(f"/cases/{closed}").get_data(as_text=True)
    assert 'id="log-call"' not in page and 'id="unassign-case"' not in page


def press_next_case(client: object) -> tuple[UUID, str]:
    answer = client.post("/next-case", data={"command_id": "n-1"})  # type: ignore[attr-defined]
    assert answer.status_code == 302
    case_id = UUID(answer.headers["Location"].rsplit("/", 1)[1])
    page = client.get(answer.headers["Location"]).get_data(  # type: ignore[attr-defined]
        as_text=True)
    return case_id, page


def test_next_case_gives_my_overdue_callback_before_the_pool(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    pool = cases.register(hours_ago=20)
    mine = cases.register(hours_ago=2)
    cases.assign(mine, "tracer2")
    bco_app.log_call_attempt(mine, CallOutcome.CALLBACK_REQUESTED,
                             callback_at=cases.clock.now + timedelta(minutes=15),
                             actor="tracer2")
    cases.clock.advance(hours=1)
    cases.project()
    before = bco_app.store_position()
    taken, page = press_next_case(sign_in(web, "tracer2"))
    assert taken == mine
    assert f"Your callback for case C-{str(mine)[:8]} is due. Call the index now." in page
    assert bco_app.get_case(pool).tracer is None and bco_app.store_position() == before
