"""Keyed hashes of the strict keys that say two records are one person: the phone number
(E.164), and the birth date with the normalised name. Read models keep only these hashes,
never the values; without the key (derived from the events key) a hash cannot be tried
against every phone number or birth date, and a rebuild computes the same hashes again."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

from bco.domain.phone import phone_hasher


def normalised_name(name: str) -> str:
    """'Jansen-de Vries, Élise' and 'elise de vries jansen' alike: accents, case,
    punctuation and the order of the parts do not count; the letters do."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return " ".join(sorted(words))


class PersonKeys:
    """The hashes under one secret; the same secret gives the same hashes in every process."""

    def __init__(self, secret: str) -> None:
        # The phone hash is the one the timeline has always kept for contacts' phones (and
        # the sealing keeps beside an erased number), so stored hashes stay valid.
        self._phone = phone_hasher(secret)
        self._person = hashlib.sha256(f"bco person matching:{secret}".encode()).digest()

    def phone(self, phone: str | None) -> str | None:
        """An erased number (bco.domain.personal.ErasedPhone) brings the hash it had."""
        return self._phone(phone)

    def name(self, name: str | None) -> str | None:
        normal = normalised_name(name or "")
        return self._hash(f"name:{normal}") if normal else None

    def birth(self, day: date | str | None) -> str | None:
        return self._hash(f"birth:{day if isinstance(day, str) else day.isoformat()}") \
            if day else None

    def name_birth(self, name_key: str | None, birth_key: str | None) -> str | None:
        """One key for name and birth date together: neither alone says it is one person."""
        return self._hash(f"name+birth:{name_key}:{birth_key}") if name_key and birth_key \
            else None

    def _hash(self, text: str) -> str:
        return hmac.digest(self._person, text.encode(), "sha256").hex()
