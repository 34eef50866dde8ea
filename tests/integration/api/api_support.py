"""Helpers for the API tests: a client with a token, and cases moved along by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bco.application import BCOApplication
from bco.domain.case import IndexPerson

ERROR_KEYS = {"code", "status", "message", "errors"}


@dataclass
class Api:
    """A test client that sends an authority's bearer token, and a tracer's for refusals."""

    flask_app: Flask
    app: BCOApplication
    clock: Any
    token: str
    tracer_token: str
    client: FlaskClient = field(init=False)
    count: int = 0

    def __post_init__(self) -> None:
        self.client = self.flask_app.test_client()

    @classmethod
    def started(cls, flask_app: Flask, app: BCOApplication, clock: Any) -> Api:
        token, _ = app.issue_api_token("ggd-export", role="authority", actor="admin")
        tracer_token, _ = app.issue_api_token("tracer-script", role="tracer", actor="admin")
        return cls(flask_app, app, clock, token, tracer_token)

    def get(self, url: str, token: str | None = "authority", **headers: str) -> TestResponse:
        bearer = self.token if token == "authority" else token
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        return self.client.get(url, headers=headers)

    def json(self, url: str) -> Any:
        answer = self.get(url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.json

    def project(self) -> None:
        self.flask_app.extensions["bco_runner"].catch_up()

    def register(self, *, name: str = "Sanne de Vries", disease: str = "covid-19") -> UUID:
        self.count += 1
        recorded = self.app.register_case(
            person=IndexPerson(name=name, phone=f"06 1234{self.count:04d}",
                               birth_date=date(1980, 3, 4), email="sanne@example.org",
                               postcode="1234 AB"),
            disease=disease, onset=self.clock.now.date() - timedelta(days=2), actor="intake")
        return recorded.aggregate_id

    def interview(self, case_id: UUID, contacts: list[str]) -> UUID:
        """Assign to team north, reach the index, start the interview and report contacts."""
        self.app.assign_case(case_id, "tracer", "north", actor="lead")
        self.app.log_call_attempt(case_id, "reached", actor="tracer")
        interview_id = self.app.start_interview(case_id, actor="tracer").aggregate_id
        self.app.record_answer(interview_id, "household_size", 1, actor="tracer")
        for name in contacts:
            self.add_contact(interview_id, name)
        return interview_id

    def add_contact(self, interview_id: UUID, name: str, *, household: bool = True) -> UUID:
        return self.app.report_contact(interview_id, {
            "name": name, "phone": "06 47658312", "household": household, "facts": {},
            "day": self.clock.now.date() - timedelta(days=1), "setting": "home",
            "informs": "authority"}, actor="tracer").aggregate_id


def assert_error(answer: TestResponse, status: int) -> dict[str, Any]:
    """The API's one error shape, with the status in the body matching the answer's."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json"
    body = json.loads(answer.get_data(as_text=True))
    assert set(body) == ERROR_KEYS and body["status"] == status and body["message"]
    return dict(body)
