"""Prompt yield: how many contacts each probing prompt of a guide surfaced, and how often asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.guides import prompt_ids
from bco.projections.readmodel import Batch, Handler, ReadModel, Row, key_text

INTERVIEWS = "prompt_yield_interviews"
ASKED = "prompt_yield_asked"
CONTACTS = "prompt_yield_contacts"
CASES = "prompt_yield_cases"  # each case's team and disease, for the per-day sums
# Per local day of an interview's (first) completion, team, disease, guide and prompt: times
# asked and live contacts found, so the dashboard reads a month as a few hundred rows.
BY_DAY = "prompt_yield_by_day"
UNPROMPTED = "(unprompted)"


def prompt_key(prompt_id: str | None) -> str:
    """Day prompts count together ('day'), since each interview walks its own dates."""
    if not prompt_id:
        return UNPROMPTED
    parsed = prompt_ids.parse(prompt_id)
    return "day" if parsed is not None and parsed.kind == "day" else prompt_id


def on_contact_event(row: Row | None, interview: Row, event: Any) -> Row | None:
    """Which prompt a contact counts for, after it was reported, moved or removed."""
    if isinstance(event, Interview.ContactReported):
        return {"contact_id": key_text(event.contact_id), "interview_id": interview["interview_id"],
                "guide_id": interview["guide_id"], "prompt": prompt_key(event.prompt),
                "removed": 0}
    if row is None:
        return None
    if isinstance(event, Interview.ContactRemoved):
        return {**row, "removed": 1}
    if "prompt" in event.changes:
        return {**row, "prompt": prompt_key(event.changes["prompt"])}
    return row


class PromptYield(ReadModel):
    """Contacts per guide prompt, to see which probing questions find people."""

    name = "prompt_yield"
    rebuild_cost = 6.0
    tables = (INTERVIEWS, ASKED, CONTACTS, CASES, BY_DAY)
    lookups = ((ASKED, "interview_id"), (CONTACTS, "interview_id"), (INTERVIEWS, "case_id"))

    def __init__(self, timezone: str = "Europe/Amsterdam") -> None:
        self.zone = ZoneInfo(timezone)  # the local days of BY_DAY

    def create(self, db: Database) -> None:
        if (db.table(INTERVIEWS).exists()
                and "completed_day" not in db.table(INTERVIEWS).columns_dict):
            self.forget(db)  # an older layout: replay into the new one
        db.table(INTERVIEWS).create({"interview_id": str, "guide_id": str, "case_id": str,
                                     "completed_day": str}, pk="interview_id",
                                    if_not_exists=True)
        db.table(INTERVIEWS).create_index(["case_id"], if_not_exists=True)
        db.table(ASKED).create({"interview_id": str, "prompt_id": str, "guide_id": str,
                          "prompt": str}, pk=("interview_id", "prompt_id"), if_not_exists=True)
        db.table(ASKED).create_index(["guide_id", "prompt"], if_not_exists=True)
        db.table(CONTACTS).create({"contact_id": str, "interview_id": str, "guide_id": str,
                             "prompt": str, "removed": int}, pk="contact_id",
                            if_not_exists=True)
        db.table(CONTACTS).create_index(["guide_id", "prompt"],
                                  if_not_exists=True)
        db.table(CONTACTS).create_index(["interview_id"], if_not_exists=True)
        db.table(CASES).create({"case_id": str, "team": str, "disease": str}, pk="case_id",
                               if_not_exists=True)
        db.table(BY_DAY).create({"team": str, "day": str, "disease": str, "guide_id": str,
                                 "prompt": str, "asked": int, "contacts": int},
                                pk=("team", "day", "disease", "guide_id", "prompt"),
                                if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Case.Registered: self._case,
            Case.Assigned: self._case,
            Case.DetailsCorrected: self._case,
            Interview.Started: self._started,
            Interview.Completed: self._completed,
            Interview.FollowUpRaised: self._asked,
            Interview.ContactReported: self._contact,
            Interview.ContactUpdated: self._contact,
            Interview.ContactRemoved: self._contact,
        }

    # -- the per-day sums ----------------------------------------------------------------

    @staticmethod
    def _add(rows: Batch, interview: Row, guide_id: str, prompt: str, *, asked: int = 0,
             contacts: int = 0) -> None:
        """Count an ask or a contact of a completed interview on its day (minus: take away)."""
        day = interview["completed_day"]
        if day is None:
            return
        case = rows.get(CASES, interview["case_id"]) or {}
        key = (case.get("team") or "", day, case.get("disease") or "", guide_id, prompt)
        row = rows.get(BY_DAY, key) or dict(zip(
            ("team", "day", "disease", "guide_id", "prompt"), key, strict=True),
            asked=0, contacts=0)
        row = {**row, "asked": row["asked"] + asked, "contacts": row["contacts"] + contacts}
        if row["asked"] == 0 and row["contacts"] == 0:
            rows.delete(BY_DAY, key)  # nothing left: no trace of the order events came in
        else:
            rows.put(BY_DAY, row)

    def _count_interview(self, rows: Batch, interview: Row, sign: int) -> None:
        for ask in rows.find(ASKED, "interview_id", interview["interview_id"]):
            self._add(rows, interview, ask["guide_id"], ask["prompt"], asked=sign)
        for contact in rows.find(CONTACTS, "interview_id", interview["interview_id"]):
            if not contact["removed"]:
                self._add(rows, interview, contact["guide_id"], contact["prompt"],
                          contacts=sign)

    def _case(self, rows: Batch, event: Any) -> None:
        """A case's team or disease; its completed interview's sums move with it."""
        case_id = key_text(event.originator_id)
        old = rows.get(CASES, case_id)
        if isinstance(event, Case.Registered):  # no interview yet
            rows.put(CASES, {"case_id": case_id, "team": None, "disease": event.disease})
            return
        if old is None:
            return
        elif isinstance(event, Case.Assigned):
            new = {**old, "team": event.team or old["team"]}
        elif "disease" in event.changes:
            new = {**old, "disease": event.changes["disease"]}
        else:
            return
        if new == old:
            return
        interviews = rows.find(INTERVIEWS, "case_id", case_id)
        for interview in interviews:
            self._count_interview(rows, interview, -1)
        rows.put(CASES, new)
        for interview in interviews:
            self._count_interview(rows, interview, +1)

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": key_text(event.originator_id),
                              "guide_id": event.guide_id, "case_id": key_text(event.case_id),
                              "completed_day": None})

    def _completed(self, rows: Batch, event: Any) -> None:
        """The first completion puts the interview's asks and contacts on its local day."""
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "a completion before the interview started"
        if interview["completed_day"] is not None:
            return
        interview = {**interview,
                     "completed_day": event.timestamp.astimezone(self.zone).date().isoformat()}
        rows.put(INTERVIEWS, interview)
        self._count_interview(rows, interview, +1)

    def _asked(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "a prompt raised before the interview started"
        key = (interview["interview_id"], event.prompt_id)
        row = {"interview_id": interview["interview_id"],
               "prompt_id": event.prompt_id, "guide_id": interview["guide_id"],
               "prompt": prompt_key(event.prompt_id)}
        if rows.get(ASKED, key) is None:
            self._add(rows, interview, row["guide_id"], row["prompt"], asked=1)
        rows.put(ASKED, row)

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "a contact before the interview started"
        row = (None if isinstance(event, Interview.ContactReported)
               else rows.get(CONTACTS, key_text(event.contact_id)))
        changed = on_contact_event(row, interview, event)
        if changed is not None:
            if row is not None and not row["removed"]:
                self._add(rows, interview, row["guide_id"], row["prompt"], contacts=-1)
            if not changed["removed"]:
                self._add(rows, interview, changed["guide_id"], changed["prompt"],
                          contacts=1)
            rows.put(CONTACTS, changed)


def yield_by_day(db: Database, first: str, last: str, team: str | None,
                 disease: str | None) -> list[tuple[str, str, int, int]]:
    """(guide, prompt, times asked, live contacts) over interviews first completed on the
    local days first..last (ISO dates), of one team (None: all) and disease (None: all)."""
    clauses, values = "", [first, last]
    if team is not None:
        clauses += " AND team = ?"
        values.append(team)
    if disease is not None:
        clauses += " AND disease = ?"
        values.append(disease)
    return [tuple(row) for row in db.execute(
        f"SELECT guide_id, prompt, sum(asked), sum(contacts) FROM {BY_DAY} "
        f"WHERE day >= ? AND day <= ?{clauses} GROUP BY guide_id, prompt", values)]


def yield_per_prompt(db: Database, guide_id: str | None = None) -> list[Row]:
    """Per guide and prompt: times asked, live contacts surfaced, and contacts per ask."""
    asked = dict(((g, p), n) for g, p, n in db.execute(
        f"SELECT guide_id, prompt, count(*) FROM {ASKED} GROUP BY guide_id, prompt"))
    found = dict(((g, p), n) for g, p, n in db.execute(
        f"SELECT guide_id, prompt, count(*) FROM {CONTACTS} WHERE removed = 0 "
        "GROUP BY guide_id, prompt"))
    rows = []
    for key in sorted(set(asked) | set(found)):
        if guide_id is not None and key[0] != guide_id:
            continue
        times, contacts = asked.get(key, 0), found.get(key, 0)
        rows.append({"guide_id": key[0], "prompt": key[1], "asked": times,
                     "contacts": contacts,
                     "contacts_per_ask": round(contacts / times, 3) if times else None})
    return rows
