"""Prompt yield: how many contacts each probing prompt of a guide surfaced, and how often asked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.interview import Interview
from bco.guides import prompt_ids
from bco.projections.readmodel import Batch, Handler, ReadModel, Row

INTERVIEWS = "prompt_yield_interviews"
ASKED = "prompt_yield_asked"
CONTACTS = "prompt_yield_contacts"
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
        return {"contact_id": str(event.contact_id), "interview_id": interview["interview_id"],
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
    rebuild_cost = 1.2
    tables = (INTERVIEWS, ASKED, CONTACTS)

    def create(self, db: Database) -> None:
        db.table(INTERVIEWS).create({"interview_id": str, "guide_id": str}, pk="interview_id",
                              if_not_exists=True)
        db.table(ASKED).create({"interview_id": str, "prompt_id": str, "guide_id": str,
                          "prompt": str}, pk=("interview_id", "prompt_id"), if_not_exists=True)
        db.table(ASKED).create_index(["guide_id", "prompt"], if_not_exists=True)
        db.table(CONTACTS).create({"contact_id": str, "interview_id": str, "guide_id": str,
                             "prompt": str, "removed": int}, pk="contact_id",
                            if_not_exists=True)
        db.table(CONTACTS).create_index(["guide_id", "prompt"],
                                  if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Interview.Started: self._started,
            Interview.FollowUpRaised: self._asked,
            Interview.ContactReported: self._contact,
            Interview.ContactUpdated: self._contact,
            Interview.ContactRemoved: self._contact,
        }

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": str(event.originator_id),
                              "guide_id": event.guide_id})

    def _asked(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, str(event.originator_id))
        assert interview is not None, "a prompt raised before the interview started"
        rows.put(ASKED, {"interview_id": interview["interview_id"],
                         "prompt_id": event.prompt_id, "guide_id": interview["guide_id"],
                         "prompt": prompt_key(event.prompt_id)})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, str(event.originator_id))
        assert interview is not None, "a contact before the interview started"
        row = (None if isinstance(event, Interview.ContactReported)
               else rows.get(CONTACTS, str(event.contact_id)))
        changed = on_contact_event(row, interview, event)
        if changed is not None:
            rows.put(CONTACTS, changed)


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
