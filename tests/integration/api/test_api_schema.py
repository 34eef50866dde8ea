"""schemathesis over /api/openapi.json with a token: no 5xx, no answer outside its schema."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import schemathesis
from eventsourcing.cryptography import AESCipher
from flask import Flask
from hypothesis import HealthCheck, settings

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.web import create_app

# One app for the whole module: schemathesis builds its tests from the schema at import time.
_made: dict[str, object] = {}


def _app() -> Flask:
    """An app on SQLite with one case in every part of the API, and an authority token."""
    if "flask" not in _made:
        root = Path(tempfile.mkdtemp(prefix="bco-schemathesis-"))
        chosen = Settings(data_dir=root / "data", cipher_key=AESCipher.create_key(16),
                          key_file=root / "events.key", run_projections_in_web=False,
                          secret_key_file=root / "session.key",
                          pseudonym_key_file=root / "pseudonym.key",
                          api_rate_limit="100000/minute")
        chosen.data_dir.mkdir(parents=True)
        app = BCOApplication(chosen, clock=lambda: datetime(2026, 11, 25, 9, tzinfo=UTC))
        token, _ = app.issue_api_token("schemathesis", role="authority", actor="test")
        _seed(app)
        made = create_app(chosen, app)
        made.extensions["bco_runner"].catch_up()
        _made.update(flask=made, app=app, token=token, root=root)
    flask_app: Flask = _made["flask"]  # type: ignore[assignment]
    return flask_app


def _seed(app: BCOApplication) -> None:
    """Cases with and without an interview, so lists and exports have rows to describe."""
    for number in range(3):
        case_id = app.register_case(
            person=IndexPerson(name=f"Index {number}", phone=f"06 1234567{number}",
                               birth_date=date(1980, 1, 2)),
            disease="covid-19", onset=date(2026, 11, 22), actor="test").aggregate_id
        if number:
            app.assign_case(case_id, "tracer", "north", actor="test")
            interview_id = app.start_interview(case_id, actor="test").aggregate_id
            app.record_answer(interview_id, "household_size", 2, actor="test")
            app.report_contact(interview_id, {"name": "Karin", "phone": "06 47658312",
                                              "household": True, "facts": {}},
                               actor="test")


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _app())
schema.config.update(headers={"Authorization": f"Bearer {_made['token']}"})


@pytest.fixture(scope="module", autouse=True)
def _closed() -> Iterator[None]:
    yield
    app: BCOApplication = _made["app"]  # type: ignore[assignment]
    app.close()
    shutil.rmtree(_made["root"])  # type: ignore[arg-type]


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case: schemathesis.Case) -> None:
    # Cursors are opaque strings: one that fits the schema may still not be one of ours (422),
    # so that check alone is left out; every other one, refusals of bad input included, runs.
    response = case.call_and_validate(
        excluded_checks=[schemathesis.checks.positive_data_acceptance])
    assert response.status_code < 500, case.as_curl_command()
