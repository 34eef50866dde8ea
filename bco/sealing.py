"""Sealing personal fields under the case's own keys, inside the events key's encryption.

Every event is encrypted whole under the master events key (bco/storage.py). Inside it, each
field an event or value object declares `personal` is sealed again, field by field, under the
key of its aggregate's part (bco/case_keys.py), so that destroying that key makes exactly those
fields unreadable while the event, its type, its time and its non-personal facts still load:
projections and KPIs keep counting it. A sealed field whose key is gone reads as the marker
"removed after retention" (bco.domain.personal.REMOVED), or nothing for a date.
"""

from __future__ import annotations

import os
from binascii import a2b_base64, b2a_base64
from contextvars import ContextVar
from datetime import date
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import Mapper, StoredEvent, Transcoding
from eventsourcing.utils import get_topic

from bco.case_keys import CaseKeys
from bco.domain.case import Case
from bco.domain.interview import Interview
from bco.domain.personal import INDEX, REMOVED, ErasedPhone, PersonalText

NONCE_BYTES = 12
# What a sealed field reads as once its key is destroyed, by the kind of value it held.
REMOVED_BY_KIND: dict[str, Any] = {"p": PersonalText(REMOVED), "s": REMOVED, "d": None}
ERASURES = (Case.PersonalDataErased, Interview.PersonalDataErased)

# The keys and the aggregate whose event is being encoded or decoded, for the transcoding
# below, which the JSON transcoder calls without either.
_STREAM: ContextVar[_Stream | None] = ContextVar("bco_sealing_stream", default=None)


class Sealed:
    """A personal value on its way into storage, with the part whose key seals it; a phone
    number keeps its keyed hash beside it (`keyed`), see bco.domain.phone.phone_hasher."""

    __slots__ = ("keyed", "part", "value")

    def __init__(self, part: str, value: Any, keyed: bool) -> None:
        self.part = part
        self.value = value
        self.keyed = keyed


def sealed(part: str, value: Any, name: str = "") -> Any:
    """`value` of field `name` wrapped for sealing; nothing, and the marker itself, need no
    key, and an erased phone number keeps only its hash."""
    if value is None or value == "":
        return value
    if value == REMOVED:
        kept = getattr(value, "phone_key", None)
        return value if kept is None else Sealed(part, value, True)
    return Sealed(part, value, name == "phone")


class SealedAsList(Transcoding):
    """[part, key generation, kind, nonce + ciphertext in base64(, keyed hash)] under the
    aggregate's key of `part`. The key is the aggregate's own, so a field copied into another
    case does not open there."""

    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> list[Any]:
        stream = _stream()
        value = obj.value
        if isinstance(value, ErasedPhone):
            return [obj.part, 0, "s", "", value.phone_key]  # generation 0: no key ever
        generation, cipher = stream.keys.current(stream.owner, obj.part)
        if isinstance(value, str):
            kind, plain = ("p" if isinstance(value, PersonalText) else "s"), value
        elif isinstance(value, date):
            kind, plain = "d", value.isoformat()
        else:
            raise TypeError(f"cannot seal a {type(value).__name__}")
        nonce = os.urandom(NONCE_BYTES)
        sealed_bytes = nonce + cipher.encrypt(nonce, plain.encode(), None)
        token = [obj.part, generation, kind, b2a_base64(sealed_bytes, newline=False).decode()]
        if obj.keyed:
            token.append(stream.keys.phone_key(value))
        return token

    def decode(self, data: list[Any]) -> Any:
        part, generation, kind, text = data[:4]
        stream = _stream()
        cipher = stream.keys.cipher_for(stream.owner, part, generation) if generation else None
        if cipher is None:
            return ErasedPhone(data[4]) if len(data) > 4 else REMOVED_BY_KIND[kind]
        raw = a2b_base64(text)
        try:
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except InvalidTag:
            raise ValueError(f"a sealed field of {stream.owner} does not open with its "
                             "key") from None
        if kind == "s":
            return plain
        return PersonalText(plain) if kind == "p" else date.fromisoformat(plain)


class _Stream:
    """The key store and the aggregate whose event is being mapped (its id as text once)."""

    __slots__ = ("_owner", "keys", "originator_id")

    def __init__(self, keys: CaseKeys, originator_id: Any) -> None:
        self.keys = keys
        self.originator_id = originator_id
        self._owner: str | None = None

    @property
    def owner(self) -> str:
        if self._owner is None:
            self._owner = str(self.originator_id)
        return self._owner


def _stream() -> _Stream:
    found = _STREAM.get()
    if found is None:
        raise RuntimeError("a sealed field outside SealingMapper: no aggregate to key it by")
    return found


class SealingMapper(Mapper[UUID]):
    """The library's mapper, with the personal fields of each event sealed under the keys of
    the event's own aggregate (its originator)."""

    keys: CaseKeys | None = None  # set by BCOApplication right after construction

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        keys = self.keys
        assert keys is not None, "SealingMapper used before its key store was set"
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            event_state["class_version"] = class_version
        _wrap_personal(type(domain_event), event_state)
        token = _STREAM.set(_Stream(keys, originator_id))
        try:
            stored_state = self.transcoder.encode(event_state)
        finally:
            _STREAM.reset(token)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(type(domain_event)), state=stored_state)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        keys = self.keys
        assert keys is not None, "SealingMapper used before its key store was set"
        token = _STREAM.set(_Stream(keys, stored_event.originator_id))
        try:
            event = super().to_domain_event(stored_event)
        finally:
            _STREAM.reset(token)
        if type(event) in ERASURES:
            keys.forget(event.originator_id)  # destroyed: no copy stays in this process
        return event


def _wrap_personal(cls: type, state: dict[str, Any]) -> None:
    """Mark the declared personal fields (and identifying answers) of one event's state."""
    for name, part in getattr(cls, "personal", {}).items():
        if name in state:
            state[name] = sealed(part, state[name], name)
    declared = getattr(cls, "personal_changes", None)
    if declared:
        state["changes"] = {key: sealed(declared[key], value, key) if key in declared
                            else value for key, value in state["changes"].items()}
    value = state.get("value")
    if isinstance(value, PersonalText):
        state["value"] = sealed(INDEX, value)
    snapshot = state.get("state")
    if isinstance(snapshot, dict):
        if isinstance(snapshot.get("answers"), dict):
            snapshot = state["state"] = dict(snapshot)
            snapshot["answers"] = {key: sealed(INDEX, v) if isinstance(v, PersonalText) else v
                                   for key, v in snapshot["answers"].items()}
        if snapshot.get("closed_reason"):  # a case's: why it was closed, as Closed seals it
            snapshot = state["state"] = dict(snapshot)
            snapshot["closed_reason"] = sealed(INDEX, snapshot["closed_reason"])
