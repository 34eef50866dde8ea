"""Accounts: who may sign in, in which role and team, in which language."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.stamped import StampedAggregate

LANGUAGES = ("nl", "en")


class Role(StrEnum):
    TRACER = "tracer"
    TEAM_LEAD = "team_lead"
    AUTHORITY = "authority"
    ADMIN = "admin"


class Account(StampedAggregate):
    """A person who works in BCO; the password is kept only as an argon2 hash."""

    class Registered(StampedAggregate.Created):
        name: str
        role: str
        team: str | None
        language: str
        password_hash: str

        def apply_facts(self, aggregate: Account) -> None:
            aggregate.name = self.name
            aggregate.role = self.role
            aggregate.team = self.team
            aggregate.language = self.language
            aggregate.password_hash = self.password_hash

    class PasswordChanged(StampedAggregate.Event):
        password_hash: str

        def apply_facts(self, aggregate: Account) -> None:
            aggregate.password_hash = self.password_hash
            aggregate.session_generation += 1

    class Disabled(StampedAggregate.Event):
        def apply_facts(self, aggregate: Account) -> None:
            aggregate.disabled = True
            aggregate.session_generation += 1

    class SessionsEnded(StampedAggregate.Event):
        """Signed out: every session of the account, in every process and node, ends."""

        def apply_facts(self, aggregate: Account) -> None:
            aggregate.session_generation += 1

    class Enabled(StampedAggregate.Event):
        def apply_facts(self, aggregate: Account) -> None:
            aggregate.disabled = False

    class LanguageChanged(StampedAggregate.Event):
        """The account's interface language, switched in the page header; every session of
        the account, on every device, shows it from the next page on."""

        language: str

        def apply_facts(self, aggregate: Account) -> None:
            aggregate.language = self.language

    def __init__(self) -> None:
        self.name: str
        self.role: str
        self.team: str | None
        self.language: str
        self.password_hash: str
        self.disabled = False
        # Sessions carry the generation they began in; a higher one here has ended them.
        self.session_generation = 0

    @staticmethod
    def id_for(name: str) -> UUID:
        """One account per name: the id follows from it, so a second add is refused."""
        return uuid5(NAMESPACE_URL, f"bco:account:{name.strip().lower()}")

    @classmethod
    def register(cls, *, name: str, role: Role | str, team: str | None, language: str,
                 password_hash: str, now: datetime, actor: str) -> Account:
        """Create an account; names are short sign-in names, not personal data."""
        clean = name.strip()
        if not clean or len(clean) > 64 or not clean.isprintable() or any(
                ch.isspace() for ch in clean):
            raise InvalidValueError(
                _t("An account name is one word of at most 64 characters, e.g. 'anna.devries'."),
                field="name")
        try:
            checked_role = Role(role)
        except ValueError:
            raise InvalidValueError(
                _t("Unknown role '%(role)s'; use one of: %(roles)s."), field="role",
                role=role, roles=", ".join(r.value for r in Role)) from None
        if language not in LANGUAGES:
            raise InvalidValueError(_t("Language must be one of: %(languages)s."),
                                    field="language", languages=", ".join(LANGUAGES))
        return cls._create(
            cls.Registered, id=cls.id_for(clean), timestamp=now, actor=actor, command_id=None,
            name=clean, role=checked_role.value, team=team or None, language=language,
            password_hash=password_hash)

    def change_password(self, password_hash: str, *, now: datetime, actor: str) -> None:
        self._record(self.PasswordChanged, now=now, actor=actor, password_hash=password_hash)

    def end_sessions(self, *, now: datetime, actor: str) -> None:
        """End every session of this account at once, wherever it was opened."""
        self._record(self.SessionsEnded, now=now, actor=actor)

    def change_language(self, language: str, *, now: datetime, actor: str) -> None:
        """Switch the interface language; the same language again records nothing."""
        if language not in LANGUAGES:
            raise InvalidValueError(_t("Language must be one of: %(languages)s."),
                                    field="language", languages=", ".join(LANGUAGES))
        if language != self.language:
            self._record(self.LanguageChanged, now=now, actor=actor, language=language)

    def disable(self, *, now: datetime, actor: str) -> None:
        """Stop someone signing in; their past actions stay on record."""
        if self.disabled:
            raise InvalidTransitionError(_t("Account '%(name)s' is already disabled."),
                                         name=self.name)
        self._record(self.Disabled, now=now, actor=actor)

    def enable(self, *, now: datetime, actor: str) -> None:
        if not self.disabled:
            raise InvalidTransitionError(_t("Account '%(name)s' is not disabled."), name=self.name)
        self._record(self.Enabled, now=now, actor=actor)
