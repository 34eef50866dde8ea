"""Case file: what a printable case file needs in one place, without personal data.

The PDF takes names, answers and free text (notes, handover summaries, reasons) from the
aggregates when it is printed; this read model holds the ids, dates, statuses, counts and
an audit log of who did what and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import STATUS_AFTER, InformOutcome, Interview
from bco.projections.readmodel import (
    CASE_EVENTS,
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    evolve_case_flags,
    fetch_row,
    fetch_rows,
    key_text,
    utc_text,
)

TABLE = "casefile"
LOG = "casefile_log"
CONTACTS = "casefile_contacts"

INTERVIEW_EVENTS: tuple[type, ...] = (
    Interview.Started, Interview.AnswerRecorded, Interview.AnswerChanged,
    Interview.ContactReported, Interview.ContactUpdated, Interview.ContactRemoved,
    Interview.ContactInformOutcomeLogged, Interview.FollowUpRaised, Interview.FollowUpAnswered,
    Interview.NoteAdded, Interview.Paused, Interview.Resumed, Interview.Completed,
    Interview.Reopened,
)
COUNTERS = ("call_attempts", "answers", "follow_ups_raised", "follow_ups_answered", "notes",
            "handovers", "log_entries")


def log_detail(event: Any) -> str | None:
    """The non-personal gist of an event for the audit log: an outcome, an id, a tracer."""
    if isinstance(event, Case.CallAttemptLogged | Interview.ContactInformOutcomeLogged):
        return str(event.outcome)
    if isinstance(event, Case.Assigned):
        return event.tracer if not event.team else f"{event.tracer} ({event.team})"
    if isinstance(event, Case.DetailsCorrected):
        return ", ".join(sorted(event.changes))
    if isinstance(event, Interview.AnswerRecorded):
        return str(event.question_id)
    if isinstance(event, Interview.FollowUpRaised | Interview.FollowUpAnswered):
        return str(event.prompt_id)
    if isinstance(event, Interview.ContactUpdated):
        return f"{event.contact_id}: {', '.join(sorted(event.changes))}"
    if isinstance(event, Interview.ContactReported | Interview.ContactRemoved):
        return key_text(event.contact_id)
    if isinstance(event, Interview.Started):
        return f"{event.guide_id} v{event.guide_version}"
    return None


def log_entry(row: Row, event: Any, at: str | None = None) -> Row:
    return {"case_id": row["case_id"], "seq": row["log_entries"],
            "at": at or utc_text(event.timestamp), "actor": event.actor,
            "event": type(event).__qualname__, "detail": log_detail(event)}


def on_case_event(row: Row | None, event: Any) -> Row:
    """The case file header after a case event."""
    if isinstance(event, Case.Registered):
        row = {"case_id": key_text(event.originator_id), "disease": event.disease,
               "source": event.source, "language": event.language,
               "onset": day_text(event.onset), "test_date": day_text(event.test_date),
               "received_at": utc_text(event.received_at), "guide_id": None,
               "guide_version": None, "guide_hash": None, "interview_status": None,
               "interview_started_at": None, "interview_completed_at": None,
               "closed_at": None, "contacts_reported": 0, "contacts_live": 0,
               "contacts_informed": 0, **dict.fromkeys(COUNTERS, 0)}
    assert row is not None, "a case event before its registration"
    row = dict(row)
    if isinstance(event, Case.DetailsCorrected):
        for key in ("disease", "source", "language"):
            if key in event.changes:
                row[key] = event.changes[key]
        for key in ("onset", "test_date"):
            if key in event.changes:
                row[key] = day_text(event.changes[key])
    elif isinstance(event, Case.CallAttemptLogged):
        row["call_attempts"] += 1
    elif isinstance(event, Case.Closed):
        row["closed_at"] = utc_text(event.timestamp)
    elif isinstance(event, Case.Reopened):
        row["closed_at"] = None
    row.update(evolve_case_flags(row, event))
    row["log_entries"] += 1
    return row


def on_interview_event(row: Row, event: Any, moment: str | None = None) -> Row:
    """The case file header after an event of the case's interview."""
    row = dict(row)
    moment = moment or utc_text(event.timestamp)
    if isinstance(event, Interview.Started):
        row.update(guide_id=event.guide_id, guide_version=event.guide_version,
                   guide_hash=event.guide_hash, interview_started_at=moment)
    elif isinstance(event, Interview.AnswerChanged):
        pass
    elif isinstance(event, Interview.AnswerRecorded):
        row["answers"] += 1
    elif isinstance(event, Interview.FollowUpRaised):
        row["follow_ups_raised"] += 1
    elif isinstance(event, Interview.FollowUpAnswered):
        row["follow_ups_answered"] += 1
    elif isinstance(event, Interview.NoteAdded):
        row["notes"] += 1
    elif isinstance(event, Interview.Paused):
        row["handovers"] += 1
    elif isinstance(event, Interview.Completed):
        row["interview_completed_at"] = moment
    status = STATUS_AFTER.get(type(event))
    if status is not None:
        row["interview_status"] = status.value
    row["log_entries"] += 1
    return row


def on_contact_event(contact: Row | None, case_id: str, event: Any) -> Row | None:
    """The case file's note of one contact: whether it stands and whether it was informed."""
    if isinstance(event, Interview.ContactReported):
        return {"contact_id": key_text(event.contact_id), "case_id": case_id, "removed": 0,
                "inform_outcome": None}
    if contact is None:
        return None
    if isinstance(event, Interview.ContactRemoved):
        return {**contact, "removed": 1}
    if isinstance(event, Interview.ContactInformOutcomeLogged):
        return {**contact, "inform_outcome": event.outcome}
    return contact


def with_contact_counts(row: Row, contacts: list[Row]) -> Row:
    live = [c for c in contacts if not c["removed"]]
    return {**row, "contacts_reported": len(contacts), "contacts_live": len(live),
            "contacts_informed": sum(1 for c in live
                                     if c["inform_outcome"] == InformOutcome.INFORMED)}


class CaseFile(ReadModel):
    """Header, counts and audit log per case, for the printable case file."""

    name = "casefile"
    rebuild_cost = 21.0
    by_case = True
    tables = (TABLE, LOG, CONTACTS)
    lookups = ((TABLE, "interview_id"), (CONTACTS, "case_id"))

    def create(self, db: Database) -> None:
        columns: dict[str, Any] = {
            "case_id": str, "status": str, "disease": str, "source": str, "language": str,
            "onset": str, "test_date": str, "received_at": str, "tracer": str, "team": str,
            "unreachable": int, "interview_id": str, "interviewed": int, "closed": int,
            "callback_at": str, "guide_id": str, "guide_version": str, "guide_hash": str,
            "interview_status": str, "interview_started_at": str,
            "interview_completed_at": str, "closed_at": str, "contacts_reported": int,
            "contacts_live": int, "contacts_informed": int,
        }
        columns.update(dict.fromkeys(COUNTERS, int))
        db.table(TABLE).create(columns, pk="case_id", if_not_exists=True)
        db.table(TABLE).create_index(["interview_id"], if_not_exists=True)
        db.table(LOG).create({"case_id": str, "seq": int, "at": str, "actor": str, "event": str,
                        "detail": str}, pk=("case_id", "seq"), if_not_exists=True)
        db.table(CONTACTS).create({"contact_id": str, "case_id": str, "removed": int,
                             "inform_outcome": str}, pk="contact_id", if_not_exists=True)
        db.table(CONTACTS).create_index(["case_id"], if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = dict.fromkeys(CASE_EVENTS, self._case_event)
        table.update(dict.fromkeys(INTERVIEW_EVENTS, self._interview_event))
        return table

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, key_text(event.originator_id)))
        row = on_case_event(found, event)
        rows.put(TABLE, row)
        rows.put(LOG, log_entry({**row, "log_entries": row["log_entries"] - 1}, event))

    def _interview_event(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Interview.Started):
            found = rows.get(TABLE, key_text(event.case_id))
        else:
            matches = rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True)
            found = matches[0] if matches else None
        if found is None:
            return
        moment = utc_text(event.timestamp)
        row = on_interview_event(found, event, moment)
        if hasattr(event, "contact_id"):
            contact = (None if isinstance(event, Interview.ContactReported)
                       else rows.get(CONTACTS, key_text(event.contact_id)))
            changed = on_contact_event(contact, row["case_id"], event)
            if changed is not None:
                rows.put(CONTACTS, changed)
            row = with_contact_counts(row, rows.find(CONTACTS, "case_id", row["case_id"]))
        rows.put(TABLE, row)
        rows.put(LOG, log_entry(found, event, moment))


def case_file(db: Database, case_id: str) -> Row | None:
    """Everything the printed case file takes from the read models: header, log, contacts."""
    row = fetch_row(db, TABLE, "case_id", case_id)
    if row is None:
        return None
    log = sorted(fetch_rows(db, LOG, "case_id", case_id), key=lambda r: r["seq"])
    return {**row, "log": log}


def case_ids(db: Database, *, status: str | None = None,
             changed_since: str | None = None) -> list[str]:
    """The ids of the cases to print in bulk, oldest received first: with this status now,
    and with anything recorded at or after `changed_since` (a UTC text as `utc_text` makes)."""
    where, params = [], []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if changed_since is not None:
        where.append(f"case_id IN (SELECT case_id FROM [{LOG}] WHERE at >= ?)")
        params.append(changed_since)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return [case_id for (case_id,) in db.execute(
        f"SELECT case_id FROM [{TABLE}] {clause} ORDER BY received_at, case_id", params)]
