"""Which case a signed-in person may see or work on: least privilege, decided in one place."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from flask import abort
from flask_babel import gettext as _

from bco.application import BCOApplication
from bco.audit.store import ASSIGNED, OUTSIDE, POOL, ROLE_WIDE, TEAM
from bco.domain.account import Role
from bco.domain.case import Case
from bco.domain.reference import case_reference as case_reference  # re-exported
from bco.projections.accounts import Colleague, colleagues
from bco.projections.people import SearchScope
from bco.web.readmodels import views


class Person(Protocol):
    name: str
    role: str
    team: str | None


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


def relation_to(app: BCOApplication, person: Person, case: Case) -> str:
    """How the reader stood to the case when reading it, for the access log: its tracer, a
    lead of its team, a pool open to them, a role that reads every case, or none of these."""
    if case.tracer is not None and case.tracer == person.name:
        return ASSIGNED
    if (person.role == Role.TEAM_LEAD and person.team is not None
            and case_team(app, case) == person.team):
        return TEAM
    if person.role in (Role.TRACER, Role.TEAM_LEAD) and in_pool(person, case):
        return POOL
    if person.role in (Role.AUTHORITY, Role.ADMIN):
        return ROLE_WIDE
    return OUTSIDE


def may_work(app: BCOApplication, person: Person, case: Case) -> bool:
    """Log calls and run the interview: the assigned tracer, or a lead of the case's team."""
    if case.tracer is not None and case.tracer == person.name:
        return True
    return (person.role == Role.TEAM_LEAD and person.team is not None
            and case_team(app, case) == person.team)


def may_assign(app: BCOApplication, person: Person, case: Case) -> bool:
    """Assign, reassign or return to the pool: team leads, for the cases they may see."""
    return person.role == Role.TEAM_LEAD and may_see(app, person, case)


def may_print(app: BCOApplication, person: Person, case: Case) -> bool:
    """Download the case file: the health authority for every case (it keeps the record),
    team leads for the cases they may see. Tracers work on screen; a whole printable file
    of someone's health data is more than their calls need."""
    if person.role == Role.AUTHORITY:
        return True
    return person.role == Role.TEAM_LEAD and may_see(app, person, case)


def refusal(app: BCOApplication, person: Person, case: Case) -> str:
    """Why this person may not see the case, and whom to ask: the reason differs per case."""
    team = case_team(app, case)
    if person.role == Role.TRACER and case.tracer is not None:
        if team is not None and team == person.team:
            return _("This case is assigned to %(tracer)s in your team, so only they and your "
                     "team lead can open it. If you should take it over, ask your team lead "
                     "to reassign it to you.", tracer=case.tracer)
        if team is None:
            return _("This case is assigned to %(tracer)s, so only they can open it. If you "
                     "should take it over, ask your team lead to reassign it to you.",
                     tracer=case.tracer)
    if person.role in (Role.TRACER, Role.TEAM_LEAD) and team is not None and team != person.team:
        return _("This case belongs to team %(team)s, not to your team, so it is not shown. "
                 "If it should move to your team, ask the team lead of %(team)s.", team=team)
    return _("This case is not yours or your team's, so it is not shown.")


def visible_case(app: BCOApplication, person: Any, case_id: UUID) -> Case:
    """The case if this person may see it; 404 when it does not exist, 403 otherwise."""
    case = app.get_case(case_id)
    if not may_see(app, person, case):
        abort(403, refusal(app, person, case))
    return case


SEARCHERS = (Role.TRACER, Role.TEAM_LEAD, Role.AUTHORITY)


def search_scope(person: Person) -> SearchScope:
    """The cases a search may find: what each role may open (tracers and leads as may_see),
    and for the health authority the cases whose interview is complete, where its work
    starts; an administrator finds nothing."""
    if person.role == Role.TRACER:
        return SearchScope(tracer=person.name, pool_team=person.team)
    if person.role == Role.TEAM_LEAD:
        return SearchScope(tracer=person.name, pool_team=person.team, team=person.team)
    if person.role == Role.AUTHORITY:
        return SearchScope(interviewed=True)
    return SearchScope()


def may_find(app: BCOApplication, person: Person, case: Case) -> bool:
    """The same rule as search_scope, checked on the case itself (the read model may lag)."""
    if person.role == Role.AUTHORITY:
        return case.interviewed
    return may_see(app, person, case)


def sees_index_name(person: Person) -> bool:
    """The health authority calls contacts and must never let slip who the index is, so its
    search results show references only."""
    return person.role in (Role.TRACER, Role.TEAM_LEAD)


WORKER_ROLES = frozenset({Role.TRACER.value, Role.TEAM_LEAD.value})


def assignees(person: Person) -> list[tuple[str | None, list[Colleague]]]:
    """Whom a lead can give a case to: active tracers and team leads, grouped by team, the
    lead's own team first."""
    groups: dict[str | None, list[Colleague]] = {}
    with views() as db:
        for colleague in colleagues(db):
            if colleague.role in WORKER_ROLES and not colleague.disabled:
                groups.setdefault(colleague.team, []).append(colleague)
    return sorted(groups.items(), key=lambda group: (group[0] != person.team, group[0] is None,
                                                     group[0] or ""))


def assignee(app: BCOApplication, name: str) -> Colleague | None:
    """The active tracer or team lead with this sign-in name, if there is one (read from the
    account itself, so an account made a moment ago counts)."""
    account = app.find_account(name.strip().lower()) if name.strip() else None
    if account is None or account.disabled or account.role not in WORKER_ROLES:
        return None
    return Colleague(name=account.name, role=str(account.role), team=account.team)
