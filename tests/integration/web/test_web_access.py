"""Every route × every role: pages only for the roles and cases they are meant for, never data.

The routes are read from the app's URL map, so a route added later is covered without editing
this file: with anyone's ids that are not theirs, it must answer with a refusal or a page that
holds none of the case's personal data, and must not write anything.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any
from uuid import UUID

import pdfplumber
import pytest
from flask import Flask
from web_support import Cases, sign_in
from werkzeug.routing import AnyConverter, Rule, UUIDConverter

from bco.application import BCOApplication

SECRET_NAME = "Geheime Persoon"
SECRET_PHONE = "06 47658312"
SECRET_CONTACT = "Verborgen Contact"
SECRET_MARKERS = (SECRET_NAME, "47658312", "+31647658312", SECRET_CONTACT, "Verborgen")

ROLES = ("anonymous", "tracer", "lead", "authority", "admin")
# The API's description and its docs page hold no data; the rest of /api/ wants a token.
PUBLIC = {"static", "auth.signin", "healthz", "api-docs.openapi_json", "api_docs"}
# The health authority informs contacts of every case; an empty form is sent back unsaved.
EVERY_CASE = {("authority", "tracer.log_inform")}
# The health authority keeps the record of every case: it may print any case file (a PDF,
# whose text is read out of it, since in the file itself the text is compressed).
PRINTS_EVERY_CASE = {("authority", "casefile.download")}
# Administrators audit every case's access log: staff and ids, never the case's personal data.
AUDITS_EVERY_CASE = {("admin", "audit.case_log")}
SIGNS_OUT = {"auth.signout"}  # tested in test_web_signin; here it would end the session
# The self-report pages open with a link's token, not a session: a token that opens nothing
# ("x" here) gets the page that says so, for anyone (test_web_citizen covers real links).
BY_LINK = {"citizen.page", "citizen.submit"}
# Pages each role may open at all (with its own data); every other role gets 403.
ROLE_PAGES = {
    "tracer.worklist": {"tracer", "lead"},
    "tracer.inform_list": {"tracer", "lead", "authority"},
    "lead.caseload": {"lead", "admin"},
    "lead.team_cases": {"lead"},
    "tracer.search": {"tracer", "lead", "authority"},
    "tracer.inform_csv": {"tracer", "lead", "authority"},
    "dashboard.page": {"lead", "admin"},
    "dashboard.panels": {"lead", "admin"},
    "dashboard.kpis_json": {"lead", "admin"},
    "audit.admin_log": {"admin"},
    "audit.unusual": {"admin"},
}


@pytest.fixture
def foreign(bco_app: BCOApplication, cases: Cases) -> dict[str, UUID]:
    """A case of team south, with an interview and a contact: none of the north roles' business."""
    case_id = cases.register(name=SECRET_NAME, phone=SECRET_PHONE)
    cases.assign(case_id, "tracer3", "south")
    interview_id = bco_app.start_interview(case_id, actor="tracer3").aggregate_id
    contact_id = bco_app.report_contact(
        interview_id, {"name": SECRET_CONTACT, "phone": "06 11112222", "informs": "authority",
                       "day": date(2026, 11, 23)}, actor="tracer3").aggregate_id
    cases.project()
    return {"case_id": case_id, "interview_id": interview_id, "contact_id": contact_id}


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(BytesIO(pdf)) as document:
        return " ".join(page.extract_text() or "" for page in document.pages)


def url_for_rule(rule: Rule, ids: dict[str, UUID]) -> str:
    """Fill a rule's arguments with the foreign ids (or harmless values for other arguments)."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = "interview" if "interview" in converter.items else sorted(
                converter.items)[0]
        elif isinstance(converter, UUIDConverter):
            values[name] = ids.get(name, ids["interview_id"] if "interview" in str(
                values.get("kind", "")) else ids["case_id"])
        else:
            values[name] = "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def routes(flask_app: Flask) -> list[tuple[Rule, str]]:
    found = []
    for rule in flask_app.url_map.iter_rules():
        if rule.endpoint in PUBLIC | SIGNS_OUT:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return found


def client_as(flask_app: Flask, role: str) -> Any:
    return flask_app.test_client() if role == "anonymous" else sign_in(flask_app, role)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_or_hides_a_foreign_case(web: Flask, bco_app: BCOApplication,
                                                       foreign: dict[str, UUID],
                                                       role: str) -> None:
    client = client_as(web, role)
    checked = 0
    for rule, method in routes(web):
        url = url_for_rule(rule, foreign)
        before = bco_app.store_position()
        answer = client.open(url, method=method, data={})
        pdf = answer.mimetype == "application/pdf"
        body = pdf_text(answer.data) if pdf else answer.get_data(as_text=True)
        where = f"{method} {url} as {role} → {answer.status_code}"
        assert answer.status_code < 500, where
        for marker in SECRET_MARKERS:
            if (role, rule.endpoint) not in PRINTS_EVERY_CASE:
                assert marker not in body, f"{where} shows personal data"
        assert bco_app.store_position() == before, f"{where} wrote to the store"
        if rule.endpoint in BY_LINK:
            assert answer.status_code == 404, where
        elif role == "anonymous":
            assert answer.status_code in (302, 401), where
            if answer.status_code == 302:
                assert "/signin" in answer.headers["Location"], where
        elif rule.rule == "/api/kpis":
            # The one API a lead's or admin's session opens (no period given here: 422).
            expected = 422 if role in ("lead", "admin") else 403
            assert answer.status_code == expected, f"{where}: KPIs are for leads and admins"
        elif rule.rule.startswith("/api/"):
            assert answer.status_code == 401, f"{where}: a session opens no API"
        elif rule.endpoint in ROLE_PAGES and role not in ROLE_PAGES[rule.endpoint]:
            assert answer.status_code == 403, where
        elif (role, rule.endpoint) in PRINTS_EVERY_CASE:
            assert answer.status_code == 200 and answer.mimetype == "application/pdf", where
            assert SECRET_NAME in body, where
            logged = bco_app.access_log.entries()[-1]
            assert (logged.account, logged.action, logged.case_id) == (
                role, "casefile", foreign["case_id"]), where
        elif (role, rule.endpoint) in AUDITS_EVERY_CASE:
            assert answer.status_code == 200 and "C-" in body, where
        elif (role, rule.endpoint) in EVERY_CASE:
            assert answer.status_code in (302, 403, 409, 422), where
        elif rule.arguments & {"case_id", "interview_id", "resource_id", "contact_id"}:
            assert answer.status_code in (400, 403, 404, 405, 409, 422), where
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("role", ROLES)
def test_role_pages(web: Flask, role: str) -> None:
    """Each role reaches its own pages and is refused the others, with a page saying why."""
    client = client_as(web, role)
    for endpoint, allowed in ROLE_PAGES.items():
        rule = next(r for r in web.url_map.iter_rules() if r.endpoint == endpoint)
        answer = client.get(rule.rule)
        if role == "anonymous":
            assert answer.status_code == 302
        elif role in allowed:
            assert answer.status_code == 200, (endpoint, role)
        else:
            assert answer.status_code == 403, (endpoint, role)
            assert "No access" in answer.get_data(as_text=True) or "Geen toegang" in \
                answer.get_data(as_text=True)


def test_own_and_pool_cases_are_visible(web: Flask, cases: Cases) -> None:
    mine = cases.register()
    cases.assign(mine, "tracer")
    pool = cases.register()
    other = cases.register()
    cases.assign(other, "tracer2")
    cases.project()
    tracer = sign_in(web, "tracer")
    assert tracer.get(f"/cases/{mine}").status_code == 200
    assert tracer.get(f"/cases/{pool}").status_code == 200
    assert tracer.get(f"/cases/{other}").status_code == 403
    lead = sign_in(web, "lead")
    assert lead.get(f"/cases/{other}").status_code == 200
    assert sign_in(web, "tracer3").get(f"/cases/{mine}").status_code == 403
    assert sign_in(web, "authority").get(f"/cases/{mine}").status_code == 403


def test_unknown_case_is_a_clear_404(web: Flask) -> None:
    answer = sign_in(web, "tracer").get("/cases/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
