"""Leads and cases on screen: hand-outs only within the case's team."""

from __future__ import annotations

from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication


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

