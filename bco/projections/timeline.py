"""Timeline: per case the moments that make up speed, and the durations the KPIs build on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from bco.domain.case import CallOutcome, Case
from bco.domain.interview import InformOutcome, Interview
from bco.domain.phone import phone_hasher
from bco.projections import timeline_days
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    fetch_row,
    seconds_between,
    utc_text,
)

TABLE = "timeline"
CONTACTS = "timeline_contacts"
# Phone numbers ever listed on a contact (an HMAC of the E.164 form, never the number): a
# case registered with one of them was already someone's contact ("known contact").
PHONES = "timeline_contact_phones"


# Each duration is (column, from moment, to moment); all from the case's point of view.
DURATIONS = (
    ("to_first_attempt_s", "received_at", "first_attempt_at"),
    ("to_reached_s", "received_at", "reached_at"),
    ("to_interview_completed_s", "received_at", "interview_completed_at"),
    ("completed_to_first_informed_s", "interview_completed_at", "first_informed_at"),
    ("completed_to_all_informed_s", "interview_completed_at", "all_informed_at"),
)


def with_durations(row: Row) -> Row:
    """Recompute every duration from the moments in the row, and the clock it waits on."""
    return {**row, **{column: seconds_between(row[start], row[end])
                      for column, start, end in DURATIONS}, **waiting_clock(row)}


def waiting_clock(row: Row) -> Row:
    """The received-based step an unclosed case waits for ('first_call', 'reached',
    'interview', from received) or 'informing' once its interview is complete (from then);
    None when closed. The dashboard counts clocks over and near their targets along
    (team, waiting_clock, waiting_since) without visiting cases."""
    if row.get("closed_at") is not None or row.get("received_at") is None:
        return {"waiting_clock": None, "waiting_since": None}
    for clock, moment in (("first_call", "first_attempt_at"), ("reached", "reached_at"),
                          ("interview", "interview_completed_at")):
        if row.get(moment) is None:
            return {"waiting_clock": clock, "waiting_since": row["received_at"]}
    return {"waiting_clock": "informing", "waiting_since": row["interview_completed_at"]}


def on_case_event(row: Row | None, event: Any) -> Row:
    """The timeline row after a case event; first moments are kept, later ones do not move them."""
    moment = utc_text(event.timestamp)
    if isinstance(event, Case.Registered):
        row = {"case_id": str(event.originator_id), "disease": event.disease, "team": None,
               "received_at": utc_text(event.received_at), "first_attempt_at": None,
               "reached_at": None, "interview_id": None, "interview_started_at": None,
               "interview_completed_at": None, "closed_at": None, "handovers": 0,
               "contacts_reported": 0, "contacts_informed": 0, "first_informed_at": None,
               "all_informed_at": None, "known_contact": 0}
    assert row is not None, "a case event before its registration"
    row = dict(row)
    if isinstance(event, Case.DetailsCorrected) and "disease" in event.changes:
        row["disease"] = event.changes["disease"]
    elif isinstance(event, Case.Assigned):
        row["team"] = event.team or row["team"]
    elif isinstance(event, Case.CallAttemptLogged):
        row["first_attempt_at"] = row["first_attempt_at"] or moment
        if event.outcome == CallOutcome.REACHED:
            row["reached_at"] = row["reached_at"] or moment
    elif isinstance(event, Case.InterviewStarted):
        row["interview_id"] = str(event.interview_id)
        row["interview_started_at"] = row["interview_started_at"] or moment
    elif isinstance(event, Case.InterviewCompleted):
        row["interview_completed_at"] = row["interview_completed_at"] or moment
    elif isinstance(event, Case.Closed):
        row["closed_at"] = moment
    elif isinstance(event, Case.Reopened):
        row["closed_at"] = None
    return with_durations(row)


def on_contact_event(contact: Row | None, case_row: Row, event: Any) -> Row:
    """One reported contact after it was reported, removed, or an inform attempt was logged."""
    if isinstance(event, Interview.ContactReported):
        return {"contact_id": str(event.contact_id), "case_id": case_row["case_id"],
                "reported_at": utc_text(event.timestamp), "removed": 0,
                "inform_outcome": None, "informed_at": None}
    assert contact is not None, "a contact event before the contact was reported"
    if isinstance(event, Interview.ContactRemoved):
        return {**contact, "removed": 1}
    informed = event.outcome == InformOutcome.INFORMED
    return {**contact, "inform_outcome": event.outcome,
            "informed_at": contact["informed_at"] or (utc_text(event.timestamp)
                                                      if informed else None)}


def with_contact_counts(row: Row, contacts: Sequence[Row]) -> Row:
    """Count live contacts and when they were informed; 'all informed' needs every one."""
    live = [c for c in contacts if not c["removed"]]
    informed = sorted(c["informed_at"] for c in live if c["informed_at"])
    every = bool(live) and len(informed) == len(live)
    return with_durations({
        **row, "contacts_reported": len(live), "contacts_informed": len(informed),
        "first_informed_at": informed[0] if informed else None,
        "all_informed_at": informed[-1] if every else None,
    })


class Timeline(ReadModel):
    """Moments per case (received → first call → reached → completed → informed)."""

    name = "timeline"
    rebuild_cost = 4.5
    tables = (TABLE, CONTACTS, PHONES, *timeline_days.TABLES)

    def __init__(self, timezone: str = "Europe/Amsterdam", phone_secret: str = "") -> None:
        self.timezone = timezone  # the local days of timeline_days
        self.phone_key = phone_hasher(phone_secret)

    def create(self, db: Database) -> None:
        stale = db.table(TABLE).exists() and (
            "waiting_clock" not in db.table(TABLE).columns_dict
            or not db.table(timeline_days.ZONE).exists()
            or not db.execute(f"SELECT 1 FROM {timeline_days.ZONE} WHERE zone = ? LIMIT 1",
                              [self.timezone]).fetchone())
        if stale:
            self.forget(db)  # an older layout or another zone: replay into the new one
        columns: dict[str, Any] = {
            "case_id": str, "disease": str, "team": str, "received_at": str,
            "first_attempt_at": str, "reached_at": str, "interview_id": str,
            "interview_started_at": str, "interview_completed_at": str, "closed_at": str,
            "handovers": int, "contacts_reported": int, "contacts_informed": int,
            "first_informed_at": str, "all_informed_at": str, "known_contact": int,
            "waiting_clock": str, "waiting_since": str,
        }
        columns.update({column: int for column, _start, _end in DURATIONS})
        db.table(TABLE).create(columns, pk="case_id", if_not_exists=True)
        db.table(TABLE).create_index(["interview_id"], if_not_exists=True)
        db.table(TABLE).create_index(["received_at"], if_not_exists=True)
        db.table(TABLE).create_index(["interview_completed_at"], if_not_exists=True)
        # the dashboard's thin-interview list and the informed-within-24 h KPI read one
        # team's period along these without visiting the rows (covering indexes)
        db.table(TABLE).create_index(["team", "interview_completed_at", "case_id",
                                      "interview_id"], if_not_exists=True)
        db.table(TABLE).create_index(["interview_completed_at", "case_id"], if_not_exists=True)
        db.table(TABLE).create_index(["team", "received_at"], if_not_exists=True)
        db.table(TABLE).create_index(["team", "waiting_clock", "waiting_since"],
                                     if_not_exists=True)
        db.table(TABLE).create_index(["waiting_clock", "waiting_since"], if_not_exists=True)
        db.table(CONTACTS).create({
            "contact_id": str, "case_id": str, "reported_at": str, "removed": int,
            "inform_outcome": str, "informed_at": str,
        }, pk="contact_id", if_not_exists=True)
        db.table(CONTACTS).create_index(["case_id"], if_not_exists=True)
        db.table(CONTACTS).create_index(["case_id", "removed", "contact_id", "informed_at"],
                                        if_not_exists=True)
        db.table(PHONES).create({"phone_key": str}, pk="phone_key", if_not_exists=True)
        timeline_days.create(db, TABLE, list(columns), self.timezone)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = dict.fromkeys(
            (Case.Registered, Case.DetailsCorrected, Case.Assigned, Case.CallAttemptLogged,
             Case.InterviewStarted, Case.InterviewCompleted, Case.Closed, Case.Reopened),
            self._case_event)
        table.update(dict.fromkeys(
            (Interview.ContactReported, Interview.ContactRemoved,
             Interview.ContactInformOutcomeLogged), self._contact_event))
        table[Interview.Paused] = self._paused
        table[Interview.ContactUpdated] = self._contact_phone
        return table

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, str(event.originator_id)))
        row = on_case_event(found, event)
        if isinstance(event, Case.Registered):
            key = self.phone_key(event.phone)
            row["known_contact"] = int(key is not None and rows.get(PHONES, key) is not None)
        rows.put(TABLE, row)

    def _contact_phone(self, rows: Batch, event: Any) -> None:
        """A phone number a contact was given later lists it as a contact too."""
        key = self.phone_key(event.changes.get("phone"))
        if key is not None:
            rows.put(PHONES, {"phone_key": key})

    def _paused(self, rows: Batch, event: Any) -> None:
        for row in rows.find(TABLE, "interview_id", str(event.originator_id), unique=True):
            rows.put(TABLE, {**row, "handovers": row["handovers"] + 1})

    def _contact_event(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Interview.ContactReported) and event.phone:
            rows.put(PHONES, {"phone_key": self.phone_key(event.phone)})
        found = rows.find(TABLE, "interview_id", str(event.originator_id), unique=True)
        if not found:
            return
        row = found[0]
        contact = (None if isinstance(event, Interview.ContactReported)
                   else rows.get(CONTACTS, str(event.contact_id)))
        rows.put(CONTACTS, on_contact_event(contact, row, event))
        rows.put(TABLE, with_contact_counts(row, rows.find(CONTACTS, "case_id",
                                                           row["case_id"])))


def case_timeline(db: Database, case_id: str) -> Row | None:
    """The moments and durations of one case."""
    return fetch_row(db, TABLE, "case_id", case_id)
