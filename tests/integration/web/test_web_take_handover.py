"""Taking a handed-over case: the notes first, then straight on with the interview."""

from __future__ import annotations

from typing import Any

from flask import Flask
from interview_support import start_interview
from web_support import Cases, sign_in

from bco.application import BCOApplication


def test_the_handover_shows_before_taking_and_taking_opens_the_interview(
        web: Flask, bco_app: BCOApplication, cases: Cases, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    case_id = bco_app.get_interview(interview_id).case_id
    bco_app.pause_interview(interview_id, "Stopped after day 2; partner still to add.",
                            actor="tracer2")
    bco_app.unassign_case(case_id, actor="tracer2")
    cases.project()
    tracer = sign_in(web, "tracer")

    page = tracer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="handover-note"' in page
    assert "Stopped after day 2; partner still to add." in page
    assert "Neem deze casus en ga verder met het gesprek" in page  # tracer reads Dutch

    taken = tracer.post(f"/cases/{case_id}/take",
                        data={"expected_version": str(bco_app.get_case(case_id).version)})
    assert taken.status_code == 302
    assert taken.headers["Location"].endswith(f"/interviews/{interview_id}")
    assert bco_app.get_case(case_id).tracer == "tracer"


def test_a_lead_sees_one_way_on_with_a_handed_over_case(
        web: Flask, bco_app: BCOApplication, clock: Any) -> None:
    """A lead may work the team's cases, and may take one from the pool: for a handed-over
    case the page offers taking it, not a second button that leaves it in the pool."""
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    case_id = bco_app.get_interview(interview_id).case_id
    bco_app.pause_interview(interview_id, "Partner still to add.", actor="tracer2")
    bco_app.unassign_case(case_id, actor="tracer2")
    page = sign_in(web, "lead").get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="take-case"' in page and 'id="handover-note"' in page
    assert 'id="resume-interview"' not in page
    assert f'id="look-at-interview" href="/interviews/{interview_id}"' in page


def test_a_case_without_an_interview_is_taken_to_its_case_page(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    case_id = cases.register()
    cases.project()
    tracer = sign_in(web, "tracer")
    page = tracer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="handover-note"' not in page and '"primary">Neem deze casus</button>' in page
    taken = tracer.post(f"/cases/{case_id}/take",
                        data={"expected_version": str(bco_app.get_case(case_id).version)})
    assert taken.headers["Location"].endswith(f"/cases/{case_id}")


def test_next_case_hands_out_a_handed_over_interview_before_new_cases(
        web: Flask, bco_app: BCOApplication, cases: Cases, clock: Any) -> None:
    older_new_case = cases.register(hours_ago=30)
    interview_id = start_interview(bco_app, clock, tracer="tracer2")
    case_id = bco_app.get_interview(interview_id).case_id
    bco_app.pause_interview(interview_id, "Partner still to add.", actor="tracer2")
    bco_app.unassign_case(case_id, actor="tracer2")
    cases.project()
    tracer = sign_in(web, "tracer")

    pool = tracer.get("/worklist").get_data(as_text=True)
    assert pool.index(f'data-case-id="{case_id}" data-bucket="handed_over"') < pool.index(
        f'data-case-id="{older_new_case}" data-bucket="waiting"')

    taken = tracer.post("/next-case", data={"command_id": "c-1"})
    assert taken.headers["Location"].endswith(f"/interviews/{interview_id}")
    assert bco_app.get_case(case_id).tracer == "tracer"
    assert bco_app.get_case(older_new_case).tracer is None
