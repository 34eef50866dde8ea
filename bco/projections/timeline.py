"""Timeline: per case the moments that make up speed, and the durations the KPIs build on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from bco.domain.case import CallOutcome, Case
from bco.domain.guide_version import GuideVersion
from bco.domain.interview import Informer, InformOutcome, Interview, informer_for
from bco.guides.model import Guide
from bco.projections import timeline_days
from bco.projections.guide_library import GuideLibrary
from bco.projections.person_keys import PersonKeys
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    fetch_row,
    key_text,
    seconds_between,
    utc_text,
)

TABLE = "timeline"
CONTACTS = "timeline_contacts"
# Per interview: its case, guide and the index's answer to "who informs the contacts"
INTERVIEWS = "timeline_interviews"
GUIDES = "timeline_guides"
ONE_DAY = timedelta(hours=24)  # archived guide sources (GuideLibrary), for the inform question
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
    'interview', from received) or 'informing' once its interview is complete (from then)
    while contacts the health service informs have no outcome yet; None when closed or
    when nothing is left to do. The dashboard counts clocks over and near their targets along
    (team, waiting_clock, waiting_since) without visiting cases."""
    if row.get("closed_at") is not None or row.get("received_at") is None:
        return {"waiting_clock": None, "waiting_since": None}
    for clock, moment in (("first_call", "first_attempt_at"), ("reached", "reached_at"),
                          ("interview", "interview_completed_at")):
        if row.get(moment) is None:
            return {"waiting_clock": clock, "waiting_since": row["received_at"]}
    if not row.get("contacts_outstanding"):
        return {"waiting_clock": None, "waiting_since": None}  # nobody left for us to inform
    return {"waiting_clock": "informing", "waiting_since": row["interview_completed_at"]}


def on_case_event(row: Row | None, event: Any) -> Row:
    """The timeline row after a case event; first moments are kept, later ones do not move them."""
    moment = utc_text(event.timestamp)
    if isinstance(event, Case.Registered):
        row = {"case_id": key_text(event.originator_id), "disease": event.disease, "team": None,
               "received_at": utc_text(event.received_at), "first_attempt_at": None,
               "reached_at": None, "interview_id": None, "interview_started_at": None,
               "interview_completed_at": None, "closed_at": None, "handovers": 0,
               "contacts_reported": 0, "contacts_informed": 0, "first_informed_at": None,
               "all_informed_at": None, "known_contact": 0, "contacts_to_inform": 0,
               "contacts_informed_24h": 0, "contacts_outstanding": 0}
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
        row["interview_id"] = key_text(event.interview_id)
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
        return {"contact_id": key_text(event.contact_id), "case_id": case_row["case_id"],
                "reported_at": utc_text(event.timestamp), "removed": 0,
                "inform_outcome": None, "informed_at": None,
                "informs_own": event.informs or None, "informs": None}
    assert contact is not None, "a contact event before the contact was reported"
    if isinstance(event, Interview.ContactRemoved):
        return {**contact, "removed": 1}
    informed = event.outcome == InformOutcome.INFORMED
    return {**contact, "inform_outcome": event.outcome,
            "informed_at": contact["informed_at"] or (utc_text(event.timestamp)
                                                      if informed else None)}


def with_contact_counts(row: Row, contacts: Sequence[Row]) -> Row:
    """Count live contacts and when they were informed; 'all informed' needs every one.

    Also the contacts the health service informs (the domain's informer rule) and how many
    of those it informed within 24 h of the interview's completion: the KPI's numerator and
    denominator, summed per completion day by timeline_days; and how many of those have no
    outcome yet, which keeps the case on the dashboard's informing clock."""
    live = [c for c in contacts if not c["removed"]]
    informed = sorted(c["informed_at"] for c in live if c["informed_at"])
    every = bool(live) and len(informed) == len(live)
    by_service = [c for c in live if c.get("informs") == Informer.AUTHORITY.value]
    completed = row.get("interview_completed_at")
    within_day = sum(1 for c in by_service
                     if completed and informed_within_day(completed, c["informed_at"]))
    return with_durations({
        **row, "contacts_reported": len(live), "contacts_informed": len(informed),
        "first_informed_at": informed[0] if informed else None,
        "all_informed_at": informed[-1] if every else None,
        "contacts_to_inform": len(by_service), "contacts_informed_24h": within_day,
        "contacts_outstanding": sum(1 for c in by_service if c.get("inform_outcome") is None),
    })


def informed_within_day(completed_at: str, informed_at: str | None) -> bool:
    """Informed at most 24 h after the interview was completed (or before)."""
    return informed_at is not None and (datetime.fromisoformat(informed_at)
                                        - datetime.fromisoformat(completed_at)) <= ONE_DAY


def with_informer(contact: Row, interview: Row | None) -> Row:
    """The contact with who informs it: its own choice, else the index's answer for all."""
    answer = interview.get("informs_answer") if interview else None
    return {**contact, "informs": informer_for(contact.get("informs_own"), answer)}


class Timeline(ReadModel):
    """Moments per case (received → first call → reached → completed → informed)."""

    name = "timeline"
    rebuild_cost = 10.0
    tables = (TABLE, CONTACTS, PHONES, INTERVIEWS, GUIDES, *timeline_days.TABLES)
    lookups = ((TABLE, "interview_id"), (CONTACTS, "case_id"))

    def __init__(self, timezone: str = "Europe/Amsterdam", phone_secret: str = "",
                 guides: Mapping[str, Guide] | None = None) -> None:
        self.timezone = timezone  # the local days of timeline_days
        self.phone_key = PersonKeys(phone_secret).phone  # keyed hashes, never the numbers
        self.library = GuideLibrary(guides or {}, GUIDES)

    def create(self, db: Database) -> None:
        stale = db.table(TABLE).exists() and (
            "contacts_outstanding" not in db.table(TABLE).columns_dict
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
            "waiting_clock": str, "waiting_since": str, "contacts_to_inform": int,
            "contacts_informed_24h": int, "contacts_outstanding": int,
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
            "inform_outcome": str, "informed_at": str, "informs_own": str, "informs": str,
        }, pk="contact_id", if_not_exists=True)
        db.table(CONTACTS).create_index(["case_id"], if_not_exists=True)
        db.table(CONTACTS).create_index(["case_id", "removed", "contact_id", "informed_at"],
                                        if_not_exists=True)
        db.table(PHONES).create({"phone_key": str}, pk="phone_key", if_not_exists=True)
        db.table(INTERVIEWS).create({"interview_id": str, "case_id": str, "guide_hash": str,
                                     "informs_answer": str}, pk="interview_id",
                                    if_not_exists=True)
        self.library.create(db)
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
        table[Case.MatchDecided] = self._match_decided
        table[Interview.ContactUpdated] = self._contact_updated
        table[GuideVersion.Archived] = self.library.keep
        table[Interview.Started] = self._interview_started
        table[Interview.AnswerRecorded] = self._answered
        table[Interview.AnswerChanged] = self._answered
        return table

    def _case_event(self, rows: Batch, event: Any) -> None:
        found = (None if isinstance(event, Case.Registered)
                 else rows.get(TABLE, key_text(event.originator_id)))
        row = on_case_event(found, event)
        if isinstance(event, Case.Registered):
            key = self.phone_key(event.phone)
            row["known_contact"] = int(key is not None and rows.get(PHONES, key) is not None)
        elif isinstance(event, Case.InterviewCompleted):  # the 24 h to inform start now
            row = with_contact_counts(row, rows.find(CONTACTS, "case_id", row["case_id"]))
        rows.put(TABLE, row)

    def _match_decided(self, rows: Batch, event: Any) -> None:
        """A tracer who links a case to a contact of another case says it was a known
        contact, whatever its phone number was (e.g. the contact's was missing or another)."""
        found = rows.get(TABLE, key_text(event.originator_id))
        if found is not None and event.same and event.contact_id is not None \
                and not found["known_contact"]:
            rows.put(TABLE, {**found, "known_contact": 1})

    def _interview_started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": key_text(event.originator_id),
                              "case_id": key_text(event.case_id), "guide_hash": event.guide_hash,
                              "informs_answer": None})

    def _answered(self, rows: Batch, event: Any) -> None:
        """The answer to the guide's inform question decides for contacts without their own."""
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        if interview is None:
            return
        guide = self.library.find(rows, interview["guide_hash"])
        if guide is None or event.question_id != guide.inform_question:
            return
        interview = {**interview, "informs_answer": event.value}
        rows.put(INTERVIEWS, interview)
        self._recount(rows, event, interview)

    def _contact_updated(self, rows: Batch, event: Any) -> None:
        """A phone number a contact was given later lists it as a contact too; a changed
        choice of who informs moves the contact in or out of the service's list."""
        key = self.phone_key(event.changes.get("phone"))
        if key is not None:
            rows.put(PHONES, {"phone_key": key})
        contact = rows.get(CONTACTS, key_text(event.contact_id))
        if "informs" in event.changes and contact is not None:
            rows.put(CONTACTS, {**contact, "informs_own": event.changes["informs"] or None})
            self._recount(rows, event, rows.get(INTERVIEWS, key_text(event.originator_id)))

    def _recount(self, rows: Batch, event: Any, interview: Row | None) -> None:
        """Who informs each contact of the interview's case, and the case's counts."""
        found = rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True)
        if not found:
            return
        contacts = []
        for contact in rows.find(CONTACTS, "case_id", found[0]["case_id"]):
            contact = with_informer(contact, interview)
            rows.put(CONTACTS, contact)
            contacts.append(contact)
        rows.put(TABLE, with_contact_counts(found[0], contacts))

    def _paused(self, rows: Batch, event: Any) -> None:
        for row in rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True):
            rows.put(TABLE, {**row, "handovers": row["handovers"] + 1})

    def _contact_event(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Interview.ContactReported) and event.phone:
            rows.put(PHONES, {"phone_key": self.phone_key(event.phone)})
        found = rows.find(TABLE, "interview_id", key_text(event.originator_id), unique=True)
        if not found:
            return
        row = found[0]
        contact = (None if isinstance(event, Interview.ContactReported)
                   else rows.get(CONTACTS, key_text(event.contact_id)))
        rows.put(CONTACTS, on_contact_event(contact, row, event))
        rows.put(TABLE, with_contact_counts(row, rows.find(CONTACTS, "case_id",
                                                           row["case_id"])))


def case_timeline(db: Database, case_id: str) -> Row | None:
    """The moments and durations of one case."""
    return fetch_row(db, TABLE, "case_id", case_id)
