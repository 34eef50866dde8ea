"""API tokens: how a health authority's program reads the API without a person's session.

The token itself is shown once and never stored: events carry only its SHA-256. A token is 256
random bits, so a fast unsalted hash cannot be reversed by guessing, and checking it costs
microseconds per request where a password hash would cost tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.account import Role
from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.stamped import StampedAggregate

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# A program, not a person: `intake` may only post notifications of new cases.
INTAKE = "intake"
TOKEN_ROLES = (*(r.value for r in Role), INTAKE)
PREFIX = "bco"


def token_hash(token: str) -> str:
    """The only form in which a token is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_text(name: str, secret: str) -> str:
    """The token as handed out: its name travels with it, so checking it needs no search."""
    return f"{PREFIX}.{name}.{secret}"


def name_in(token: str) -> str | None:
    """The token's name, or None when the text is not shaped like one of our tokens."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX or not NAME.match(parts[1]) or not parts[2]:
        return None
    return parts[1]


class ApiToken(StampedAggregate):
    """A named bearer token with a role; revoked or expired tokens open nothing."""

    class Issued(StampedAggregate.Created):
        name: str
        role: str
        token_hash: str
        expires_at: datetime | None

        def apply_facts(self, aggregate: ApiToken) -> None:
            aggregate.name = self.name
            aggregate.issue(self.role, self.token_hash, self.expires_at, self.timestamp)

    class Reissued(StampedAggregate.Event):
        role: str
        token_hash: str
        expires_at: datetime | None

        def apply_facts(self, aggregate: ApiToken) -> None:
            aggregate.issue(self.role, self.token_hash, self.expires_at, self.timestamp)

    class Revoked(StampedAggregate.Event):
        def apply_facts(self, aggregate: ApiToken) -> None:
            aggregate.revoked_at = self.timestamp

    def __init__(self) -> None:
        self.name: str
        self.role: str
        self.token_hash: str
        self.expires_at: datetime | None
        self.issued_at: datetime
        self.revoked_at: datetime | None = None

    def issue(self, role: str, hashed: str, expires_at: datetime | None,
              at: datetime) -> None:
        """Take on a new secret: the state after Issued or Reissued."""
        self.role = role
        self.token_hash = hashed
        self.expires_at = expires_at
        self.issued_at = at
        self.revoked_at = None

    @staticmethod
    def id_for(name: str) -> UUID:
        """One token per name, so revoking by name is unambiguous."""
        return uuid5(NAMESPACE_URL, f"bco:api-token:{name}")

    @classmethod
    def create(cls, *, name: str, role: Role | str, hashed: str, expires_at: datetime | None,
               now: datetime, actor: str) -> ApiToken:
        """A new token; the caller made the secret and passes only its hash."""
        if not NAME.match(name):
            raise InvalidValueError(
                _t("A token name is lower-case letters, digits and dashes, at most 64, "
                   "e.g. 'ggd-export'."), field="name")
        return cls._create(cls.Issued, id=cls.id_for(name), timestamp=now, actor=actor,
                           command_id=None, name=name, role=_role(role), token_hash=hashed,
                           expires_at=_future(expires_at, now))

    def reissue(self, *, role: Role | str, hashed: str, expires_at: datetime | None,
                now: datetime, actor: str) -> None:
        """A new secret under a name whose token was revoked or has expired."""
        if self.usable(now):
            raise InvalidTransitionError(
                _t("Token '%(name)s' is still valid; revoke it first to issue a new one."),
                name=self.name)
        self._record(self.Reissued, now=now, actor=actor, role=_role(role), token_hash=hashed,
                     expires_at=_future(expires_at, now))

    def revoke(self, *, now: datetime, actor: str) -> None:
        if self.revoked_at is not None:
            raise InvalidTransitionError(_t("Token '%(name)s' is already revoked."),
                                         name=self.name)
        self._record(self.Revoked, now=now, actor=actor)

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def opens_with(self, token: str, now: datetime) -> bool:
        """True when `token` is this token's secret and the token is neither revoked nor
        expired; compared in constant time."""
        return self.usable(now) and hmac.compare_digest(self.token_hash, token_hash(token))


def _role(role: Role | str) -> str:
    if str(role) not in TOKEN_ROLES:
        raise InvalidValueError(
            _t("Unknown role '%(role)s'; use one of: %(roles)s."), field="role",
            role=role, roles=", ".join(TOKEN_ROLES))
    return str(role)


def _future(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is not None and expires_at <= now:
        raise InvalidValueError(_t("A token must expire after it is issued."), field="expires")
    return expires_at
