"""Matches: the same person recognised across cases, on strict keys kept as keyed hashes.

A case that arrives is compared with every earlier case's index (same phone number, or same
birth date and normalised name) and every contact named in an interview (same phone number:
the event data has no birth date for contacts). What matches becomes a *proposal* on the new
case; nothing is merged. The tracer decides (`Case.MatchDecided`): the same person — a link,
shown on both cases (for a contact: the case that named them, the first link of a chain) —
or not the same person, with a reason kept in the event store.

Proposals are kept as a function of the people's current hashes, never of what happened to be
known when an event was applied: a rebuild reads erased events (past retention a name and
birth date read as nothing, only a phone number's hash survives), so anything worked out from
a since-erased person's data would differ between following along and a rebuild. An open
proposal exists while the case's index shares a hash, held by at most SHARED_KEY_HOLDERS
people, with a person whose hashes were known before the index's last changed (log order);
whenever a person's hashes change or go, or a hash crosses the cap either way, the proposals
of everyone concerned are settled again. A decided proposal stays, with what matches now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.personal import CONTACTS, INDEX
from bco.projections.person_keys import PersonKeys
from bco.projections.readmodel import Batch, Handler, ReadModel, Row, key_text, utc_text

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
    lookups = ((KEYS, "case_id"), (KEYS, "owner"), (KEYS, "key"), (PROPOSALS, "case_id"),
               (PROPOSALS, "other_case_id"))

    def __init__(self, secret: str = "") -> None:
        self.keys = PersonKeys(secret)

    def create(self, db: Database) -> None:
        if db.table(PEOPLE).exists() and "since" not in db.table(PEOPLE).columns_dict:
            self.forget(db)  # an older layout: replay into the new one
        db.table(KEYS).create({"key": str, "owner": str, "case_id": str, "contact_id": str,
                               "kind": str}, pk=("key", "owner"), if_not_exists=True)
        db.table(KEYS).create_index(["owner"], if_not_exists=True)
        db.table(PEOPLE).create({"owner": str, "phone_key": str, "name_key": str,
                                 "birth_key": str, "since": int, "since_at": str},
                                pk="owner", if_not_exists=True)
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
        with the case's identity, the contacts' with the contacts' details), and with them
        every open proposal they were part of."""
        if isinstance(event, Case.PersonalDataErased):
            if INDEX in event.parts:
                self._index(rows, key_text(event.originator_id), None, {})
            return
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        if interview is None or CONTACTS not in event.parts:
            return
        for person in list(rows.find(KEYS, "case_id", interview["case_id"])):
            if person["contact_id"]:
                self._index(rows, interview["case_id"], person["contact_id"], {})

    def _case(self, rows: Batch, event: Any) -> None:
        case_id = key_text(event.originator_id)
        if isinstance(event, Case.Registered):
            parts = {"phone_key": self.keys.phone(event.phone),
                     "name_key": self.keys.name(event.name),
                     "birth_key": self.keys.birth(event.birth_date)}
        else:
            changes = event.changes
            if not {"phone", "name", "birth_date"} & set(changes):
                return
            found = rows.get(PEOPLE, owner(case_id))
            parts = {k: found.get(k) for k in ("phone_key", "name_key", "birth_key")} \
                if found else {}
            if "phone" in changes:
                parts["phone_key"] = self.keys.phone(changes["phone"])
            if "name" in changes:
                parts["name_key"] = self.keys.name(changes["name"])
            if "birth_date" in changes:
                parts["birth_key"] = self.keys.birth(changes["birth_date"])
        self._index(rows, case_id, None, parts, utc_text(event.timestamp))

    def _started(self, rows: Batch, event: Any) -> None:
        rows.put(INTERVIEWS, {"interview_id": key_text(event.originator_id),
                              "case_id": key_text(event.case_id)})

    def _contact(self, rows: Batch, event: Any) -> None:
        interview = rows.get(INTERVIEWS, key_text(event.originator_id))
        if interview is None:
            return
        contact_id = key_text(event.contact_id)
        if isinstance(event, Interview.ContactRemoved):
            self._index(rows, interview["case_id"], contact_id, {})
        elif isinstance(event, Interview.ContactReported) or "phone" in event.changes:
            phone = event.phone if isinstance(event, Interview.ContactReported) \
                else event.changes["phone"]
            self._index(rows, interview["case_id"], contact_id,
                        {"phone_key": self.keys.phone(phone)}, utc_text(event.timestamp))

    def _index(self, rows: Batch, case_id: str, contact_id: str | None, parts: Row,
               moment: str | None = None) -> None:
        """Replace the person's hashes with those of `parts` (none: the person is gone), and
        settle every proposal whose inputs that changed: the person's own, and, where a hash
        crosses the shared-key cap either way, those of everyone holding it."""
        who = owner(case_id, contact_id)
        keys = {"phone": parts.get("phone_key"),
                "name_birth": self.keys.name_birth(parts.get("name_key"),
                                                   parts.get("birth_key"))}
        found = {kind: key for kind, key in keys.items() if key}
        held = {row["kind"]: row["key"] for row in rows.find(KEYS, "owner", who)}
        before = rows.get(PEOPLE, who)
        crossed: set[str] = set()
        for kind, key in held.items():
            if found.get(kind) != key:
                rows.delete(KEYS, (key, who))
                if self._count(rows, key, -1) == SHARED_KEY_HOLDERS:
                    crossed.add(key)
        if not parts:
            rows.delete(PEOPLE, who)
        else:
            # `since` orders the people by when their hashes last changed, in log order: a
            # proposal is on the case whose index changed last, against what was known then
            since = (before["since"], before["since_at"]) \
                if before is not None and found == held else (rows.position, moment)
            rows.put(PEOPLE, {
                "owner": who, "phone_key": parts.get("phone_key"),
                "name_key": parts.get("name_key"), "birth_key": parts.get("birth_key"),
                "since": since[0], "since_at": since[1]})
            for kind, key in found.items():
                if held.get(kind) != key:
                    rows.put(KEYS, {"key": key, "owner": who, "case_id": case_id,
                                    "contact_id": contact_id or "", "kind": kind})
                    if self._count(rows, key, +1) == SHARED_KEY_HOLDERS + 1:
                        crossed.add(key)
        people = {who}
        for key in crossed:
            people.update(row["owner"] for row in rows.find(KEYS, "key", key))
        for person in sorted(people):
            self._refresh(rows, person)

    @staticmethod
    def _count(rows: Batch, key: str, change: int) -> int:
        """Change the number of people holding `key`; returns the new number."""
        held: int = (rows.get(HOLDERS, key) or {"holders": 0})["holders"] + change
        if held > 0:
            rows.put(HOLDERS, {"key": key, "holders": held})
        else:
            rows.delete(HOLDERS, key)
        return held

    def _refresh(self, rows: Batch, who: str) -> None:
        """Settle every proposal `who` is part of, or could be part of now."""
        case_id, contact_id = who.split(":", 1)
        pairs: dict[tuple[str, str, str], None] = {}
        if not contact_id:
            for row in rows.find(PROPOSALS, "case_id", case_id):
                pairs[(row["case_id"], row["other_case_id"], row["contact_id"])] = None
        for row in rows.find(PROPOSALS, "other_case_id", case_id):
            if row["contact_id"] == contact_id:
                pairs[(row["case_id"], row["other_case_id"], row["contact_id"])] = None
        for mine in rows.find(KEYS, "owner", who):
            if self._shared_too_widely(rows, mine["key"]):
                continue
            for other in rows.find(KEYS, "key", mine["key"]):
                if other["case_id"] == case_id:
                    continue
                if not contact_id:
                    pairs[(case_id, other["case_id"], other["contact_id"])] = None
                if not other["contact_id"]:
                    pairs[(other["case_id"], case_id, contact_id)] = None
        for pair in sorted(pairs):
            self._settle(rows, pair)

    @staticmethod
    def _shared_too_widely(rows: Batch, key: str) -> bool:
        held = rows.get(HOLDERS, key)
        return held is not None and held["holders"] > SHARED_KEY_HOLDERS

    def _settle(self, rows: Batch, pair: tuple[str, str, str]) -> None:
        """One proposal as the people's current hashes say, whatever the order in which
        they came: open when the case's index shares a hash (held by few enough) with a
        person known before the index's hashes last changed; a decided one stays, with the
        hashes that match now."""
        case_id, other_case, contact = pair
        current = rows.get(PROPOSALS, pair)
        decided = current is not None and current["decision"] is not None
        mine = rows.get(PEOPLE, owner(case_id))
        theirs = rows.get(PEOPLE, owner(other_case, contact))
        kinds: set[str] = set()
        if mine is not None and theirs is not None and case_id != other_case:
            other_keys = {(row["kind"], row["key"])
                          for row in rows.find(KEYS, "owner", owner(other_case, contact))}
            kinds = {row["kind"] for row in rows.find(KEYS, "owner", owner(case_id))
                     if (row["kind"], row["key"]) in other_keys
                     and not self._shared_too_widely(rows, row["key"])}
        if current is not None and decided:
            later = current["decided_at"]
            if kinds and mine is not None and theirs is not None:
                later = (mine if mine["since"] > theirs["since"] else theirs)["since_at"]
            rows.put(PROPOSALS, {
                **current, "on_phone": int("phone" in kinds),
                "on_name_birth": int("name_birth" in kinds), "proposed_at": later})
            return
        reverse = rows.get(PROPOSALS, (other_case, case_id, "")) if not contact else None
        if (kinds and mine is not None and theirs is not None
                and theirs["since"] < mine["since"]
                and (reverse is None or reverse["decision"] is None)):
            rows.put(PROPOSALS, {
                "case_id": case_id, "other_case_id": other_case, "contact_id": contact,
                "on_phone": int("phone" in kinds), "on_name_birth": int("name_birth" in kinds),
                "proposed_at": mine["since_at"], "decision": None, "decided_at": None,
                "decided_by": None})
        elif current is not None:
            rows.delete(PROPOSALS, pair)

    def _decided(self, rows: Batch, event: Any) -> None:
        key = (key_text(event.originator_id), key_text(event.other_case_id),
               key_text(event.contact_id) if event.contact_id else "")
        current = rows.get(PROPOSALS, key) or {
            "case_id": key[0], "other_case_id": key[1], "contact_id": key[2], "on_phone": 0,
            "on_name_birth": 0, "proposed_at": None}
        rows.put(PROPOSALS, {**current, "decision": "same" if event.same else "different",
                             "decided_at": utc_text(event.timestamp), "decided_by": event.actor})
        self._settle(rows, key)
        if not key[2]:  # a decided pair of two indexes is not proposed the other way round
            self._settle(rows, (key[1], key[0], ""))


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
