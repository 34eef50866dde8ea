"""Team leads hand out cases: assign, reassign, back to the pool; conflicts and bad input."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import ConflictError
from bco.projections.accounts import Accounts, colleagues
from bco.projections.runner import ReadModelRunner


@pytest.fixture
def lead2(web: Flask, bco_app: BCOApplication, password_hashes: dict[str, str]) -> FlaskClient:
    """A second, English-speaking lead of team north, so texts can be checked word for word."""
    bco_app.add_user("lead2", role="team_lead", team="north", language="en",
                     password_hash=password_hashes["demo-lead-pass"], actor="test")
    return sign_in(web, "lead2", "demo-lead-pass")


def hand_out(client: FlaskClient, case_id: UUID, version: int, tracer: str = "",
             action: str = "assign", headers: dict[str, str] | None = None,
             **extra: str) -> Any:
    return client.post(f"/cases/{case_id}/assignment", data={
        "expected_version": str(version), "action": action, "tracer": tracer, **extra},
        headers=headers or {})


def version_on_page(page: str) -> int:
    """The version the assignment form was made from, as the browser would send it back."""
    found = re.search(r'name="expected_version" value="(\d+)"', page)
    assert found is not None
    return int(found.group(1))


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.find("</section>", start)]


def test_a_lead_sees_whom_to_give_the_case_to_and_a_tracer_does_not(
        web: Flask, lead2: FlaskClient, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()  # the accounts read model, as the background runner keeps it
    page = lead2.get(f"/cases/{case_id}").get_data(as_text=True)
    card = section(page, "assignment")
    assert "Now with tracer." in card
    assert 'id="assign-tracer"' in card and 'id="unassign-case"' in card
    assert 'label="team north"' in card
    assert '<option value="tracer2">tracer2</option>' in card
    assert "tracer — has it now" in card
    assert 'value="lead">lead (team lead)' in card
    # Only the case's team: the application refuses anyone else (see the team rule tests).
    assert 'label="team south"' not in card and 'value="tracer3"' not in card
    assert 'value="authority"' not in card and 'value="admin"' not in card
    assert 'id="assign-tracer"' not in sign_in(web, "tracer").get(
        f"/cases/{case_id}").get_data(as_text=True)


def test_assigning_a_pool_case_shows_on_the_tracers_worklist_at_once(
        web: Flask, bco_app: BCOApplication, lead2: FlaskClient, cases: Cases) -> None:
    case_id = cases.register()
    cases.project()
    page = lead2.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Nobody has this case yet" in page
    answer = hand_out(lead2, case_id, version_on_page(page), "tracer2")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/cases/{case_id}")
    case = bco_app.get_case(case_id)
    assert (case.tracer, case.team) == ("tracer2", "north")
    assert bco_app.case_history(case_id)[-1]["actor"] == "lead2"
    # No catch-up by hand: the command waited for the read models (read your writes).
    worklist = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in section(worklist, "mine-heading")
    assert f'data-case-id="{case_id}"' not in section(worklist, "pool-heading")
    after = lead2.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Case C-" in after and "is now with tracer2 (team north)." in after
    team = lead2.get("/team/cases?tracer=tracer2").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in team


def test_reassign_from_the_team_list_and_back_to_the_pool(
        web: Flask, bco_app: BCOApplication, lead2: FlaskClient, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    listing = lead2.get("/team/cases?tracer=tracer").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in listing
    version = bco_app.get_case(case_id).version
    answer = hand_out(lead2, case_id, version, "tracer2", back="team", back_tracer="tracer")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/team/cases?tracer=tracer")
    listing = lead2.get("/team/cases?tracer=tracer").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' not in listing
    assert "is now with tracer2 (team north)." in listing
    whole_team = lead2.get("/team/cases").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in section(whole_team, "tracer-tracer2")

    answer = hand_out(lead2, case_id, bco_app.get_case(case_id).version, action="pool",
                      back="team")
    assert answer.status_code == 302
    assert bco_app.get_case(case_id).tracer is None
    whole_team = lead2.get("/team/cases").get_data(as_text=True)
    assert "is back in the pool." in whole_team
    assert f'data-case-id="{case_id}"' in section(whole_team, "pool")
    assert f'data-case-id="{case_id}"' not in section(
        sign_in(web, "tracer2").get("/worklist").get_data(as_text=True), "mine-heading")


def test_a_hand_out_made_meanwhile_is_a_409_that_shows_it_and_keeps_the_choice(
        bco_app: BCOApplication, lead2: FlaskClient, cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    seen = version_on_page(lead2.get(f"/cases/{case_id}").get_data(as_text=True))
    bco_app.assign_case(case_id, "tracer2", "north", actor="lead")  # the other lead, first

    answer = hand_out(lead2, case_id, seen, "lead2")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "lead changed this at 10:00:00 while you were editing." in page
    assert "Their change: lead gave this case to tracer2 at 10:00." in page
    assert '<option value="lead2" selected>' in page  # the lead's own choice, kept
    assert version_on_page(page) == bco_app.get_case(case_id).version  # ready to re-apply
    assert bco_app.get_case(case_id).tracer == "tracer2"

    answer = hand_out(lead2, case_id, seen, action="pool", back="team",
                      headers={"Accept": "application/json"})
    assert answer.status_code == 409
    body = answer.get_json()
    assert body["code"] == "conflict"
    assert body["other_change"]["type"] == "Case.Assigned"
    assert body["other_change"]["data"]["tracer"] == "tracer2"
    assert bco_app.get_case(case_id).tracer == "tracer2"

    answer = hand_out(lead2, case_id, seen, "tracer", back="team")
    assert answer.status_code == 409
    listing = answer.get_data(as_text=True)
    assert "lead gave this case to tracer2" in listing and 'id="tracer-tracer2"' in listing


def test_a_call_logged_meanwhile_is_no_conflict(bco_app: BCOApplication, lead2: FlaskClient,
                                                cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    cases.project()
    seen = version_on_page(lead2.get(f"/cases/{case_id}").get_data(as_text=True))
    bco_app.log_call_attempt(case_id, CallOutcome.NO_ANSWER, actor="tracer")
    assert hand_out(lead2, case_id, seen, "tracer2").status_code == 302
    assert bco_app.get_case(case_id).tracer == "tracer2"


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"tracer": ""}, 422, "Choose whom to give the case to."),
    ({"tracer": "nobody"}, 422, "nobody is not an active tracer or team lead."),
    ({"tracer": "authority"}, 422, "authority is not an active tracer or team lead."),
    ({"tracer": "tracer3-disabled"}, 422, "is not an active tracer or team lead."),
    ({"tracer": "tracer2", "action": "steal"}, 400, "The request was not understood"),
    ({"tracer": "tracer2", "expected_version": "one"}, 400, "The request was not understood"),
    ({"tracer": "x" * 65}, 400, "The request was not understood"),
])
def test_bad_input_is_explained_and_nothing_is_written(
        bco_app: BCOApplication, lead2: FlaskClient, cases: Cases, password_hashes: Any,
        data: dict[str, str], status: int, message: str) -> None:
    bco_app.add_user("tracer3-disabled", role="tracer", team="north",
                     password_hash=password_hashes["demo-tracer-pass"], actor="test")
    bco_app.disable_user("tracer3-disabled", actor="test")
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    before = bco_app.store_position()
    form = {"expected_version": str(bco_app.get_case(case_id).version), "action": "assign",
            **data}
    answer = lead2.post(f"/cases/{case_id}/assignment", data=form)
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    assert bco_app.store_position() == before


def test_a_disabled_account_is_not_offered(bco_app: BCOApplication, lead2: FlaskClient,
                                           cases: Cases) -> None:
    case_id = cases.register()
    cases.project()
    assert 'value="tracer2"' in lead2.get(f"/cases/{case_id}").get_data(as_text=True)
    bco_app.disable_user("tracer2", actor="admin")
    cases.project()
    assert 'value="tracer2"' not in lead2.get(f"/cases/{case_id}").get_data(as_text=True)


def test_the_pool_and_a_closed_case_say_why_nothing_changed(
        bco_app: BCOApplication, lead2: FlaskClient, cases: Cases) -> None:
    pool = cases.register()
    answer = hand_out(lead2, pool, bco_app.get_case(pool).version, action="pool")
    assert answer.status_code == 422
    assert "The case is not assigned to anyone." in answer.get_data(as_text=True)
    closed = cases.register()
    cases.assign(closed, "tracer")
    bco_app.close_case(closed, "Duplicate notification", actor="lead")
    page = lead2.get(f"/cases/{closed}").get_data(as_text=True)
    assert "A closed case is not handed out." in page and 'id="assign-tracer"' not in page
    answer = hand_out(lead2, closed, bco_app.get_case(closed).version, "tracer2")
    assert answer.status_code == 422
    assert "closed" in answer.get_data(as_text=True)
    assert bco_app.get_case(closed).tracer == "tracer"


def test_tracers_and_admins_cannot_hand_out(web: Flask, bco_app: BCOApplication,
                                            cases: Cases) -> None:
    mine = cases.register()
    cases.assign(mine, "tracer")
    pool = cases.register()
    before = bco_app.store_position()
    for name in ("tracer", "admin", "authority"):
        client = sign_in(web, name)
        for case_id in (mine, pool):
            answer = hand_out(client, case_id, bco_app.get_case(case_id).version, "tracer")
            assert answer.status_code == 403, name
        assert client.get("/team/cases").status_code == 403
    assert bco_app.store_position() == before


def test_a_lead_cannot_hand_out_another_teams_case(bco_app: BCOApplication, lead2: FlaskClient,
                                                   cases: Cases) -> None:
    case_id = cases.register()
    cases.assign(case_id, "tracer3", "south")
    answer = hand_out(lead2, case_id, bco_app.get_case(case_id).version, "tracer")
    assert answer.status_code == 403
    assert "This case belongs to team south, not to your team" in answer.get_data(as_text=True)
    assert bco_app.get_case(case_id).tracer == "tracer3"


def test_team_list_has_every_tracer_and_the_pool(bco_app: BCOApplication, lead2: FlaskClient,
                                                 cases: Cases, password_hashes: Any) -> None:
    bco_app.add_user("leaver", role="tracer", team="north",
                     password_hash=password_hashes["demo-tracer-pass"], actor="test")
    held = cases.register()
    cases.assign(held, "leaver")
    bco_app.disable_user("leaver", actor="admin")
    pool = cases.register()
    south = cases.register()
    cases.assign(south, "tracer3", "south")
    cases.project()
    page = lead2.get("/team/cases").get_data(as_text=True)
    for anchor in ("tracer-tracer", "tracer-tracer2", "tracer-lead", "tracer-lead2", "pool"):
        assert f'id="{anchor}"' in page
    assert 'id="tracer-tracer3"' not in page and str(south) not in page
    assert "no active account" in section(page, "tracer-leaver")
    assert f'data-case-id="{held}"' in section(page, "tracer-leaver")
    assert f'data-case-id="{pool}"' in section(page, "pool")
    assert "No open cases." in section(page, "tracer-tracer2")
    missing = lead2.get("/team/cases?tracer=tracer3")
    assert missing.status_code == 404
    assert "Nobody called tracer3 works cases in your team." in missing.get_data(as_text=True)


def test_caseload_links_a_leads_tracers_and_says_none_in_dutch(web: Flask,
                                                               cases: Cases) -> None:
    assigned = cases.register()
    cases.assign(assigned, "tracer2")
    cases.register()
    south = cases.register()
    cases.assign(south, "tracer3", "south")
    cases.project()
    lead = sign_in(web, "lead").get("/caseload").get_data(as_text=True)
    assert 'href="/team/cases?tracer=tracer2">tracer2</a>' in lead
    assert 'href="/team/cases#pool">niemand — in de pool</a>' in lead
    assert 'href="/team/cases">north</a>' in lead
    assert ">tracer3<" in lead and "?tracer=tracer3" not in lead  # another team's tracer
    assert "geen team" in lead
    assert ">(unassigned)<" not in lead and ">(no team)<" not in lead
    admin = sign_in(web, "admin").get("/caseload").get_data(as_text=True)
    assert "/team/cases" not in admin and "nobody — in the pool" in admin


def test_a_tracer_is_told_whose_case_it_is_and_whom_to_ask(
        web: Flask, bco_app: BCOApplication, cases: Cases, password_hashes: Any) -> None:
    bco_app.add_user("tracer4", role="tracer", team="south", language="en",
                     password_hash=password_hashes["demo-tracer-pass"], actor="test")
    case_id = cases.register()
    cases.assign(case_id, "tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    tracer2 = sign_in(web, "tracer2")
    for url in (f"/cases/{case_id}", f"/interviews/{interview_id}"):
        answer = tracer2.get(url)
        assert answer.status_code == 403
        text = answer.get_data(as_text=True)
        assert "This case is assigned to tracer in your team" in text
        assert "ask your team lead to reassign it to you" in text
        assert "not yours or your team's" not in text
    answer = sign_in(web, "tracer4", "demo-tracer-pass").get(f"/cases/{case_id}")
    assert answer.status_code == 403
    assert "This case belongs to team north, not to your team" in answer.get_data(as_text=True)


def test_an_unknown_address_says_so_in_the_readers_language(web: Flask) -> None:
    dutch = sign_in(web, "tracer").get("/no-such-page")
    assert dutch.status_code == 404
    text = dutch.get_data(as_text=True)
    assert "Er is geen pagina op dit adres" in text and "requested URL" not in text
    english = sign_in(web, "tracer2").get("/no-such-page").get_data(as_text=True)
    assert "There is no page at this address" in english


def test_colleagues_and_a_stale_unassign_on_either_store(app: BCOApplication,
                                                         tmp_path: Path) -> None:
    """The list of whom to assign to is the accounts read model, on both backends."""
    runner = ReadModelRunner(app, tmp_path / "views.db", [Accounts()])

    def listed() -> list[tuple[str, str, str | None, bool]]:
        runner.catch_up()
        with runner.reading() as db:
            return [(c.name, c.role, c.team, c.disabled) for c in colleagues(db)]

    app.add_user("anna", role="tracer", team="north", password_hash="x", actor="test")
    assert listed() == [("anna", "tracer", "north", False)]
    app.add_user("bert", role="team_lead", team="east", password_hash="x", actor="test")
    app.disable_user("anna", actor="test")
    app.add_user("cem", role="admin", team=None, password_hash="x", actor="test")
    assert listed() == [("cem", "admin", None, False), ("bert", "team_lead", "east", False),
                        ("anna", "tracer", "north", True)]

    case_id = app.register_case(person=IndexPerson(name="Sanne de Vries", phone="06 12345678"),
                                disease="covid-19", test_date=app.clock().date(),
                                actor="intake").aggregate_id
    app.assign_case(case_id, "bert", "east", actor="bert")
    seen = app.get_case(case_id).version
    app.assign_case(case_id, "carl", "east", actor="dora")
    with pytest.raises(ConflictError) as conflict:
        app.unassign_case(case_id, actor="bert", expected_version=seen)
    assert conflict.value.other_change["data"]["tracer"] == "carl"
    app.log_call_attempt(case_id, CallOutcome.NO_ANSWER, actor="carl")
    app.unassign_case(case_id, actor="bert", expected_version=seen + 1)
    assert app.get_case(case_id).tracer is None
