"""The case's story for the case file: who did what and when, from the replayed events.

Each entry keeps a kind and its facts; the template words it in the reader's language. Answers
and contacts have their own parts of the case file, so their events are not repeated here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.invitation import REPLACED, Invitation
from bco.domain.personal import CONTACTS, INDEX
from bco.domain.reference import case_reference


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline: when, who, what kind of step, and its facts."""

    at: datetime
    actor: str
    kind: str
    facts: dict[str, Any] = field(default_factory=dict)


def timeline(events: Iterable[Any], interview: Interview | None) -> list[TimelineEntry]:
    """The events worth a line, oldest first; contact names come from the interview."""
    names = {str(c.contact_id): c.name for c in interview.contacts.values()} if interview else {}
    events = list(events)
    proposed: dict[str, Any] = {}
    taken: dict[str, Any] = {}
    for event in events:  # what the index entered through a link, confirmed or not
        if isinstance(event, Invitation.ContactProposed):
            names.setdefault(str(event.contact_id), event.name)
            proposed[str(event.contact_id)] = event
        elif isinstance(event, Interview.ContactReported):
            taken.setdefault(str(event.contact_id), event)
    entries = []
    for event in events:
        facts = entry_facts(event, names)
        if facts is None:
            continue
        kind, details = facts
        if kind == "proposal_confirmed":
            key = str(event.contact_id)
            details["corrected"] = corrections(proposed.get(key), taken.get(key))
        entries.append(TimelineEntry(event.timestamp, event.actor, kind, details))
    return entries


CORRECTABLE = ("name", "phone", "relation", "day", "setting", "household", "facts", "informs")


def corrections(proposed: Any, confirmed: Any) -> list[str]:
    """The details the tracer changed when confirming what the index entered (read from the
    entry and the contact it became), so the file shows who said which version."""
    if proposed is None or confirmed is None:
        return []
    return [name for name in CORRECTABLE
            if getattr(proposed, name) != getattr(confirmed, name)]


def entry_facts(event: Any, names: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """The kind of line an event makes and what it shows, or None for events left out."""
    match event:
        case Case.Registered():
            return "received", {"received_at": event.received_at, "source": event.source}
        case Case.DetailsCorrected():
            return "corrected", {"fields": sorted(event.changes)}
        case Case.Assigned():
            return "assigned", {"tracer": event.tracer, "team": event.team}
        case Case.Unassigned():
            return "unassigned", {}
        case Case.CallAttemptLogged():
            return "call", {"outcome": event.outcome, "note": event.note,
                            "callback_at": event.callback_at}
        case Case.MarkedUnreachable():
            return "unreachable", {"reason": event.reason}
        case Case.Closed():
            return "closed", {"reason": event.reason}
        case Case.Reopened():
            return "case_reopened", {"reason": event.reason}
        case Case.MatchDecided():
            return "match", {"reference": case_reference(event.other_case_id),
                             "contact": event.contact_id is not None, "same": event.same,
                             "reason": event.reason}
        case Interview.Started():
            return "interview_started", {"guide": f"{event.guide_id} v{event.guide_version}"}
        case Interview.Paused():
            return "handover", {"summary": event.summary}
        case Interview.Resumed():
            return "resumed", {}
        case Interview.Completed():
            return "completed", {}
        case Interview.Reopened():
            return "interview_reopened", {"reason": event.reason}
        case Interview.NoteAdded():
            return "note", {"text": event.text}
        case Interview.ContactRemoved():
            return "contact_removed", {"name": names.get(str(event.contact_id), ""),
                                       "reason": event.reason}
        case Interview.ContactInformOutcomeLogged():
            return "informed", {"name": names.get(str(event.contact_id), ""),
                                "outcome": event.outcome, "note": event.note}
        case Case.PersonalDataErased():
            return "erased_case", {}
        case Interview.PersonalDataErased():
            return "erased_interview", {"index": INDEX in event.parts,
                                        "contacts": CONTACTS in event.parts}
        case Case.InviteSent():
            return "invited", {"expires_at": event.expires_at}
        case Invitation.Revoked():
            return "invite_revoked", {"reason": event.reason,
                                      "replaced": event.reason == REPLACED}
        case Invitation.DayWalked():
            return "day_walked", {"day": event.day}
        case Invitation.ContactProposed():
            return "proposed", {"name": event.name}
        case Invitation.ProposalWithdrawn():
            return "proposal_withdrawn", {"name": names.get(str(event.contact_id), "")}
        case Invitation.ProposalConfirmed():
            return "proposal_confirmed", {"name": names.get(str(event.contact_id), "")}
        case Invitation.ProposalRejected():
            return "proposal_rejected", {"name": names.get(str(event.contact_id), ""),
                                         "reason": event.reason}
    return None
