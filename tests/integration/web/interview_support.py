"""An interview under way, set up through the application as the case page would leave it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from bco.application import BCOApplication
from bco.domain.case import IndexPerson

HX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}


def start_interview(app: BCOApplication, clock: Any, tracer: str = "tracer",
                    team: str = "north") -> UUID:
    """A covid-19 case assigned to `tracer`, reached, with its interview started."""
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                           birth_date=date(1980, 3, 4)),
        disease="covid-19", onset=clock.now.date() - timedelta(days=2),
        received_at=clock.now - timedelta(hours=2), actor="intake").aggregate_id
    app.assign_case(case_id, tracer, team, actor="lead" if team == "north" else tracer)
    app.log_call_attempt(case_id, "reached", actor=tracer)
    return app.start_interview(case_id, actor=tracer).aggregate_id
