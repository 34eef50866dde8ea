"""People: the ONLY read-model tables with personal data (names, phones, e-mail, birth dates).

Kept behind this one module so that they can be encrypted or replaced by keyed hashes
without touching any other read model. Screens search here and take the rest from the
other read models by case id or contact id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.errors import InvalidPhoneError
from bco.domain.interview import Interview
from bco.domain.personal import CONTACTS as CONTACTS_PART
from bco.domain.personal import INDEX, REMOVED
from bco.domain.phone import normalise_phone
from bco.projections import accounts, worklist
from bco.projections.readmodel import (
    Batch,
    Handler,
    ReadModel,
    Row,
    day_text,
    fetch_row,
    key_text,
)

CASES = "people_cases"
CONTACTS = "people_contacts"
INTERVIEWS = "people_interviews"
PERSON_COLUMNS = ("name", "phone", "email", "birth_date", "postcode")
# A person's row after retention: the marker for the name, nothing else to find them by.
ERASED_CONTACT = {"name": REMOVED, "name_key": None, "phone": None, "email": None}
ERASED_CASE = {**ERASED_CONTACT, "birth_date": None, "postcode": None}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOCAL_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
# The short reference the screens show is "C-" and the first 8 characters of the case id.
REFERENCE = re.compile(r"^c[-\s]\s*([0-9a-f]{4,8})$")
BARE_REFERENCE = re.compile(r"^([0-9a-f]{8})$")
WHOLE_ID = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def name_key(name: str | None) -> str:
    """Lower-case, single-spaced: what a search by name compares."""
    return " ".join((name or "").lower().split())


def on_case_event(row: Row | None, event: Any) -> Row:
    """The index person's searchable details after registration or a correction."""
    if isinstance(event, Case.Registered):
        row = {"case_id": key_text(event.originator_id), "name": event.name, "phone": event.phone,
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
        row = {"contact_id": key_text(event.contact_id), "case_id": case_id,
               "interview_id": key_text(event.originator_id), "name": event.name,
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
    by_case = True
    tables = (CASES, CONTACTS, INTERVIEWS)
    lookups = ((CONTACTS, "interview_id"),)

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
            Case.PersonalDataErased: self._case_erased,
            Interview.PersonalDataErased: self._contacts_erased,
        }

    def _case_erased(self, rows: Batch, event: Any) -> None:
        """After retention the case keeps its row (the command line finds it by reference)
        but nothing that identifies the index."""
        row = rows.get(CASES, key_text(event.originator_id))
        if row is not None and INDEX in event.parts:
            rows.put(CASES, {**row, **ERASED_CASE})

    def _contacts_erased(self, rows: Batch, event: Any) -> None:
        if CONTACTS_PART not in event.parts:
            return
        for row in rows.find(CONTACTS, "interview_id", key_text(event.originator_id)):
            rows.put(CONTACTS, {**row, **ERASED_CONTACT})

    def _case(self, rows: Batch, event: Any) -> None:
        if isinstance(event, Case.Registered):
            rows.put(CASES, on_case_event(None, event))
        elif set(event.changes) & set(PERSON_COLUMNS):
            rows.put(CASES, on_case_event(rows.get(CASES, key_text(event.originator_id)), event))

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": key_text(event.originator_id),
                              "case_id": key_text(event.case_id)})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        assert interview is not None, "a contact before the interview started"
        contact_id = key_text(event.contact_id)
        found = (None if isinstance(event, Interview.ContactReported)
                 else rows.get(CONTACTS, contact_id))
        changed = on_contact_event(found, interview["case_id"], event)
        if changed is None:
            rows.delete(CONTACTS, contact_id)
        else:
            rows.put(CONTACTS, changed)


@dataclass(frozen=True)
class SearchScope:
    """Which cases a search may return: the web builds it from the searcher's role, and an
    empty scope finds nothing."""

    tracer: str | None = None  # this tracer's own cases and the pool of `pool_team`
    pool_team: str | None = None
    team: str | None = None  # every case of this team (a team lead's)
    interviewed: bool = False  # every case whose interview is completed (the authority's)


def search_kind(text: str) -> str:
    """What a typed term is taken for, so the page can say how it searched."""
    query = text.strip()
    if reference_prefix(query) is not None:
        return "reference"
    if "@" in query:
        return "email"
    if birth_day(query) is not None:
        return "birth_date"
    if sum(ch.isdigit() for ch in query) >= 6:
        return "phone"
    return "name"


def reference_prefix(text: str) -> str | None:
    """The start of a case id from a reference as shown (C-1c58eac0, at least 4 characters
    after C-), eight bare characters, or a whole case id."""
    query = text.strip().lower()
    for pattern in (REFERENCE, BARE_REFERENCE, WHOLE_ID):
        found = pattern.match(query)
        if found:
            return found.group(1)
    return None


def birth_day(text: str) -> str | None:
    """A birth date as stored (YYYY-MM-DD) from 1980-03-04, 4-3-1980, 04/03/1980 or 4.3.1980."""
    query = text.strip()
    if ISO_DAY.match(query):
        found = query
    else:
        local = LOCAL_DAY.match(query)
        if not local:
            return None
        day, month, year = local.groups()
        found = f"{year}-{int(month):02d}-{int(day):02d}"
    try:
        return date.fromisoformat(found).isoformat()
    except ValueError:
        return None


def search_cases(db: Database, text: str, scope: SearchScope, *, region: str = "NL",
                 limit: int = 20) -> list[str]:
    """Case ids within `scope` whose reference, e-mail, birth date, phone number or name
    (from the start of any word) matches `text`; a term that can be a reference or a phone
    number is looked up as both."""
    query = text.strip()
    where, values = _scope_sql(scope)
    if not query or where is None:
        return []
    found: list[str] = []
    prefix = reference_prefix(query)
    if prefix is not None:
        found += _scoped(db, "p.case_id >= ? AND p.case_id < ?", [prefix, prefix + "~"],
                         where, values, limit)
    kind = search_kind(query) if prefix is None else ("phone" if query.isdigit() else "")
    if kind == "email":
        found += _scoped(db, "p.email = ?", [query.lower()], where, values, limit)
    elif kind == "birth_date":
        found += _scoped(db, "p.birth_date = ?", [birth_day(query)], where, values, limit)
    elif kind == "phone":
        try:
            phone = normalise_phone(query, region)
        except InvalidPhoneError:
            return found
        found += _scoped(db, "p.phone = ?", [phone], where, values, limit)
    elif kind == "name":
        key = name_key(query)
        found += _scoped(db, "(p.name_key >= ? AND p.name_key < ?) OR instr(p.name_key, ?) > 1",
                         [key, key + "\uffff", " " + key], where, values, limit)
    return list(dict.fromkeys(found))[:limit]


def cases_by_reference(db: Database, reference: str, *, limit: int = 20) -> list[str]:
    """Every case id that a reference (or the start of an id) can mean, in id order, for
    the command line, which may see every case."""
    prefix = reference_prefix(reference)
    if prefix is None:
        return []
    return _ids(db, f"SELECT case_id FROM {CASES} WHERE case_id >= ? AND case_id < ? "
                    "ORDER BY case_id LIMIT ?", [prefix, prefix + "~", limit])


def _scope_sql(scope: SearchScope) -> tuple[str | None, list[Any]]:
    """The scope as one SQL condition on the worklist row `w`; None when it allows nothing."""
    parts: list[str] = []
    values: list[Any] = []
    if scope.tracer is not None:
        parts.append("w.tracer = ? OR (w.tracer IS NULL AND (w.team IS NULL OR w.team = ?))")
        values += [scope.tracer, scope.pool_team]
    if scope.team is not None:
        parts.append(f"w.team = ? OR (w.team IS NULL AND EXISTS (SELECT 1 FROM "
                     f"{accounts.TABLE} a WHERE a.name = w.tracer AND a.team = ?))")
        values += [scope.team, scope.team]
    if scope.interviewed:
        parts.append("w.interviewed = 1")
    if not parts:
        return None, []
    return " OR ".join(f"({part})" for part in parts), values


def _scoped(db: Database, match: str, match_values: list[Any], scope: str,
            scope_values: list[Any], limit: int) -> list[str]:
    return _ids(db, f"SELECT p.case_id FROM {CASES} p JOIN {worklist.TABLE} w "
                    f"ON w.case_id = p.case_id WHERE ({match}) AND ({scope}) "
                    "ORDER BY p.name_key, p.case_id LIMIT ?",
                [*match_values, *scope_values, limit])


def person(db: Database, case_id: str) -> Row | None:
    """The index person's details for a screen that may show them (and logs that it did)."""
    return fetch_row(db, CASES, "case_id", case_id)


def contact_names(db: Database, case_id: str) -> dict[str, str]:
    """Contact id → name for the live contacts of a case."""
    rows = db.execute(f"SELECT contact_id, name FROM {CONTACTS} WHERE case_id = ?", [case_id])
    return dict(rows.fetchall())


def _ids(db: Database, sql: str, parameters: list[Any]) -> list[str]:
    return [case_id for (case_id,) in db.execute(sql, parameters).fetchall()]
