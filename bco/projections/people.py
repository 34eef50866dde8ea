"""People: the ONLY read-model tables with personal data (names, phones, e-mail, birth dates).

Kept behind this one module so that they can be encrypted or replaced by keyed hashes
without touching any other read model. Screens search here and take the rest from the
other read models by case id or contact id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.errors import InvalidPhoneError
from bco.domain.interview import Interview
from bco.domain.phone import normalise_phone
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    fetch_row,
)

CASES = "people_cases"
CONTACTS = "people_contacts"
INTERVIEWS = "people_interviews"
PERSON_COLUMNS = ("name", "phone", "email", "birth_date", "postcode")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def name_key(name: str | None) -> str:
    """Lower-case, single-spaced: what a search by name compares."""
    return " ".join((name or "").lower().split())


def on_case_event(row: Row | None, event: Any) -> Row:
    """The index person's searchable details after registration or a correction."""
    if isinstance(event, Case.Registered):
        row = {"case_id": str(event.originator_id), "name": event.name, "phone": event.phone,
               "email": event.email, "birth_date": day_text(event.birth_date),
               "postcode": event.postcode}
    else:
        assert row is not None, "a correction before the registration"
        row = dict(row)
        for key in PERSON_COLUMNS:
            if key in event.changes:
                value = event.changes[key]
                row[key] = day_text(value) if key == "birth_date" else value
    row["name_key"] = name_key(row["name"])
    row["email"] = row["email"].lower() if row["email"] else None
    return row


def on_contact_event(row: Row | None, case_id: str, event: Any) -> Row | None:
    """A contact's name and ways to reach them; None once the contact is removed."""
    if isinstance(event, Interview.ContactRemoved):
        return None
    if isinstance(event, Interview.ContactReported):
        row = {"contact_id": str(event.contact_id), "case_id": case_id,
               "interview_id": str(event.originator_id), "name": event.name,
               "phone": event.phone, "email": event.email}
    else:
        if row is None:
            return None
        row = {**row, **{k: v for k, v in event.changes.items()
                         if k in ("name", "phone", "email")}}
    row["name_key"] = name_key(row["name"])
    row["email"] = row["email"].lower() if row["email"] else None
    return row


class People(ReadModel):
    """Names, phones, e-mail addresses and birth dates of index persons and contacts."""

    name = "people"
    rebuild_cost = 1.8
    tables = (CASES, CONTACTS, INTERVIEWS)

    def create(self, db: Database) -> None:
        db.table(CASES).create({"case_id": str, "name": str, "name_key": str, "phone": str,
                          "email": str, "birth_date": str, "postcode": str},
                         pk="case_id", if_not_exists=True)
        for column in ("name_key", "phone", "email", "birth_date"):
            db.table(CASES).create_index([column], if_not_exists=True)
        db.table(CONTACTS).create({"contact_id": str, "case_id": str, "interview_id": str,
                             "name": str, "name_key": str, "phone": str, "email": str},
                            pk="contact_id", if_not_exists=True)
        for column in ("case_id", "name_key", "phone"):
            db.table(CONTACTS).create_index([column], if_not_exists=True)
        db.table(INTERVIEWS).create({"interview_id": str, "case_id": str}, pk="interview_id",
                              if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Case.Registered: self._case,
            Case.DetailsCorrected: self._case,
            Interview.Started: self._started,
            Interview.ContactReported: self._contact,
            Interview.ContactUpdated: self._contact,
            Interview.ContactRemoved: self._contact,
        }

    def _case(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Case.Registered):
            rows.put(CASES, on_case_event(None, event))
        elif set(event.changes) & set(PERSON_COLUMNS):
            rows.put(CASES, on_case_event(rows.get(CASES, str(event.originator_id)), event))

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": str(event.originator_id),
                              "case_id": str(event.case_id)})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, str(event.originator_id))
        assert interview is not None, "a contact before the interview started"
        contact_id = str(event.contact_id)
        found = (None if isinstance(event, Interview.ContactReported)
                 else rows.get(CONTACTS, contact_id))
        changed = on_contact_event(found, interview["case_id"], event)
        if changed is None:
            rows.delete(CONTACTS, contact_id)
        else:
            rows.put(CONTACTS, changed)


def find_cases(db: Database, text: str, *, region: str = "NL", limit: int = 20) -> list[str]:
    """Case ids whose index matches an e-mail, a birth date, a phone number or a name start."""
    query = text.strip()
    if not query:
        return []
    if "@" in query:
        return _ids(db, f"SELECT case_id FROM {CASES} WHERE email = ? LIMIT ?",
                    [query.lower(), limit])
    if ISO_DAY.match(query):
        return _ids(db, f"SELECT case_id FROM {CASES} WHERE birth_date = ? LIMIT ?",
                    [query, limit])
    if sum(ch.isdigit() for ch in query) >= 6:
        try:
            phone = normalise_phone(query, region)
        except InvalidPhoneError:
            return []
        return _ids(db, f"SELECT case_id FROM {CASES} WHERE phone = ? LIMIT ?", [phone, limit])
    key = name_key(query)
    found = _ids(db, f"SELECT case_id FROM {CASES} WHERE name_key >= ? AND name_key < ? "
                     "ORDER BY name_key LIMIT ?", [key, key + "\uffff", limit])
    if len(found) < limit:
        found += [case_id for case_id in _ids(
            db, f"SELECT case_id FROM {CASES} WHERE instr(name_key, ?) > 1 "
                "ORDER BY name_key LIMIT ?", [" " + key, limit]) if case_id not in found]
    return found[:limit]


def person(db: Database, case_id: str) -> Row | None:
    """The index person's details for a screen that may show them (and logs that it did)."""
    return fetch_row(db, CASES, "case_id", case_id)


def contact_names(db: Database, case_id: str) -> dict[str, str]:
    """Contact id → name for the live contacts of a case."""
    rows = db.execute(f"SELECT contact_id, name FROM {CONTACTS} WHERE case_id = ?", [case_id])
    return dict(rows.fetchall())


def _ids(db: Database, sql: str, parameters: list[Any]) -> list[str]:
    return [case_id for (case_id,) in db.execute(sql, parameters).fetchall()]
