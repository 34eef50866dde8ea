"""The team lead's dashboard: what each role sees of which team, bad filters, CSV and JSON."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.web import dashboard
from bco.web.access import case_reference
from bco.web.csv_download import cell


def north_and_south(cases: Cases) -> tuple[UUID, UUID]:
    """A north case and a south case, each received 30 h ago and never called."""
    north = cases.register(hours_ago=30)
    cases.assign(north, "tracer", "north")
    south = cases.register(hours_ago=30)
    cases.assign(south, "tracer3", "south")
    cases.project()
    return north, south


def test_a_lead_sees_their_team_and_nothing_of_another(web: Flask, cases: Cases) -> None:
    north, south = north_and_south(cases)
    body = sign_in(web, "lead").get("/dashboard").get_data(as_text=True)
    assert f'data-case-id="{north}" data-clock="first_call"' in body
    assert str(south) not in body and case_reference(south) not in body
    assert 'data-tracer="tracer3"' not in body
    row = body.split('data-tracer="tracer"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "<td>0</td>" in row and "None" not in row  # no interview


def test_an_admin_sees_every_team_and_may_pick_one(web: Flask, cases: Cases) -> None:
    north, south = north_and_south(cases)
    admin = sign_in(web, "admin")
    body = admin.get("/dashboard").get_data(as_text=True)
    assert str(north) in body and str(south) in body
    body = admin.get("/dashboard?team=south").get_data(as_text=True)
    assert str(south) in body and str(north) not in body


def test_another_team_is_refused_and_an_unknown_one_is_named(web: Flask, cases: Cases) -> None:
    north_and_south(cases)
    lead = sign_in(web, "lead")
    assert lead.get("/dashboard?team=south").status_code == 403
    answer = lead.get("/dashboard?team=atlantis")
    assert answer.status_code == 422
    assert "team" in answer.get_data(as_text=True)
    assert 'id="e-team"' in answer.get_data(as_text=True)


def test_bad_dates_are_422_naming_the_parameter_on_the_page(web: Flask) -> None:
    lead = sign_in(web, "lead")
    answer = lead.get("/dashboard?from=2026-13-01&to=2026-11-20")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="e-from"' in body and 'value="2026-13-01"' in body  # what was typed stays
    inverted = lead.get("/dashboard?from=2026-11-21&to=2026-11-20")
    assert inverted.status_code == 422 and 'id="e-from"' in inverted.get_data(as_text=True)
    disease = lead.get("/dashboard?disease=plague")
    assert disease.status_code == 422 and 'id="e-disease"' in disease.get_data(as_text=True)
    ancient = lead.get("/dashboard?from=0001-01-01&to=0001-01-01")
    assert ancient.status_code == 422 and 'id="e-from"' in ancient.get_data(as_text=True)


def test_kpis_json_for_a_session_and_422_for_bad_input(web: Flask, cases: Cases,
                                                        bco_app: BCOApplication,
                                                        clock: Any) -> None:
    north, _south = north_and_south(cases)
    bco_app.log_call_attempt(north, "reached", actor="tracer")
    cases.project()
    today = clock.now.date().isoformat()
    lead = sign_in(web, "lead")
    found = lead.get(f"/dashboard/kpis.json?from=2026-11-01&to={today}").get_json()
    assert found["team"] == "north" and found["cases"] == 1  # the south case is not counted
    assert found["reached_within_24h"] == 0.0  # reached after 30 h
    assert found["first_call_hours_median"] == 30.0
    assert found["contacts_per_case_median"] is None  # no interview completed
    bad = lead.get("/dashboard/kpis.json?from=yesterday")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"from"}
    assert "from" in bad.get_json()["message"]


def test_every_table_downloads_as_csv_with_the_same_filters(web: Flask, cases: Cases) -> None:
    north, south = north_and_south(cases)
    lead = sign_in(web, "lead")
    for table in ("waiting", "caseload", "stuck", "thin", "yield", "kpis"):
        answer = lead.get(f"/dashboard/{table}.csv?from=2026-11-01&to=2026-11-25")
        assert answer.status_code == 200, table
        assert answer.mimetype == "text/csv"
    text = lead.get("/dashboard/waiting.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["case", "clock", "state"]
    assert [r[0] for r in rows[1:]] == [case_reference(north)]
    assert case_reference(south) not in text
    assert lead.get("/dashboard/waiting.csv?to=2026-02-30").status_code == 422


def test_csv_cells_cannot_become_formulas() -> None:
    assert cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert cell("+31 6 1234") == "'+31 6 1234"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(-3) == "-3" and cell(None) == "" and cell(0.5) == "0.5"
    assert cell(["low_score", "no_outside_contact"]) == "low_score no_outside_contact"


def test_stuck_interview_and_away_tracer(web: Flask, cases: Cases, bco_app: BCOApplication,
                                         clock: Any) -> None:
    case_id = cases.register(hours_ago=2)
    cases.assign(case_id, "tracer2", "north")
    bco_app.log_call_attempt(case_id, "reached", actor="tracer2")
    bco_app.start_interview(case_id, actor="tracer2")
    cases.project()
    lead = sign_in(web, "lead")
    body = lead.get("/dashboard").get_data(as_text=True)
    assert "stuck-heading" in body and f'<tr data-case-id="{case_id}"><td class="pick">' not in body
    clock.advance(hours=9)
    lead = sign_in(web, "lead")  # the first session timed out while idle
    body = lead.get("/dashboard").get_data(as_text=True)
    assert f'<tr data-case-id="{case_id}"><td class="pick">' in body  # nothing recorded for 9 h
    row = body.split('data-tracer="tracer2"')[1].split("</tr>")[0]
    assert "badge warn" in row  # tracer2 recorded nothing for 9 h: away
    interview_id = bco_app.get_case(case_id).interview_id
    assert interview_id is not None
    guide = bco_app.guide_for_interview(bco_app.get_interview(interview_id))
    question = next(q.id for q in guide.questions.values() if q.type == "text")
    bco_app.record_answer(interview_id, question, "Nog bezig", actor="tracer2")
    cases.project()
    body = sign_in(web, "lead").get("/dashboard").get_data(as_text=True)
    assert f'<tr data-case-id="{case_id}"><td class="pick">' not in body  # an answer, just now


def test_the_panels_refresh_with_the_same_filters(web: Flask) -> None:
    lead = sign_in(web, "lead")
    body = lead.get("/dashboard?from=2026-11-01&to=2026-11-20&disease=covid-19"
                    ).get_data(as_text=True)
    assert 'hx-get="/dashboard/panels?from=2026-11-01&amp;to=2026-11-20&amp;team=north' \
           '&amp;disease=covid-19"' in body
    assert 'hx-trigger="every 60s"' in body
    panels = lead.get("/dashboard/panels?from=2026-11-01&to=2026-11-20")
    assert panels.status_code == 200
    assert "<html" not in panels.get_data(as_text=True)


def ticked(bco_app: BCOApplication, *case_ids: UUID) -> list[str]:
    return [f"{c}@{bco_app.get_case(c).version}" for c in case_ids]


def test_bulk_hand_out_from_the_dashboard(web: Flask, cases: Cases,
                                          bco_app: BCOApplication) -> None:
    first, second = cases.register(hours_ago=30), cases.register(hours_ago=29)
    cases.assign(first, "tracer", "north")
    cases.project()
    lead = sign_in(web, "lead")
    page = lead.get("/dashboard").get_data(as_text=True)
    assert f'value="{first}@2"' in page and f'value="{second}@1"' in page
    options = page.split('id="bulk-tracer"')[1].split("</select>")[0]
    assert 'value="tracer2"' in options and 'value="tracer3"' not in options  # own team only
    answer = lead.post("/dashboard/actions", data={
        "case": ticked(bco_app, first, second), "tracer": "tracer2", "reason": "tracer is ill",
        "action": "assign", "from": "2026-11-20", "to": "2026-11-25"})
    assert answer.status_code == 302
    assert "from=2026-11-20" in answer.headers["Location"]  # the filters are kept
    for case_id in (first, second):
        assert bco_app.get_case(case_id).tracer == "tracer2"
        assert bco_app.case_history(case_id)[-1]["data"]["reason"] == "tracer is ill"
    worklist = sign_in(web, "tracer2").get("/worklist").get_data(as_text=True)
    assert str(first) in worklist and str(second) in worklist


def test_bulk_refusals_keep_the_choice_and_change_nothing(web: Flask, cases: Cases,
                                                          bco_app: BCOApplication) -> None:
    north, south = north_and_south(cases)
    lead = sign_in(web, "lead")
    other_team = lead.post("/dashboard/actions", data={
        "case": ticked(bco_app, north), "tracer": "tracer3", "reason": "help",
        "action": "assign"})
    assert other_team.status_code == 422
    assert "checked" in other_team.get_data(as_text=True).split(f'value="{north}@2"')[1][:80]
    assert bco_app.get_case(north).tracer == "tracer"
    assert lead.post("/dashboard/actions", data={
        "case": ticked(bco_app, south), "tracer": "tracer2", "reason": "x",
        "action": "assign"}).status_code == 403
    assert lead.post("/dashboard/actions", data={"tracer": "tracer2", "reason": "x",
                                                 "action": "assign"}).status_code == 422
    stale = [f"{north}@1"]  # seen before it went to tracer
    conflict = lead.post("/dashboard/actions", data={
        "case": stale, "tracer": "tracer2", "reason": "x", "action": "assign"})
    assert conflict.status_code == 409
    assert "tracer" in conflict.get_data(as_text=True)
    assert bco_app.get_case(north).tracer == "tracer"
    assert sign_in(web, "admin").post("/dashboard/actions", data={
        "case": ticked(bco_app, north), "tracer": "tracer2", "reason": "x",
        "action": "assign"}).status_code == 403


def test_priority_from_the_dashboard_orders_the_worklist(web: Flask, cases: Cases,
                                                         bco_app: BCOApplication) -> None:
    older, newer = cases.register(hours_ago=30), cases.register(hours_ago=26)
    cases.project()
    lead = sign_in(web, "lead")
    answer = lead.post("/dashboard/actions", data={
        "case": ticked(bco_app, newer), "priority": "2", "reason": "care home",
        "action": "priority"})
    assert answer.status_code == 302
    assert bco_app.get_case(newer).priority == 2
    pool = sign_in(web, "tracer").get("/worklist").get_data(as_text=True)
    assert pool.index(str(newer)) < pool.index(str(older))


def test_priority_for_several_cases_is_refused_whole(web: Flask, cases: Cases,
                                                     bco_app: BCOApplication) -> None:
    """A conflict on the second ticked case leaves the first as it was (the fuzzer found the
    first one changed under a 409 that said nothing was saved)."""
    first, second = cases.register(hours_ago=30), cases.register(hours_ago=26)
    seen = ticked(bco_app, first, second)
    bco_app.set_case_priority(second, 1, "asked by the GGD", actor="admin")
    cases.project()
    before = bco_app.store_position()
    answer = sign_in(web, "lead").post("/dashboard/actions", data={
        "case": seen, "priority": "2", "reason": "care home", "action": "priority"})
    assert answer.status_code == 409
    assert bco_app.store_position() == before
    assert bco_app.get_case(first).priority == 0


def test_chart_svgs_carry_their_numbers(web: Flask, cases: Cases, bco_app: BCOApplication,
                                        clock: Any) -> None:
    early, late = cases.register(hours_ago=30), cases.register(hours_ago=8)
    bco_app.log_call_attempt(early, "no_answer", actor="tracer")  # after 30 h: over target
    bco_app.log_call_attempt(late, "reached", actor="tracer")  # after 8 h
    cases.project()
    body = sign_in(web, "admin").get("/dashboard").get_data(as_text=True)  # English
    chart = body.split('data-chart="waiting"')[1].split("</figure>")[0]
    assert "<title>6–12 h: 1 cases</title>" in chart
    assert "<title>24–36 h: 1 cases</title>" in chart
    assert "<title>0–6 h: 0 cases</title>" in chart
    assert 'fill="url(#hatch-waiting)"' in chart  # over the target: hatched, not only red
    assert "<th scope=\"row\">24–36 h</th><td>1</td>" in chart  # and in the table
    assert "<script" not in body.split("</head>")[1]
    daily = body.split('data-chart="daily"')[1].split("</figure>")[0]
    today = clock.now.date().isoformat()
    assert f"<th scope=\"row\">{today}</th><td>1</td><td>0</td><td>0</td>" in daily


def test_team_report_is_one_page_with_its_numbers(web: Flask, cases: Cases,
                                                  bco_app: BCOApplication) -> None:
    import pdfplumber

    north, _south = north_and_south(cases)
    bco_app.log_call_attempt(north, "reached", actor="tracer")
    cases.project()
    answer = sign_in(web, "admin").get("/dashboard/report.pdf?team=north")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(answer.data)) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "Team report, team north" in text
    assert "Hours to first call (median) 30.0" in text
    assert "Reached within 24 h 0 %" in text
    assert sign_in(web, "lead").get("/dashboard/report.pdf?to=2026-02-31").status_code == 422
    assert sign_in(web, "tracer").get("/dashboard/report.pdf").status_code == 403


def caseload_figure(body: str) -> str:
    return body.split('data-chart="caseload"')[1].split("</figure>")[0]


def bar_titles(figure: str) -> list[tuple[str, int]]:
    """(day, number) of each bar's <title>, in order: open cases, then breaches, per day."""
    return [(day, int(n)) for day, n in re.findall(r"<title>(\d{4}-\d\d-\d\d): (\d+) ",
                                                   figure)]


def test_caseload_chart_has_its_numbers_for_the_leads_team_only(web: Flask,
                                                                cases: Cases) -> None:
    """Open cases per day, beside the cases of that day that missed the first-call target,
    each number in a <title> and in the table; the other team's case is not counted."""
    north_and_south(cases)  # one case each, received 30 h ago (24 Nov), never called
    lead = caseload_figure(sign_in(web, "lead").get(
        "/dashboard?from=2026-11-24&to=2026-11-25").get_data(as_text=True))
    assert bar_titles(lead) == [("2026-11-24", 1), ("2026-11-24", 1), ("2026-11-25", 1),
                                ("2026-11-25", 0)]
    assert '<th scope="row">2026-11-24</th><td>1</td><td>1</td>' in lead
    admin = caseload_figure(sign_in(web, "admin").get(
        "/dashboard?from=2026-11-24&to=2026-11-25").get_data(as_text=True))
    assert bar_titles(admin)[:2] == [("2026-11-24", 2), ("2026-11-24", 2)]
    assert '<th scope="row">2026-11-24</th><td>2</td><td>2</td>' in admin


def test_team_report_has_the_caseload_chart_and_known_contacts(web: Flask,
                                                               cases: Cases) -> None:
    import pdfplumber

    north_and_south(cases)
    answer = sign_in(web, "lead").get("/dashboard/report.pdf?from=2026-11-24&to=2026-11-25")
    with pdfplumber.open(io.BytesIO(answer.data)) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
    assert "Open cases per day" in text or "Openstaande casussen per dag" in text
    kpis = sign_in(web, "lead").get(
        "/dashboard/kpis.json?from=2026-11-24&to=2026-11-25").get_json()
    assert kpis["known_contacts_among_new_cases"] == 0.0 and kpis["cases"] == 1


def test_the_yield_table_shows_the_first_rows_and_the_csv_has_them_all(
        web: Flask, cases: Cases, bco_app: BCOApplication,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = cases.register(hours_ago=3)
    cases.assign(case_id, "tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    for prompt in ("setting:work", "setting:home", "final"):
        bco_app.answer_follow_up(interview_id, prompt, answer=None, nobody=True, actor="tracer")
    bco_app.complete_interview(interview_id, actor="tracer")
    cases.project()
    monkeypatch.setattr(dashboard, "SHOWN_ROWS", 2)
    lead = sign_in(web, "lead")
    body = lead.get("/dashboard").get_data(as_text=True)  # Dutch
    table = body.split('id="yield-heading"')[1].split("</section>")[0]
    text = lead.get("/dashboard/yield.csv").get_data(as_text=True).lstrip("\ufeff")
    in_csv = list(csv.reader(io.StringIO(text)))[1:]
    assert len(in_csv) >= 3
    assert table.count('<th scope="row">') == 2
    assert f"De eerste 2 van {len(in_csv)}" in unescape(table)
