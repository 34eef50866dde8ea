"""Every refusal of the API in its one shape: 401, 403, 404, 405, 422 naming the parameter, 429."""

from __future__ import annotations

from uuid import uuid4

import pytest
from api_support import Api, assert_error
from flask import Flask

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import create_app

ENDPOINTS = ("/api/cases", "/api/cases/{case}", "/api/cases/{case}/casefile.pdf",
             "/api/exports/cases", "/api/exports/contacts")


@pytest.fixture
def case_id(api: Api) -> str:
    found = str(api.register())
    api.project()
    return found


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_or_a_bad_token_is_401_with_how_to_authenticate(api: Api, case_id: str,
                                                            endpoint: str) -> None:
    url = endpoint.format(case=case_id)
    for token in (None, "bco.ggd-export.wrong", "not-a-token", ""):
        body = assert_error(api.get(url, token=token), 401)
        assert body["code"] == "unauthorized" and "Bearer" in body["message"]
    answer = api.get(url, token=None)
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="BCO API"'
    assert_error(api.client.get(url, headers={"Authorization": f"Basic {api.token}"}), 401)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_of_another_role_is_403(api: Api, case_id: str, endpoint: str) -> None:
    body = assert_error(api.get(endpoint.format(case=case_id), token=api.tracer_token), 403)
    assert body["code"] == "forbidden"


def test_revoked_and_expired_tokens_stop_working(api: Api, bco_app: BCOApplication) -> None:
    assert api.get("/api/cases").status_code == 200
    bco_app.revoke_api_token("ggd-export", actor="admin")
    assert_error(api.get("/api/cases"), 401)
    short, _ = bco_app.issue_api_token("ggd-export", role="authority", expires_days=1,
                                       actor="admin")
    assert api.get("/api/cases", token=short).status_code == 200
    api.clock.advance(days=1)
    assert_error(api.get("/api/cases", token=short), 401)


def test_an_unknown_case_or_address_is_404(api: Api) -> None:
    body = assert_error(api.get(f"/api/cases/{uuid4()}"), 404)
    assert body["code"] == "not_found" and "No case with id" in body["message"]
    assert_error(api.get(f"/api/cases/{uuid4()}/casefile.pdf"), 404)
    assert_error(api.get("/api/cases/not-a-uuid"), 404)
    assert_error(api.get("/api/nothing-here"), 404)


def test_a_wrong_method_is_405_with_allow(api: Api, case_id: str) -> None:
    reads = {"GET", "HEAD", "OPTIONS"}
    for url, allowed in (("/api/cases", {*reads, "POST"}), (f"/api/cases/{case_id}", reads),
                         ("/api/exports/cases", reads)):
        answer = api.client.put(url, headers={"Authorization": f"Bearer {api.token}"})
        body = assert_error(answer, 405)
        assert body["code"] == "method_not_allowed"
        assert set(answer.headers["Allow"].split(", ")) == allowed


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/cases?updated_since=yesterday", "updated_since"),
    ("/api/cases?updated_since=2026-13-45T00:00:00Z", "updated_since"),
    ("/api/cases?cursor=bm90IGEgY3Vyc29y", "cursor"),
    ("/api/cases?cursor=%%%", "cursor"),
    ("/api/cases?limit=2.5", "limit"),
    ("/api/cases?limit=0", "limit"),
    ("/api/cases?status=lost", "status"),
    ("/api/cases/{case}?as_of=soon", "as_of"),
    ("/api/cases/{case}/casefile.pdf?language=fr", "language"),
    ("/api/exports/cases?format=xml", "format"),
    ("/api/exports/contacts?format=", "format"),
    ("/api/exports/cases?since=garbage", "since"),
    ("/api/exports/contacts?pseudonymised=perhaps", "pseudonymised"),
])
def test_bad_parameters_are_422_naming_the_parameter(api: Api, case_id: str, url: str,
                                                     parameter: str) -> None:
    body = assert_error(api.get(url.format(case=case_id)), 422)
    assert list(body["errors"]["query"]) == [parameter]


def test_a_cases_cursor_is_refused_for_contacts(api: Api) -> None:
    cursor = api.get("/api/exports/cases").headers["BCO-Export-Cursor"]
    body = assert_error(api.get(f"/api/exports/contacts?since={cursor}"), 422)
    assert "not a cursor of the contacts export" in body["errors"]["query"]["since"][0]


def test_too_many_requests_is_429_with_retry_after(api_settings: Settings,
                                                   bco_app: BCOApplication) -> None:
    limited: Flask = create_app(api_settings.with_overrides(api_rate_limit="3/minute"), bco_app)
    token, _ = bco_app.issue_api_token("ggd-pull", role="authority", actor="admin")
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answers = [client.get("/api/cases", headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = assert_error(answers[-1], 429)
    assert body["code"] == "too_many_requests"
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
