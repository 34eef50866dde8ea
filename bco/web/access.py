"""Which case a signed-in person may see or work on: least privilege, decided in one place."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from flask import abort
from flask_babel import gettext as _

from bco.application import BCOApplication
from bco.domain.account import Role
from bco.domain.case import Case


class Person(Protocol):
    name: str
    role: str
    team: str | None


def case_reference(case_id: UUID) -> str:
    """A short reference to say to a colleague or show on a list, instead of a name."""
    return f"C-{str(case_id)[:8]}"


def in_pool(person: Person, case: Case) -> bool:
    """Unassigned and not reserved for another team: anyone in the team may pick it up."""
    return case.tracer is None and case.team in (None, person.team)


def case_team(app: BCOApplication, case: Case) -> str | None:
    """The case's team, or its tracer's team when it was assigned without one."""
    if case.team is not None or case.tracer is None:
        return case.team
    account = app.find_account(case.tracer)
    return account.team if account is not None else None


def may_see(app: BCOApplication, person: Person, case: Case) -> bool:
    """Tracers: the pool and their own cases; team leads: the pool and their team's cases."""
    if person.role == Role.TRACER:
        return case.tracer == person.name or in_pool(person, case)
    if person.role == Role.TEAM_LEAD:
        if in_pool(person, case) or case.tracer == person.name:
            return True
        return person.team is not None and case_team(app, case) == person.team
    return False


def may_work(app: BCOApplication, person: Person, case: Case) -> bool:
    """Log calls and run the interview: the assigned tracer, or a lead of the case's team."""
    if case.tracer is not None and case.tracer == person.name:
        return True
    return (person.role == Role.TEAM_LEAD and person.team is not None
            and case_team(app, case) == person.team)


def visible_case(app: BCOApplication, person: Any, case_id: UUID) -> Case:
    """The case if this person may see it; 404 when it does not exist, 403 otherwise."""
    case = app.get_case(case_id)
    if not may_see(app, person, case):
        abort(403, _("This case is not yours or your team's, so it is not shown."))
    return case
