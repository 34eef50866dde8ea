"""Helpers for the web tests: signed-in clients and cases moved along by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from bco.application import BCOApplication
from bco.demo import DEMO_ACCOUNTS
from bco.domain.case import IndexPerson
from bco.projections.runner import ReadModelRunner

PASSWORDS = {name: password for name, _role, _team, _language, password in DEMO_ACCOUNTS}


def runner(flask_app: Flask) -> ReadModelRunner:
    found: ReadModelRunner = flask_app.extensions["bco_runner"]
    return found


def sign_in(flask_app: Flask, name: str, password: str | None = None) -> FlaskClient:
    client = flask_app.test_client()
    answer = client.post("/signin", data={"name": name,
                                          "password": password or PASSWORDS[name]})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


@dataclass
class Cases:
    """Registers cases and moves them along, as the intake and other tracers would."""

    app: BCOApplication
    flask_app: Flask
    clock: Any
    count: int = 0

    def register(self, *, hours_ago: float = 1, name: str = "Sanne de Vries",
                 phone: str = "06 12345678", disease: str = "covid-19") -> UUID:
        self.count += 1
        received = self.clock.now - timedelta(hours=hours_ago)
        recorded = self.app.register_case(
            person=IndexPerson(name=name, phone=phone, birth_date=date(1980, 3, 4)),
            disease=disease, onset=self.clock.now.date() - timedelta(days=2),
            received_at=received, actor="intake")
        return recorded.aggregate_id

    def assign(self, case_id: UUID, tracer: str, team: str | None = "north") -> None:
        """North's lead hands out north's cases; another team's tracer takes it from the pool,
        since a lead gives cases only to tracers of the case's team."""
        self.app.assign_case(case_id, tracer, team, actor="lead" if team == "north" else tracer)

    def project(self) -> None:
        """Bring the read models up to date, as the background runner would."""
        runner(self.flask_app).catch_up()
