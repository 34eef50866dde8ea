"""Password hashing with argon2, shared by the CLI (adding users) and the web (signing in)."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bco.domain.errors import InvalidValueError
from bco.domain.errors import translatable as _t

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """Refuse weak passwords before hashing, with what a good one looks like."""
    if len(password) < MIN_LENGTH:
        raise InvalidValueError(
            _t("A password needs at least %(length)d characters; a short sentence works well."),
            field="password", length=MIN_LENGTH)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def decoy_hash() -> str:
    """A hash no password is known for, checked when a sign-in names no usable account."""
    return _hasher.hash(secrets.token_urlsafe(32))
