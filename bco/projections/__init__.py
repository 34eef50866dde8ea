"""Read models that follow the event log; every one can be thrown away and rebuilt."""

from __future__ import annotations

from bco.application import BCOApplication
from bco.projections.accounts import Accounts
from bco.projections.activity import Activity
from bco.projections.api_tokens import ApiTokens
from bco.projections.case_index import CaseIndex
from bco.projections.casefile import CaseFile
from bco.projections.caseload import Caseload
from bco.projections.completeness import CompletenessModel
from bco.projections.contacts import Contacts
from bco.projections.exports import Exports
from bco.projections.matches import Matches
from bco.projections.people import People
from bco.projections.prompt_yield import PromptYield
from bco.projections.readmodel import ReadModel
from bco.projections.rebuild import Rebuilder
from bco.projections.retention import Retention
from bco.projections.runner import ReadModelRunner
from bco.projections.timeline import Timeline
from bco.projections.worklist import Worklist
from bco.storage import read_key


def all_read_models(app: BCOApplication) -> list[ReadModel]:
    """Every read model, configured from the application's guides and settings."""
    return [
        Worklist(), Caseload(),
        Timeline(app.settings.timezone, read_key(app.settings) or "", app.catalog.guides),
        CaseFile(),
        Contacts(app.catalog.guides),
        CompletenessModel(app.catalog.guides, app.settings.zone),
        PromptYield(app.settings.timezone), People(), Accounts(), Activity(), ApiTokens(),
        CaseIndex(), Exports(app.catalog.guides), Matches(read_key(app.settings) or ""),
        Retention(),
    ]


def runner_for(app: BCOApplication) -> ReadModelRunner:
    """The runner over views.db with every read model, as the CLI and web server use it."""
    return ReadModelRunner(app, app.settings.views_path, all_read_models(app))


def rebuilder_for(app: BCOApplication) -> Rebuilder:
    """A rebuild of views.db whose helper processes can make every read model themselves."""
    return Rebuilder(runner_for(app), made_by=all_read_models)
