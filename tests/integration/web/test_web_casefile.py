"""The case file from the web: team leads for their team's cases, the authority for every case,
nobody else; each download in the access log, with no names in the URL, file name or log."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any
from uuid import UUID

import pdfplumber
import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.audit.store import AccessEntry

NAME = "Sanne de Vries"


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(BytesIO(pdf)) as document:
        return " ".join(" ".join(p.extract_text() or "" for p in document.pages).split())


def access_lines(web: Flask) -> list[AccessEntry]:
    return [e for e in web.extensions["bco"].access_log.entries() if e.action == "casefile"]


@pytest.fixture
def north_case(bco_app: BCOApplication, cases: Cases, clock: Any) -> dict[str, Any]:
    """A north case with one contact, then (an hour later) a second one."""
    case_id = cases.register(name=NAME)
    cases.assign(case_id, "tracer")
    interview_id = bco_app.start_interview(case_id, actor="tracer").aggregate_id
    bco_app.report_contact(interview_id, {"name": "Eerste Contact", "day": date(2026, 11, 24)},
                           actor="tracer")
    first = clock.now
    clock.advance(hours=1)
    bco_app.report_contact(interview_id, {"name": "Later Contact", "day": date(2026, 11, 24)},
                           actor="tracer")
    cases.project()
    return {"case_id": case_id, "first": first}


def test_a_lead_downloads_their_teams_case_file(web: Flask, north_case: dict[str, Any]) -> None:
    case_id: UUID = north_case["case_id"]
    answer = sign_in(web, "lead").get(f"/cases/{case_id}/casefile.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="C-{str(case_id)[:8]}.pdf"'
    text = text_of(answer.data)
    assert NAME in text and "Eerste Contact" in text and "Later Contact" in text
    assert f"Dossier C-{str(case_id)[:8]}" in text  # the lead reads Dutch
    [line] = access_lines(web)
    assert (line.account, line.role, line.relation) == ("lead", "team_lead", "team")
    assert line.case_id == case_id and line.detail == ""
    assert line.purpose == "casefile.download" and line.address == "127.0.0.1"
    assert NAME not in repr(web.extensions["bco"].access_log.entries())


def test_as_of_gives_the_case_as_it_stood(web: Flask, north_case: dict[str, Any]) -> None:
    case_id: UUID = north_case["case_id"]
    local = north_case["first"].astimezone(web.extensions["bco_settings"].zone)
    typed = local.strftime("%Y-%m-%dT%H:%M")
    answer = sign_in(web, "authority").get(f"/cases/{case_id}/casefile.pdf?as_of={typed}")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith(
        f'filename="C-{str(case_id)[:8]}-{local:%Y%m%d-%H%M}.pdf"')
    text = text_of(answer.data)
    assert "Eerste Contact" in text and "Later Contact" not in text
    [line] = access_lines(web)
    assert line.account == "authority" and line.detail == "as of " + local.replace(
        second=0, microsecond=0).isoformat()


def test_the_authority_prints_any_case_and_others_are_refused(
        web: Flask, bco_app: BCOApplication, cases: Cases) -> None:
    south = cases.register(name="Zuid Persoon")
    cases.assign(south, "tracer3", "south")
    mine = cases.register()
    cases.assign(mine, "tracer")
    cases.project()
    assert sign_in(web, "authority").get(f"/cases/{south}/casefile.pdf").status_code == 200
    lead = sign_in(web, "lead")
    refused = lead.get(f"/cases/{south}/casefile.pdf")
    assert refused.status_code == 403 and "Zuid Persoon" not in refused.get_data(as_text=True)
    assert lead.get(f"/cases/{mine}/casefile.pdf").status_code == 200
    # Tracers work cases on screen; a printable file of the whole case is not theirs to take.
    assert sign_in(web, "tracer").get(f"/cases/{mine}/casefile.pdf").status_code == 403
    assert sign_in(web, "admin").get(f"/cases/{mine}/casefile.pdf").status_code == 403
    anonymous = web.test_client().get(f"/cases/{mine}/casefile.pdf")
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]
    assert [line.account for line in access_lines(web)] == ["authority", "lead"]


@pytest.mark.parametrize("typed", ["yesterday", "2026-13-01T10:00", "2999-01-01T10:00",
                                   "2020-01-01T10:00"])
def test_a_bad_moment_is_refused_and_not_logged(web: Flask, north_case: dict[str, Any],
                                                typed: str) -> None:
    answer = sign_in(web, "lead").get(f"/cases/{north_case['case_id']}/casefile.pdf",
                                      query_string={"as_of": typed},
                                      headers={"Accept": "application/json"})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "bad_as_of" and list(body["errors"]) == ["as_of"]
    assert access_lines(web) == []


def test_the_case_page_offers_the_download_to_leads_only(
        web: Flask, north_case: dict[str, Any]) -> None:
    case_id = north_case["case_id"]
    page = sign_in(web, "lead").get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="/cases/{case_id}/casefile.pdf"' in page and 'name="as_of"' in page
    tracer_page = sign_in(web, "tracer").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "casefile.pdf" not in tracer_page
