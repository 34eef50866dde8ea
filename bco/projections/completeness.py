"""Completeness: per interview the guide engine's score and what is still missing.

Events only update a compact state per interview and mark it dirty; the engine runs once per
dirty interview per batch, as of the day of the interview's last recorded fact (so a rebuild
gives the same result as following along). The state holds no names, phone numbers or e-mail
addresses: the engine needs to know only that they are there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.guide_version import GuideVersion
from bco.domain.interview import STATUS_AFTER, Interview, InterviewStatus
from bco.domain.personal import CONTACTS
from bco.guides.completeness import assess
from bco.guides.model import Guide
from bco.guides.state import InterviewState, build_state
from bco.projections.guide_library import GuideLibrary
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    fetch_row,
    key_text,
)

TABLE = "completeness"
MISSING = "completeness_missing"
STATES = "completeness_state"
CASES = "completeness_cases"
GUIDES = "completeness_guides"

GIVEN = "(given)"  # stands in for free text, names and numbers the engine only needs to see
KEPT_ANSWER_TYPES = frozenset({"date", "choice", "multichoice", "yesno", "number"})
EMPTY_STATE: dict[str, Any] = {"answers": {}, "contacts": {}, "done": []}

def stored_answer(guide: Guide | None, question_id: str, value: Any) -> Any:
    """An answer as the engine needs it: choices, numbers and dates as given, free text masked."""
    if value is None or isinstance(value, bool | int | float):
        return value
    question = guide.questions.get(question_id) if guide is not None else None
    if question is not None and question.type in KEPT_ANSWER_TYPES:
        return value.isoformat() if isinstance(value, date) else value
    return GIVEN


def contact_entry(entry: Mapping[str, Any] | None, details: Mapping[str, Any]) -> dict[str, Any]:
    """A contact in the state: presence flags for personal details, the rest as reported."""
    merged = dict(entry or {"named": False, "phone": False, "email": False, "no_reach": False,
                            "day": None, "setting": None, "prompt": None, "household": False,
                            "facts": {}, "category": None, "informs": None,
                            "removed": False})
    present = {"name": "named", "phone": "phone", "email": "email",
               "unreachable_reason": "no_reach"}
    for key, flag in present.items():
        if key in details:
            merged[flag] = bool(details[key] and str(details[key]).strip())
    for key in ("setting", "prompt"):
        if key in details:
            merged[key] = details[key]
    if "day" in details:
        merged["day"] = day_text(details["day"])
    if "household" in details:
        merged["household"] = bool(details["household"])
    if "facts" in details:
        merged["facts"] = json.loads(json.dumps(dict(details["facts"]), default=str))
    if "category_override" in details:
        merged["category"] = details["category_override"]
    if "informs" in details:
        merged["informs"] = details["informs"] or None
    return merged


def evolve_state(state: Mapping[str, Any], event: Any, guide: Guide | None) -> dict[str, Any]:
    """The interview's compact state after one interview event.

    Only the part an event changes is copied (the rest is shared with `state`, never changed
    in place): copying every contact for every answer made long interviews quadratic.
    """
    evolved = dict(state)
    if isinstance(event, Interview.AnswerRecorded):
        evolved["answers"] = {**state["answers"], event.question_id: stored_answer(
            guide, event.question_id, event.value)}
    elif isinstance(event, Interview.ContactReported):
        evolved["contacts"] = {**state["contacts"], str(event.contact_id): contact_entry(None, {
            key: getattr(event, key) for key in (
                "name", "phone", "email", "day", "setting", "prompt", "household", "facts",
                "informs")})}
    elif isinstance(event, Interview.ContactUpdated):
        key = key_text(event.contact_id)
        evolved["contacts"] = {**state["contacts"],
                               key: contact_entry(state["contacts"][key], event.changes)}
    elif isinstance(event, Interview.ContactRemoved):
        key = key_text(event.contact_id)
        evolved["contacts"] = {**state["contacts"],
                               key: {**state["contacts"][key], "removed": True}}
    elif isinstance(event, Interview.FollowUpAnswered) and event.prompt_id not in state["done"]:
        evolved["done"] = [*state["done"], event.prompt_id]
    elif isinstance(event, Interview.PersonalDataErased) and CONTACTS in event.parts:
        # every contact named so far; one named after a reopen is not
        evolved["contacts"] = {key: {**entry, "erased": True}
                               for key, entry in state["contacts"].items()}
    return evolved


class StandIn(NamedTuple):
    """A live contact as this read model keeps it: '#n' for a name, '(given)' for a number."""

    contact_id: str
    name: str
    day: date | None
    setting: str | None
    prompt: str | None
    household: bool
    facts: Mapping[str, Any]
    category_override: str | None
    phone: str | None
    email: str | None
    unreachable_reason: str | None
    informs: str | None
    erased: bool


def engine_state(state: Mapping[str, Any], case: Mapping[str, Any] | None) -> InterviewState:
    """The engine's view, built as the application builds it, from stand-ins for the contacts."""
    live = [(key, c) for key, c in state["contacts"].items() if not c["removed"]]
    contacts = [
        StandIn(
            contact_id=key, name=f"#{number}" if entry["named"] else "",
            day=date.fromisoformat(entry["day"]) if entry["day"] else None,
            setting=entry["setting"], prompt=entry["prompt"], household=entry["household"],
            facts=entry["facts"], category_override=entry["category"],
            phone=GIVEN if entry["phone"] else None, email=GIVEN if entry["email"] else None,
            unreachable_reason=GIVEN if entry["no_reach"] else None,
            informs=entry.get("informs"), erased=bool(entry.get("erased")),
        )
        for number, (key, entry) in enumerate(live, start=1)
    ]
    onset = case.get("onset") if case else None
    test_date = case.get("test_date") if case else None
    return build_state(state["answers"], contacts, state["done"],
                       date.fromisoformat(onset) if onset else None,
                       date.fromisoformat(test_date) if test_date else None)


def evaluate(guide: Guide, state: InterviewState, as_of: date
             ) -> tuple[int, dict[str, list[dict[str, str]]]]:
    """Score and missing items in every language of the guide: assessed once, worded in each."""
    assessment = assess(guide, state, as_of)
    missing = {language: [gap.to_json(language) for gap in assessment.gaps]
               for language in guide.languages}
    return assessment.score, missing


class CompletenessModel(ReadModel):
    """Score and missing items per interview, for leads spotting thin or stuck interviews."""

    name = "completeness"
    rebuild_cost = 31.0
    by_case = True
    tables = (TABLE, MISSING, STATES, CASES, GUIDES)
    lookups = ((TABLE, "guide_hash"), (TABLE, "dirty"), (MISSING, "interview_id"))

    def __init__(self, guides: Mapping[str, Guide], zone: ZoneInfo) -> None:
        self.library = GuideLibrary(guides, GUIDES)
        self.zone = zone

    def create(self, db: Database) -> None:
        if "ordinal" in db.table(MISSING).columns_dict or (
                db.table(TABLE).exists() and "erased_contacts" not in db.table(TABLE).columns_dict):
            self.forget(db)  # an older layout: replay into the new one
        db.table(TABLE).create({
            "interview_id": str, "case_id": str, "guide_id": str, "guide_hash": str,
            "interview_status": str, "score": int, "missing_count": int,
            "erased_contacts": int, "as_of": str, "error": str, "dirty": int,
        }, pk="interview_id", if_not_exists=True)
        # (interview_id, score): the dashboard's completeness chart joins without the rows
        for columns in (["dirty"], ["case_id"], ["guide_hash"], ["interview_status", "score"],
                        ["interview_id", "score"]):
            db.table(TABLE).create_index(columns, if_not_exists=True)
        # one row per interview and language, the items as a JSON list: a row per item made
        # this table 60% of views.db and most of a rebuild's writes, and no query needs rows
        db.table(MISSING).create({"interview_id": str, "language": str, "items": str},
                                 pk=("interview_id", "language"), if_not_exists=True)
        db.table(STATES).create({"interview_id": str, "state": str}, pk="interview_id",
                                if_not_exists=True)
        db.table(CASES).create(
            {"case_id": str, "interview_id": str, "onset": str, "test_date": str},
            pk="case_id", if_not_exists=True)
        self.library.create(db)

    def handlers(self) -> Mapping[type, Handler]:
        table: dict[type, Handler] = {
            GuideVersion.Archived: self._archived,
            Case.Registered: self._case_registered,
            Case.DetailsCorrected: self._case_corrected,
            Case.InterviewStarted: self._case_interview_started,
            Interview.PersonalDataErased: self._erased,
        }
        table.update(dict.fromkeys(STATUS_AFTER, self._status))
        table.update(dict.fromkeys(
            (Interview.AnswerRecorded, Interview.AnswerChanged, Interview.ContactReported,
             Interview.ContactUpdated, Interview.ContactRemoved, Interview.FollowUpAnswered),
            self._fact))
        return table

    # -- handlers: rows in, rows out; the engine waits for finish_batch -------------------

    def _archived(self, rows: Batch, event: Any) -> None:
        self.library.keep(rows, event)
        for row in rows.find(TABLE, "guide_hash", event.content_hash):
            rows.put(TABLE, {**row, "dirty": 1})

    def _case_registered(self, rows: Batch, event: Any) -> None:
        rows.put(CASES, {"case_id": key_text(event.originator_id), "interview_id": None,
                         "onset": day_text(event.onset), "test_date": day_text(event.test_date)})

    def _case_corrected(self, rows: Batch, event: Any) -> None:
        changes = event.changes
        if "onset" not in changes and "test_date" not in changes:
            return
        found = rows.get(CASES, key_text(event.originator_id))
        assert found is not None, "a correction of an unregistered case"
        case = dict(found)
        for key in ("onset", "test_date"):
            if key in changes:
                case[key] = day_text(changes[key])
        rows.put(CASES, case)
        if case["interview_id"]:
            self._touch(rows, case["interview_id"], event)

    def _case_interview_started(self, rows: Batch, event: Any) -> None:
        case = rows.get(CASES, key_text(event.originator_id))
        assert case is not None, "an interview for an unregistered case"
        rows.put(CASES, {**case, "interview_id": key_text(event.interview_id)})

    def _status(self, rows: Batch, event: Any) -> None:
        interview_id = key_text(event.originator_id)
        if isinstance(event, Interview.Started):
            rows.put(TABLE, {
                "interview_id": interview_id, "case_id": key_text(event.case_id),
                "guide_id": event.guide_id, "guide_hash": event.guide_hash,
                "interview_status": None, "score": None, "missing_count": None,
                "erased_contacts": 0, "as_of": None, "error": None, "dirty": 1})
            _states(rows)[interview_id] = EMPTY_STATE
        self._touch(rows, interview_id, event, status=STATUS_AFTER[type(event)].value)

    def _fact(self, rows: Batch, event: Any) -> None:
        interview_id = key_text(event.originator_id)
        row = rows.get(TABLE, interview_id)
        assert row is not None, "a fact for an unstarted interview"
        _states(rows)[interview_id] = evolve_state(
            _state(rows, interview_id), event, self.library.find(rows, row["guide_hash"]))
        self._touch(rows, interview_id, event)

    def _erased(self, rows: Batch, event: Any) -> None:
        """The contacts' details erased after retention are no longer items to fill. Evaluated
        as of the same day as before (the erasure tells nothing about the interview), so only
        their items go, not days that passed since."""
        row = rows.get(TABLE, key_text(event.originator_id))
        if CONTACTS not in event.parts or row is None:
            return
        _states(rows)[row["interview_id"]] = evolve_state(
            _state(rows, row["interview_id"]), event, None)
        rows.put(TABLE, {**row, "dirty": 1})

    def _touch(self, rows: Batch, interview_id: str, event: Any,
               status: str | None = None) -> None:
        """Mark for evaluation as of the day of this event, in the configured time zone."""
        row = rows.get(TABLE, interview_id)
        if row is None:
            return
        as_of = event.timestamp.astimezone(self.zone).date().isoformat()
        touched = {**row, "dirty": 1, "as_of": as_of}
        if status is not None:
            touched["interview_status"] = status
        rows.put(TABLE, touched)

    # -- once per batch -----------------------------------------------------------------------

    def finish_batch(self, rows: Batch) -> None:
        """Store the states the batch changed, then run the engine once per touched interview."""
        stored: dict[str, str] = {}
        for interview_id, state in _states(rows).items():
            stored[interview_id] = json.dumps(state)
            rows.put(STATES, {"interview_id": interview_id, "state": stored[interview_id]})
        dirty = {row["interview_id"] for row in rows.each(TABLE) if row["dirty"]}
        dirty |= {r[0] for r in rows.conn.execute(
            f"SELECT interview_id FROM {TABLE} WHERE dirty = 1")}
        for interview_id in sorted(dirty):
            row = rows.get(TABLE, interview_id)
            assert row is not None
            text = stored.get(interview_id)
            if text is None:
                found = rows.get(STATES, interview_id)
                assert found is not None
                text = found["state"]
            # the engine sees the state as stored (JSON), exactly as a later batch would
            case = rows.get(CASES, row["case_id"])
            rows.put(TABLE, self._evaluated(rows, row, json.loads(text), case))

    def _evaluated(self, rows: Batch, row: Row, state: Mapping[str, Any],
                   case: Row | None) -> Row:
        interview_id = row["interview_id"]
        for old in rows.find(MISSING, "interview_id", interview_id):
            rows.delete(MISSING, (interview_id, old["language"]))
        # live contacts whose details were erased after retention: what they lack is no gap
        row = {**row, "dirty": 0, "erased_contacts": sum(
            1 for entry in state["contacts"].values()
            if entry.get("erased") and not entry["removed"])}
        guide = self.library.find(rows, row["guide_hash"])
        if guide is None:
            return {**row, "score": None, "missing_count": None,
                    "error": "The guide version of this interview is not available."}
        try:
            score, missing = evaluate(guide, engine_state(state, case),
                                      date.fromisoformat(row["as_of"]))
        except ValueError as error:
            return {**row, "score": None, "missing_count": None,
                    "error": f"{type(error).__name__}: {error}"}
        for language, items in missing.items():
            rows.put(MISSING, {"interview_id": interview_id, "language": language,
                               "items": json.dumps(items)})
        count = len(next(iter(missing.values()), []))
        return {**row, "score": score, "missing_count": count, "error": None}


def _states(rows: Batch) -> dict[str, dict[str, Any]]:
    """Interview states changed in this batch, kept parsed until finish_batch stores them."""
    states: dict[str, dict[str, Any]] = rows.scratch.setdefault("completeness_states", {})
    return states


def _state(rows: Batch, interview_id: str) -> dict[str, Any]:
    """An interview's state as this batch left it, else as stored."""
    state = _states(rows).get(interview_id)
    if state is None:
        stored = rows.get(STATES, interview_id)
        assert stored is not None, "a fact for an unstarted interview"
        state = json.loads(stored["state"])
    return state


def interview_completeness(db: Database, interview_id: str, language: str) -> Row | None:
    """Score and missing items of one interview, in the reader's language."""
    row = fetch_row(db, TABLE, "interview_id", interview_id)
    if row is None:
        return None
    found = db.execute(f"SELECT items FROM {MISSING} WHERE interview_id = ? AND language = ?",
                       [interview_id, language]).fetchone()
    return {**row, "missing": json.loads(found[0]) if found else []}


def lowest_scores(db: Database, *, limit: int = 50) -> list[Row]:
    """Open interviews with the lowest scores first: where a lead's coaching helps most."""
    cursor = db.execute(
        f"SELECT interview_id, case_id, guide_id, interview_status, score, missing_count "
        f"FROM {TABLE} WHERE interview_status != ? AND score IS NOT NULL "
        "ORDER BY score, interview_id LIMIT ?", [InterviewStatus.COMPLETED.value, limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
