"""GET /api/kpis: with an authority's token or a lead's session; bad input named; OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import ERROR_KEYS, Api
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from bco.application import BCOApplication

PASSWORD = "a-long-test-password"


@pytest.fixture
def north_and_south(api: Api, bco_app: BCOApplication, clock: Any) -> None:
    """Two north cases (one reached within 24 h), one south case, and a lead of north."""
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    for name, role, team in (("tracer", "tracer", "north"), ("zoe", "tracer", "south"),
                             ("lena", "team_lead", "north"), ("root", "admin", None)):
        bco_app.add_user(name, role=role, team=team, password_hash=hashed, actor="test")
    quick, slow, south = api.register(), api.register(), api.register()
    bco_app.assign_case(quick, "tracer", "north", actor="lena")
    bco_app.assign_case(slow, "tracer", "north", actor="lena")
    bco_app.assign_case(south, "zoe", "south", actor="root")
    clock.advance(hours=2)
    bco_app.log_call_attempt(quick, "reached", actor="tracer")
    clock.advance(hours=30)
    bco_app.log_call_attempt(slow, "no_answer", actor="tracer")
    api.project()


def session(flask_app: Flask, name: str) -> FlaskClient:
    flask_app.config["WTF_CSRF_ENABLED"] = False
    client = flask_app.test_client()
    assert client.post("/signin", data={"name": name, "password": PASSWORD}).status_code == 302
    return client


def period(clock: Any) -> str:
    day = clock.now.date()
    return f"from={day.replace(day=1).isoformat()}&to={day.isoformat()}"


@pytest.mark.usefixtures("north_and_south")
def test_an_authority_token_reads_every_team(api: Api, clock: Any) -> None:
    found = api.json(f"/api/kpis?{period(clock)}")
    assert found["cases"] == 3 and found["team"] is None
    assert found["cases_past_24h"] == 3
    assert found["reached_within_24h"] == pytest.approx(1 / 3)
    assert found["first_call_hours_median"] == 17.0  # 2 h and 32 h; south not called
    assert found["contacts_per_case_median"] is None and found["cases_without_contacts"] is None
    north = api.json(f"/api/kpis?{period(clock)}&team=north&disease=covid-19")
    assert north["cases"] == 2 and north["reached_within_24h"] == 0.5
    empty = api.json("/api/kpis?from=2020-01-01&to=2020-01-31")
    assert empty["cases"] == 0 and empty["reached_within_24h"] is None
    assert set(empty) >= {"reached_within_24h", "interviewed_within_24h",
                          "contacts_per_case_median", "cases_without_contacts",
                          "contacts_informed_within_24h", "first_call_hours_median", "cases"}


@pytest.mark.usefixtures("north_and_south")
def test_a_lead_session_reads_only_their_team(flask_app: Flask, clock: Any) -> None:
    lead = session(flask_app, "lena")
    found = lead.get(f"/api/kpis?{period(clock)}").json
    assert found["team"] == "north" and found["cases"] == 2
    assert lead.get(f"/api/kpis?{period(clock)}&team=south").status_code == 403
    admin = session(flask_app, "root")
    assert admin.get(f"/api/kpis?{period(clock)}").json["cases"] == 3
    assert session(flask_app, "tracer").get(f"/api/kpis?{period(clock)}").status_code == 403


@pytest.mark.usefixtures("north_and_south")
@pytest.mark.parametrize(("query", "parameter"), [
    ("from=2026-13-01&to=2026-11-30", "from"),
    ("from=2026-11-01&to=yesterday", "to"),
    ("to=2026-11-30", "from"),
    ("from=2026-11-30&to=2026-11-01", "from"),
    ("from=2025-01-01&to=2026-11-30", "to"),
    ("from=2026-11-01&to=2026-11-30&team=atlantis", "team"),
    ("from=2026-11-01&to=2026-11-30&disease=plague", "disease"),
    ("from=0001-01-01&to=0001-01-01", "from"),  # midnight in Amsterdam is before year 1 in UTC
    ("from=9999-12-31&to=9999-12-31", "from"),
])
def test_bad_input_is_422_naming_the_parameter(api: Api, query: str, parameter: str) -> None:
    answer = api.get(f"/api/kpis?{query}")
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert set(answer.json) == ERROR_KEYS
    assert parameter in answer.json["errors"]["query"]


def test_without_a_token_or_session_401_and_a_tracer_token_403(api: Api) -> None:
    assert api.get("/api/kpis?from=2026-11-01&to=2026-11-30", token=None).status_code == 401
    assert api.get("/api/kpis?from=2026-11-01&to=2026-11-30",
                   token=api.tracer_token).status_code == 403


def test_the_openapi_document_describes_it(api: Api) -> None:
    spec = api.client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/kpis"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "team", "disease"}
    assert "422" in operation["responses"]
