"""Matches: the same person recognised across cases, on strict keys kept as keyed hashes.

A case that arrives is compared with every earlier case's index (same phone number, or same
birth date and normalised name) and every contact named in an interview (same phone number:
the event data has no birth date for contacts). What matches becomes a *proposal* on the new
case; nothing is merged. The tracer decides (`Case.MatchDecided`): the same person — a link,
shown on both cases (for a contact: the case that named them, the first link of a chain) —
or not the same person, with a reason kept in the event store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.personal import CONTACTS, INDEX
from bco.projections.person_keys import PersonKeys
from bco.projections.readmodel import Batch, Handler, ReadModel, Row, utc_text

KEYS = "matches_keys"  # one row per (hash, person): the index of a case, or a contact
PEOPLE = "matches_people"  # each person's key parts, to work the keys out after a correction
INTERVIEWS = "matches_interviews"
PROPOSALS = "matches_proposals"
HOLDERS = "matches_key_holders"  # how many people hold each hash
# A phone number more people give than this (a school's switchboard, a parent's phone for a
# whole family, a placeholder) says nothing about who is who: it proposes nobody. Without
# this limit such a number would propose every holder to every new holder, quadratically.
SHARED_KEY_HOLDERS = 6
KINDS = ("phone", "name_birth")


def owner(case_id: str, contact_id: str | None = None) -> str:
    """A case's index is '<case>:', its interview's contact '<case>:<contact>'."""
    return f"{case_id}:{contact_id or ''}"


class Matches(ReadModel):
    """Keyed hashes per person, and the proposals and decisions per new case."""

    name = "matches"
    rebuild_cost = 6.5
    tables = (KEYS, PEOPLE, INTERVIEWS, PROPOSALS, HOLDERS)
    lookups = ((KEYS, "case_id"), (KEYS, "owner"), (KEYS, "key"), (PROPOSALS, "case_id"))

    def __init__(self, secret: str = "") -> None:
        self.keys = PersonKeys(secret)

    def create(self, db: Database) -> None:
        db.table(KEYS).create({"key": str, "owner": str, "case_id": str, "contact_id": str,
                               "kind": str}, pk=("key", "owner"), if_not_exists=True)
        db.table(KEYS).create_index(["owner"], if_not_exists=True)
        db.table(PEOPLE).create({"owner": str, "phone_key": str, "name_key": str,
                                 "birth_key": str}, pk="owner", if_not_exists=True)
        db.table(INTERVIEWS).create({"interview_id": str, "case_id": str},
                                    pk="interview_id", if_not_exists=True)
        db.table(PROPOSALS).create({
            "case_id": str, "other_case_id": str, "contact_id": str, "on_phone": int,
            "on_name_birth": int, "proposed_at": str, "decision": str, "decided_at": str,
            "decided_by": str,
        }, pk=("case_id", "other_case_id", "contact_id"), if_not_exists=True)
        db.table(PROPOSALS).create_index(["other_case_id"], if_not_exists=True)
        db.table(HOLDERS).create({"key": str, "holders": int}, pk="key", if_not_exists=True)

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Case.Registered: self._case,
            Case.DetailsCorrected: self._case,
            Case.MatchDecided: self._decided,
            Interview.Started: self._started,
            Interview.ContactReported: self._contact,
            Interview.ContactUpdated: self._contact,
            Interview.ContactRemoved: self._contact,
            Case.PersonalDataErased: self._erased,
            Interview.PersonalDataErased: self._erased,
        }

    def _erased(self, rows: Batch, event: Any) -> None:
        """Past retention a person is nobody to match any more: their hashes go (the index's
        with the case's identity, the contacts' with the contacts' details)."""
        if isinstance(event, Case.PersonalDataErased):
            if INDEX in event.parts:
                self._index(rows, str(event.originator_id), None, {})
            return
        interview = rows.get(INTERVIEWS, str(event.originator_id))
        if interview is None or CONTACTS not in event.parts:
            return
        for person in list(rows.find(KEYS, "case_id", interview["case_id"])):
            if person["contact_id"]:
                self._index(rows, interview["case_id"], person["contact_id"], {})

    def _case(self, rows: Batch, event: Any) -> None:
        case_id = str(event.originator_id)
        if isinstance(event, Case.Registered):
            parts = {"phone_key": self.keys.phone(event.phone),
                     "name_key": self.keys.name(event.name),
                     "birth_key": self.keys.birth(event.birth_date)}
        else:
            changes = event.changes
            if not {"phone", "name", "birth_date"} & set(changes):
                return
            found = rows.get(PEOPLE, owner(case_id))
            parts = {k: v for k, v in (found or {}).items() if k != "owner"}
            if "phone" in changes:
                parts["phone_key"] = self.keys.phone(changes["phone"])
            if "name" in changes:
                parts["name_key"] = self.keys.name(changes["name"])
            if "birth_date" in changes:
                parts["birth_key"] = self.keys.birth(changes["birth_date"])
        keys = self._index(rows, case_id, None, parts)
        self._propose(rows, case_id, keys, utc_text(event.timestamp))

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": str(event.originator_id),
                              "case_id": str(event.case_id)})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, str(event.originator_id))
        if interview is None:
            return
        contact_id = str(event.contact_id)
        if isinstance(event, Interview.ContactRemoved):
            self._index(rows, interview["case_id"], contact_id, {})
        elif isinstance(event, Interview.ContactReported) or "phone" in event.changes:
            phone = event.phone if isinstance(event, Interview.ContactReported) \
                else event.changes["phone"]
            self._index(rows, interview["case_id"], contact_id,
                        {"phone_key": self.keys.phone(phone)})

    def _index(self, rows: Batch, case_id: str, contact_id: str | None,
               parts: Row) -> dict[str, str]:
        """Replace the person's hashes with those of `parts`; returns kind → hash."""
        who = owner(case_id, contact_id)
        for old in rows.find(KEYS, "owner", who):
            rows.delete(KEYS, (old["key"], who))
            self._count(rows, old["key"], -1)
        if not parts:
            rows.delete(PEOPLE, who)
            return {}
        rows.put(PEOPLE, {"owner": who, "phone_key": parts.get("phone_key"),
                          "name_key": parts.get("name_key"), "birth_key": parts.get("birth_key")})
        keys = {"phone": parts.get("phone_key"),
                "name_birth": self.keys.name_birth(parts.get("name_key"),
                                                   parts.get("birth_key"))}
        found = {kind: key for kind, key in keys.items() if key}
        for kind, key in found.items():
            rows.put(KEYS, {"key": key, "owner": who, "case_id": case_id,
                            "contact_id": contact_id or "", "kind": kind})
            self._count(rows, key, +1)
        return found

    @staticmethod
    def _count(rows: Batch, key: str, change: int) -> None:
        held = (rows.get(HOLDERS, key) or {"holders": 0})["holders"] + change
        if held > 0:
            rows.put(HOLDERS, {"key": key, "holders": held})
        else:
            rows.delete(HOLDERS, key)

    def _propose(self, rows: Batch, case_id: str, keys: dict[str, str], moment: str | None
                 ) -> None:
        """Open proposals for every other person with one of `keys`; an undecided proposal
        that no longer matches (after a correction) is withdrawn, a decided one stays."""
        matched: dict[tuple[str, str], set[str]] = {}
        for kind, key in keys.items():
            held = rows.get(HOLDERS, key)
            if held is not None and held["holders"] > SHARED_KEY_HOLDERS:
                continue
            for other in rows.find(KEYS, "key", key):
                if other["case_id"] != case_id:
                    matched.setdefault((other["case_id"], other["contact_id"]), set()).add(kind)
        for proposal in rows.find(PROPOSALS, "case_id", case_id):
            pair = (proposal["other_case_id"], proposal["contact_id"])
            if proposal["decision"] is None and pair not in matched:
                rows.delete(PROPOSALS, (case_id, *pair))
        for (other_case, contact), kinds in matched.items():
            current = rows.get(PROPOSALS, (case_id, other_case, contact))
            rows.put(PROPOSALS, {
                **(current or {"case_id": case_id, "other_case_id": other_case,
                               "contact_id": contact, "proposed_at": moment,
                               "decision": None, "decided_at": None, "decided_by": None}),
                "on_phone": int("phone" in kinds), "on_name_birth": int("name_birth" in kinds)})

    def _decided(self, rows: Batch, event: Any) -> None:
        key = (str(event.originator_id), str(event.other_case_id),
               str(event.contact_id) if event.contact_id else "")
        current = rows.get(PROPOSALS, key) or {
            "case_id": key[0], "other_case_id": key[1], "contact_id": key[2], "on_phone": 0,
            "on_name_birth": 0, "proposed_at": utc_text(event.timestamp)}
        rows.put(PROPOSALS, {**current, "decision": "same" if event.same else "different",
                             "decided_at": utc_text(event.timestamp), "decided_by": event.actor})


def proposals(db: Database, case_id: str) -> list[Row]:
    """The case's matches: open proposals first (oldest first), then the decided ones."""
    cursor = db.execute(
        f"SELECT * FROM {PROPOSALS} WHERE case_id = ? "
        "ORDER BY decision IS NOT NULL, proposed_at, other_case_id, contact_id", [case_id])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def linked_from(db: Database, case_id: str) -> list[Row]:
    """Later cases a tracer linked to this one: its index again, or one of its contacts who
    became a case (none before the read model's first run)."""
    if not db.table(PROPOSALS).exists():
        return []
    cursor = db.execute(
        f"SELECT * FROM {PROPOSALS} WHERE other_case_id = ? AND decision = 'same' "
        "ORDER BY decided_at, case_id", [case_id])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def candidates(db: Database, keys: PersonKeys, *, phone: str | None, name: str | None,
               birth_date: str | None) -> list[Row]:
    """Everyone on record with this phone number, or this name and birth date (by hash)."""
    wanted = [k for k in (keys.phone(phone),
                          keys.name_birth(keys.name(name), keys.birth(birth_date))) if k]
    if not wanted:
        return []
    cursor = db.execute(
        f"SELECT case_id, contact_id, kind FROM {KEYS} WHERE key IN "
        f"({', '.join('?' for _ in wanted)})", wanted)
    return [{"case_id": c, "contact_id": k or None, "kind": kind}
            for c, k, kind in cursor.fetchall()]
