"""Contacts: every reported contact with its case, category, bubble flag and inform status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlite_utils import Database

from bco.domain.guide_version import GuideVersion
from bco.domain.interview import Informer, InformOutcome, Interview, informer_for
from bco.domain.personal import CONTACTS
from bco.guides.contact_category import contact_category
from bco.guides.model import Guide
from bco.guides.state import ContactFacts
from bco.projections import timeline, worklist
from bco.projections.guide_library import GuideLibrary
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    fetch_rows,
    key_text,
    utc_text,
)

TABLE = "contacts"
INTERVIEWS = "contacts_interviews"
GUIDES = "contacts_guides"

# Reported details that are copied as they are; names, phones and e-mails become flags here
# (people.py keeps the names), and free-text reasons stay in the event store.
PLAIN_FIELDS = ("relation", "setting", "prompt", "category_override")
PRESENCE_FLAGS = {"phone": "has_phone", "email": "has_email",
                  "unreachable_reason": "has_no_reach_reason"}
# Inform outcomes that keep a contact on the list: none yet, or tried but not reached.
STILL_TO_INFORM = (None, InformOutcome.UNREACHABLE.value)


def facts_json(facts: Mapping[str, Any]) -> str:
    return json.dumps(dict(facts), sort_keys=True, default=str)


def with_details(row: Row, details: Mapping[str, Any]) -> Row:
    """The row after reported or corrected details, without any personal data."""
    row = dict(row)
    for key in PLAIN_FIELDS:
        if key in details:
            row[key] = details[key]
    for key, flag in PRESENCE_FLAGS.items():
        if key in details:
            row[flag] = int(bool(details[key] and str(details[key]).strip()))
    if "day" in details:
        row["day"] = day_text(details["day"])
    if "household" in details:
        row["household"] = int(bool(details["household"]))
    if "facts" in details:
        row["facts"] = facts_json(details["facts"])
    if "informs" in details:
        row["informs_own"] = details["informs"] or None
    return row


def with_informer(row: Row, interview: Row) -> Row:
    """Who informs this contact: its own choice, else the index's answer for all contacts
    (the guide's inform question), so the authority's list holds everyone it must call."""
    return {**row, "informs": informer_for(row["informs_own"], interview.get("informs_answer"))}


def categorised(row: Row, guide: Guide | None) -> Row:
    """The category as the interview screen shows it, kept with its rule, source or problem."""
    contact = ContactFacts(name="", household=bool(row["household"]),
                           facts=json.loads(row["facts"] or "{}"),
                           category=row.get("category_override"))
    found = contact_category(guide, contact)
    return {**row, "category": found.category, "category_rule": found.rule,
            "category_source": found.source, "category_problem": found.problem}


def with_rank(row: Row, guide: Guide | None) -> Row:
    """The category's place in the guide's list (0 is the most urgent); None when unknown."""
    ids = [category.id for category in guide.categories.categories] if guide else []
    rank = ids.index(row["category"]) if row.get("category") in ids else None
    return {**row, "category_rank": rank}


def on_reported(interview: Row, event: Any, guide: Guide | None) -> Row:
    """A new contact row from Interview.ContactReported."""
    row: Row = {
        "contact_id": key_text(event.contact_id), "interview_id": interview["interview_id"],
        "case_id": interview["case_id"], "guide_id": interview["guide_id"],
        "reported_at": utc_text(event.timestamp), "relation": "", "household": 0,
        "day": None, "setting": None, "prompt": None, "informs": None, "informs_own": None,
        "facts": "{}",
        "category_override": None, "has_phone": 0, "has_email": 0,
        "has_no_reach_reason": 0, "removed": 0, "removed_at": None, "inform_outcome": None,
        "informed_at": None, "erased": 0,
    }
    details = {key: getattr(event, key) for key in (
        "phone", "email", "relation", "day", "setting", "prompt", "household", "facts",
        "informs")}
    return with_informer(with_rank(categorised(with_details(row, details), guide), guide),
                         interview)


def on_updated(row: Row, event: Any, guide: Guide | None, interview: Row) -> Row:
    """The contact after Interview.ContactUpdated; the category follows the new facts."""
    return with_informer(with_rank(categorised(with_details(row, event.changes), guide), guide),
                         interview)


def on_removed(row: Row, event: Any) -> Row:
    return {**row, "removed": 1, "removed_at": utc_text(event.timestamp)}


def on_inform_outcome(row: Row, event: Any) -> Row:
    return {**row, "inform_outcome": event.outcome, "informed_at": utc_text(event.timestamp)}


class Contacts(ReadModel):
    """One row per reported contact, removed ones included, with no names or phone numbers."""

    name = "contacts"
    rebuild_cost = 6.5
    by_case = True
    tables = (TABLE, INTERVIEWS, GUIDES)
    lookups = ((TABLE, "interview_id"),)

    def __init__(self, guides: Mapping[str, Guide]) -> None:
        self.library = GuideLibrary(guides, GUIDES)

    def create(self, db: Database) -> None:
        if db.table(TABLE).exists() and "erased" not in db.table(TABLE).columns_dict:
            self.forget(db)  # an older layout: replay into the new one
        db.table(TABLE).create({
            "contact_id": str, "interview_id": str, "case_id": str, "guide_id": str,
            "reported_at": str, "relation": str, "household": int, "day": str,
            "setting": str, "prompt": str, "informs": str, "informs_own": str, "facts": str,
            "category_override": str, "category": str, "category_rule": str,
            "category_source": str, "category_problem": str, "category_rank": int,
            "has_phone": int,
            "has_email": int, "has_no_reach_reason": int, "removed": int, "removed_at": str,
            "inform_outcome": str, "informed_at": str, "erased": int,
        }, pk="contact_id", if_not_exists=True)
        # (contact_id, informs): the informed-within-24 h KPI joins by id without the row
        for columns in (["case_id"], ["interview_id"], ["category"], ["guide_id", "prompt"],
                        ["contact_id", "informs"]):
            db.table(TABLE).create_index(columns, if_not_exists=True)
        db.table(INTERVIEWS).create({"interview_id": str, "case_id": str, "guide_id": str,
                                     "guide_hash": str, "informs_answer": str},
                                    pk="interview_id", if_not_exists=True)
        self.library.create(db)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            GuideVersion.Archived: self.library.keep,
            Interview.Started: self._started,
            Interview.AnswerRecorded: self._answered,
            Interview.AnswerChanged: self._answered,
            Interview.ContactReported: self._reported,
            Interview.ContactUpdated: self._updated,
            Interview.ContactRemoved: self._contact_change(on_removed),
            Interview.ContactInformOutcomeLogged: self._contact_change(on_inform_outcome),
            Interview.PersonalDataErased: self._erased,
        }

    def _erased(self, rows: Batch, event: Any) -> None:
        """The contacts' details are gone at the end of their retention: nobody can call them
        any more, so they leave the inform list (their counts stay). Contacts named after a
        reopening come later and are not touched."""
        if CONTACTS not in event.parts:
            return
        for row in rows.find(TABLE, "interview_id", key_text(event.originator_id)):
            if not row.get("erased"):
                rows.put(TABLE, {**row, "erased": 1})

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": key_text(event.originator_id),
                              "case_id": key_text(event.case_id), "guide_id": event.guide_id,
                              "guide_hash": event.guide_hash, "informs_answer": None})

    def _answered(self, rows: Batch, event: Any) -> None:
        """The answer to the guide's inform question applies to every contact without its own."""
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "an answer before its interview started"
        guide = self.library.find(rows, interview["guide_hash"])
        if guide is None or event.question_id != guide.inform_question:
            return
        interview = {**interview, "informs_answer": event.value}
        rows.put(INTERVIEWS, interview)
        for row in rows.find(TABLE, "interview_id", interview["interview_id"]):
            rows.put(TABLE, with_informer(row, interview))

    def _reported(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "a contact reported before its interview started"
        guide = self.library.find(rows, interview["guide_hash"])
        rows.put(TABLE, on_reported(interview, event, guide))

    def _updated(self, rows: Batch, event: Any) -> None:
        row = rows.get(TABLE, key_text(event.contact_id))
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert row is not None and interview is not None, "an update of an unknown contact"
        rows.put(TABLE, on_updated(row, event, self.library.find(rows, interview["guide_hash"]),
                                   interview))

    @staticmethod
    def _contact_change(change: Any) -> Handler:
        def handle(rows: Batch, event: Any) -> None:
            row = rows.get(TABLE, key_text(event.contact_id))
            assert row is not None, "an event of an unknown contact"
            rows.put(TABLE, change(row, event))
        return handle


def contacts_of_case(db: Database, case_id: str, *, include_removed: bool = False) -> list[Row]:
    """The contacts a case's interview reported, oldest first."""
    rows = fetch_rows(db, TABLE, "case_id", case_id)
    rows.sort(key=lambda r: (r["reported_at"], r["contact_id"]))
    return [r for r in rows if include_removed or not r["removed"]]


def category_counts(db: Database) -> dict[str, int]:
    """Live contacts per category; contacts that cannot be categorised yet count as 'unknown'."""
    rows = db.execute(f"SELECT coalesce(category, 'unknown'), count(*) FROM {TABLE} "
                      "WHERE removed = 0 GROUP BY 1 ORDER BY 1").fetchall()
    return dict(rows)


@dataclass(frozen=True)
class InformFilter:
    """What the inform list is narrowed to: whose cases (a tracer's own or a team's; neither
    for the authority), a category ('unknown' for none yet), a day of last contact, and
    'new' (never tried) or 'unreachable' (tried, not reached)."""

    tracer: str | None = None
    team: str | None = None
    category: str | None = None
    day: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class ContactToCall:
    """A contact the health service still has to inform, in the order of urgency."""

    contact_id: UUID
    interview_id: UUID
    case_id: UUID
    disease: str
    guide_id: str
    category: str | None
    day: str | None
    informs: str | None  # None: neither the contact nor the index's answer says who informs
    inform_outcome: str | None
    completed_at: str | None


def _to_inform_sql(wanted: InformFilter) -> tuple[str, list[Any]]:
    """FROM and WHERE of the inform list: open cases with a completed interview, contacts the
    authority informs or that nobody was named to inform, still to inform, whose details
    were not erased after retention."""
    conditions = ["c.removed = 0", "coalesce(c.erased, 0) = 0",
                  "(c.informs = ? OR c.informs IS NULL)",
                  "(c.inform_outcome IS NULL OR c.inform_outcome = ?)",
                  "w.interviewed = 1", "w.closed = 0"]
    values: list[Any] = [Informer.AUTHORITY.value, InformOutcome.UNREACHABLE.value]
    scope = []
    if wanted.tracer is not None:
        scope.append("w.tracer = ?")
        values.append(wanted.tracer)
    if wanted.team is not None:
        scope.append("w.team = ?")
        values.append(wanted.team)
    if scope:
        conditions.append(f"({' OR '.join(scope)})")
    if wanted.category == "unknown":
        conditions.append("c.category IS NULL")
    elif wanted.category:
        conditions.append("c.category = ?")
        values.append(wanted.category)
    if wanted.day:
        conditions.append("c.day = ?")
        values.append(wanted.day)
    if wanted.outcome == "new":
        conditions.append("c.inform_outcome IS NULL")
    elif wanted.outcome:
        conditions.append("c.inform_outcome = ?")
        values.append(wanted.outcome)
    return (f"FROM [{TABLE}] c JOIN [{worklist.TABLE}] w ON w.case_id = c.case_id "
            f"LEFT JOIN [{timeline.TABLE}] t ON t.case_id = c.case_id "
            f"WHERE {' AND '.join(conditions)}"), values


def to_inform(db: Database, wanted: InformFilter, *, offset: int = 0,
              limit: int | None = 20) -> list[ContactToCall]:
    """The contacts to inform, most urgent first: by the guide's category order (a contact
    not yet categorised counts as the most urgent, until someone decides), then the longest
    since its interview was completed."""
    where, values = _to_inform_sql(wanted)
    rows = db.execute(
        "SELECT c.contact_id, c.interview_id, c.case_id, w.disease, c.guide_id, c.category, "
        f"c.day, c.informs, c.inform_outcome, t.interview_completed_at {where} "
        "ORDER BY coalesce(c.category_rank, -1), t.interview_completed_at, c.reported_at, "
        "c.contact_id LIMIT ? OFFSET ?",
        [*values, -1 if limit is None else limit, offset]).fetchall()
    return [ContactToCall(UUID(contact_id), UUID(interview_id), UUID(case_id), *rest)
            for contact_id, interview_id, case_id, *rest in rows]


def count_to_inform(db: Database, wanted: InformFilter) -> int:
    """How many contacts the filtered inform list holds, for its page links."""
    where, values = _to_inform_sql(wanted)
    (count,) = db.execute(f"SELECT count(*) {where}", values).fetchone()
    return int(count)


def categories_to_inform(db: Database, wanted: InformFilter) -> list[tuple[str, str | None]]:
    """(guide id, category) pairs on the list before narrowing by category, most urgent
    first, to offer as filter choices."""
    where, values = _to_inform_sql(InformFilter(tracer=wanted.tracer, team=wanted.team))
    rows = db.execute(f"SELECT DISTINCT c.guide_id, c.category, c.category_rank {where} "
                      "ORDER BY coalesce(c.category_rank, -1), c.guide_id, c.category",
                      values).fetchall()
    return [(guide_id, category) for guide_id, category, _rank in rows]
