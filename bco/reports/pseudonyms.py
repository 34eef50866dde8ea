"""Keyed-hash pseudonyms, so pseudonymised exports can be joined without naming anyone."""

from __future__ import annotations

import hmac
import os
import secrets

from bco.config import Settings
from bco.domain.personal import REMOVED
from bco.projections.people import name_key

PSEUDONYM_HEX = 32  # 128 bits of HMAC-SHA256: collisions are out of reach at any case count


def pseudonym_key(settings: Settings) -> bytes:
    """The pseudonym key, made (mode 0600) on first use; a new key would change every pseudonym."""
    path = settings.pseudonym_key_file
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = secrets.token_urlsafe(48)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return pseudonym_key(settings)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text + "\n")
    if not text:
        raise ValueError(f"The pseudonym key file {path} is empty; restore it from backup "
                         "(or remove it to start new pseudonyms).")
    return text.encode()


class Pseudonymiser:
    """One pseudonym per kind of detail and value, equal for a case and a contact alike."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, kind: str, value: str | None) -> str | None:
        """HMAC-SHA256 of the normalised value, labelled by kind so a name never meets a phone."""
        normal = normalised(kind, value)
        if normal is None:
            return None
        return hmac.digest(self._key, f"{kind}:{normal}".encode(), "sha256").hex()[
            :PSEUDONYM_HEX]


def normalised(kind: str, value: str | None) -> str | None:
    """The form two spellings of one detail share: case and spacing do not matter; nothing
    for a detail erased after retention, so erased people share no pseudonym."""
    if value is None or not value.strip() or value == REMOVED:
        return None
    if kind == "name":
        return name_key(value)
    if kind == "postcode":
        return "".join(value.split()).upper()
    return value.strip().lower()


def birth_year(birth_date: str | None) -> int | None:
    """The year of an ISO birth date: enough for age groups, too little to identify."""
    return None if not birth_date else int(birth_date[:4])
