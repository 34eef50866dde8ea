"""The menu each role sees, and role names in the reader's language."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bco.domain.account import Role

# (endpoint, label, roles). Endpoints whose blueprint is not registered are left out.
MENU = [
    ("tracer.worklist", _l("Worklist"), {Role.TRACER, Role.TEAM_LEAD}),
    ("lead.caseload", _l("Caseload"), {Role.TEAM_LEAD, Role.ADMIN}),
    ("dashboard.page", _l("Dashboard"), {Role.TEAM_LEAD, Role.ADMIN}),
    ("tracer.inform_list", _l("Inform contacts"), {Role.TRACER, Role.TEAM_LEAD,
                                                    Role.AUTHORITY}),
    ("audit.admin_log", _l("Access log"), {Role.ADMIN}),
    ("training.home", _l("Practice"), {Role.TRACER, Role.TEAM_LEAD}),
    ("coaching.sample", _l("Coaching"), {Role.TEAM_LEAD}),
    ("coaching.mine", _l("Feedback"), {Role.TRACER}),
]

ROLE_LABELS = {
    Role.TRACER.value: _l("contact tracer"),
    Role.TEAM_LEAD.value: _l("team lead"),
    Role.AUTHORITY.value: _l("health authority"),
    Role.ADMIN.value: _l("administrator"),
}


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [(endpoint, str(label)) for endpoint, label, roles in MENU
            if current_user.role in {r.value for r in roles} and endpoint in endpoints]


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def init_app(app: Flask) -> None:
    from bco.web.auth import current_language

    app.jinja_env.globals.update(nav_links=nav_links, role_label=role_label,
                                 current_language=current_language)
