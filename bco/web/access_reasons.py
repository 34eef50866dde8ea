"""Why a read happened, in words a team lead or privacy officer reads without knowing the code.

The log keeps what it was given as evidence: the purpose stated when a case file is printed,
otherwise the route (endpoint) that showed the data, or the command that printed it. Only the
screens turn those into words; a value the screens do not know is named as such, never hidden.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Why a case file is printed: offered on the case page, kept with the download in the log.
PURPOSE_LABELS = {
    "follow-up": _l("Follow-up of this case"),
    "index-request": _l("The person concerned asked for it"),
    "transfer": _l("Transfer to another health service"),
    "record": _l("Keeping the record (legal obligation)"),
    "quality": _l("Quality review or audit"),
}

# The routes that show personal data, by what the reader was doing there.
ROUTE_REASONS = {
    "tracer.case_page": _l("Working on the case"),
    "tracer.log_call": _l("Recording a call attempt"),
    "tracer.mark_unreachable": _l("Recording that the index could not be reached"),
    "tracer.invite": _l("Inviting the index to fill in their own details"),
    "tracer.revoke_invite": _l("Withdrawing the invitation to fill in details"),
    "tracer.worklist": _l("Own worklist (to know who calls)"),
    "tracer.search": _l("Searching for a case or person"),
    "tracer.inform_list": _l("Informing contacts"),
    "tracer.inform_csv": _l("Downloading the contacts to inform"),
    "lead.assign": _l("Assigning the case"),
    "interview.screen": _l("Interviewing the index"),
    "interview.pause": _l("Pausing the interview"),
    "casefile.download": _l("Case file printed, no reason given"),
    "audit.case_report": _l("Access report for the index"),
    "cases.get_case": _l("Request through the API"),
    "cases.case_file": _l("Request through the API"),
    "cases.list_cases": _l("Request through the API"),
    "kpis.get_kpis": _l("Request through the API"),
    "exports.cases": _l("Export through the API"),
    "exports.contacts": _l("Export through the API"),
}

# A route not named above (a new one, or one renamed since the entry was written), by its part
# of the application.
AREA_REASONS = {
    "tracer": _l("Working on cases"),
    "lead": _l("Team lead's work on the case"),
    "interview": _l("Interviewing the index"),
    "casefile": _l("Case file printed, no reason given"),
    "cases": _l("Request through the API"),
    "kpis": _l("Request through the API"),
    "exports": _l("Export through the API"),
}

COMMAND_PREFIX = "bco "


def access_reason(purpose: str) -> str:
    """The stored purpose in the reader's language: a stated purpose, what the route or
    command was for, or, for a value no screen knows, words that say so."""
    words = _known_words(purpose)
    return _("Other work in BCO") if words is None else words


def is_known(purpose: str) -> bool:
    """Whether the words say it all; otherwise the screens show the stored value beside them."""
    return _known_words(purpose) is not None


def _known_words(purpose: str) -> str | None:
    if purpose in PURPOSE_LABELS:
        return str(PURPOSE_LABELS[purpose])
    if purpose in ROUTE_REASONS:
        return str(ROUTE_REASONS[purpose])
    if purpose.startswith(COMMAND_PREFIX):
        return _("On the command line (%(command)s)", command=purpose)
    if not purpose:
        return _("No reason recorded")
    area, dot, _name = purpose.partition(".")
    if dot and area in AREA_REASONS:
        return str(AREA_REASONS[area])
    return None
