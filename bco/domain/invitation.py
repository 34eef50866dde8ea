"""The self-report link: the index prepares their contact list on a phone before the call.

The token in the link is 256 random bits and is never stored: the invitation's id is derived
from its SHA-256, so a link is looked up by its hash and never compared character by
character. Whatever the index enters is a proposal with provenance "self-reported"; only a
tracer's confirmation makes it a contact of the interview.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.interview import CONTACT_DETAILS, Contact, check_contact_details
from bco.domain.personal import CONTACTS, INDEX
from bco.domain.stamped import StampedAggregate
from bco.domain.text import MAX_TEXT, checked_text

SELF_REPORTED = "self-reported"
INDEX_ACTOR = "index (self-report link)"  # who the citizen's events are recorded as
REPLACED = "a new link was sent"  # why an older link stops when a new one is made
MAX_PROPOSALS = 60  # per link: a list longer than this is a conversation, not a form
PROPOSAL_FIELDS = ("name", "phone", "relation", "day", "setting", "household", "facts",
                   "informs")


def invitation_hash(token: str) -> str:
    """The only form in which a link's token is kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_id(hashed: str) -> UUID:
    """The invitation a token hash opens: found by its id, so no search compares tokens."""
    return uuid5(NAMESPACE_URL, f"bco:invitation:{hashed}")


class ProposalStatus:
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Proposal:
    """A contact as the index entered it through the link, and what became of it."""

    contact: Contact
    proposed_at: datetime
    status: str = ProposalStatus.PENDING
    decided_by: str | None = None
    reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.status == ProposalStatus.PENDING


class Invitation(StampedAggregate):
    """One link for one case: issued by a tracer, used by the index, decided by the tracer."""

    class Issued(StampedAggregate.Created):
        case_id: UUID
        hashed: str
        expires_at: datetime
        language: str

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.case_id = self.case_id
            aggregate.hashed = self.hashed
            aggregate.expires_at = self.expires_at
            aggregate.language = self.language
            aggregate.issued_at = self.timestamp

    class Revoked(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = MappingProxyType({"reason": INDEX})
        reason: str

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.revoked_at = self.timestamp

    class ContactProposed(StampedAggregate.Event):
        # Sealed like a contact the tracer records (the link's own keys: bco.sealing).
        personal: ClassVar[Mapping[str, str]] = CONTACT_DETAILS
        contact_id: UUID
        name: str
        phone: str | None
        relation: str
        day: date | None
        setting: str | None
        household: bool
        facts: dict[str, Any]
        informs: str | None

        def apply_facts(self, aggregate: Invitation) -> None:
            contact = Contact(
                contact_id=self.contact_id, name=self.name, phone=self.phone,
                relation=self.relation, day=self.day, setting=self.setting,
                household=self.household, facts=dict(self.facts), informs=self.informs,
                provenance=SELF_REPORTED, proposed_at=self.timestamp)
            aggregate.proposals[str(self.contact_id)] = Proposal(contact, self.timestamp)

    class ProposalWithdrawn(StampedAggregate.Event):
        contact_id: UUID

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.decide(self.contact_id, ProposalStatus.WITHDRAWN, self.actor, None)

    class DayWalked(StampedAggregate.Event):
        day: date

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.walked_days.add(self.day)

    class ProposalConfirmed(StampedAggregate.Event):
        contact_id: UUID
        interview_id: UUID

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.decide(self.contact_id, ProposalStatus.CONFIRMED, self.actor, None)

    class ProposalRejected(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = MappingProxyType({"reason": CONTACTS})
        contact_id: UUID
        reason: str

        def apply_facts(self, aggregate: Invitation) -> None:
            aggregate.decide(self.contact_id, ProposalStatus.REJECTED, self.actor, self.reason)

    def __init__(self) -> None:
        self.case_id: UUID
        self.hashed: str
        self.expires_at: datetime
        self.language: str
        self.issued_at: datetime
        self.revoked_at: datetime | None = None
        self.proposals: dict[str, Proposal] = {}  # keyed by str(contact_id), in entry order
        self.walked_days: set[date] = set()

    @classmethod
    def issue(cls, *, hashed: str, case_id: UUID, expires_at: datetime, language: str,
              now: datetime, actor: str) -> Invitation:
        """A new link for the case; the caller made the token and passes only its hash."""
        if expires_at <= now:
            raise InvalidValueError(_t("A link must stay valid for at least an hour."),
                                    field="expires_at")
        return cls._create(cls.Issued, id=invitation_id(hashed), timestamp=now, actor=actor,
                           command_id=None,
                           case_id=case_id, hashed=hashed, expires_at=expires_at,
                           language=language)

    def opens_with(self, hashed: str) -> bool:
        """The hash matches, compared in constant time (the id already fits it)."""
        return hmac.compare_digest(self.hashed, hashed)

    def usable(self, now: datetime) -> bool:
        """Not revoked and not expired; the case's state is checked by the application."""
        return self.revoked_at is None and now < self.expires_at

    @property
    def entered(self) -> list[Proposal]:
        """What the index entered and did not take back, in entry order."""
        return [p for p in self.proposals.values()
                if p.status != ProposalStatus.WITHDRAWN]

    @property
    def pending(self) -> list[Proposal]:
        return [p for p in self.proposals.values() if p.pending]

    def decide(self, contact_id: UUID, status: str, by: str, reason: str | None) -> None:
        key = str(contact_id)
        self.proposals[key] = replace(self.proposals[key], status=status, decided_by=by,
                                      reason=reason)

    def revoke(self, reason: str, *, now: datetime, actor: str) -> None:
        """Stop the link working at once; what was entered stays for the tracer."""
        if self.revoked_at is not None:
            return
        self._record(self.Revoked, now=now, actor=actor,
                     reason=checked_text(reason, "reason", limit=MAX_TEXT, multiline=True))

    def propose_contact(self, contact_id: UUID, details: dict[str, Any], *, region: str,
                        today: date, now: datetime) -> None:
        """Keep a contact the index entered; the same checks as a tracer's entry."""
        self._refuse_unless_usable(now)
        unknown = sorted(set(details) - set(PROPOSAL_FIELDS))
        if unknown:
            raise InvalidValueError(_t("Unknown contact field(s): %(fields)s."),
                                    field=unknown[0], fields=", ".join(unknown))
        if len(self.entered) >= MAX_PROPOSALS:
            raise InvalidValueError(
                _t("This list holds %(count)d people, the most a link takes. Tell the rest to "
                   "the contact tracer when they call."), field="name", count=MAX_PROPOSALS)
        checked = check_contact_details(details, region=region, today=today)
        if not checked.get("name"):
            raise InvalidValueError(_t("Give at least a name (or a description) for the "
                                       "contact."), field="name")
        self._record(
            self.ContactProposed, now=now, actor=INDEX_ACTOR, contact_id=contact_id,
            name=checked["name"], phone=checked.get("phone"),
            relation=checked.get("relation", ""), day=checked.get("day"),
            setting=checked.get("setting"), household=bool(checked.get("household", False)),
            facts=checked.get("facts", {}), informs=checked.get("informs"))

    def withdraw(self, contact_id: UUID, *, now: datetime) -> None:
        """The index takes back an entry, while the tracer has not decided on it."""
        self._refuse_unless_usable(now)
        self._pending(contact_id)
        self._record(self.ProposalWithdrawn, now=now, actor=INDEX_ACTOR, contact_id=contact_id)

    def walk_day(self, day: date, *, now: datetime) -> None:
        """The index went through this day and named everyone they remember."""
        self._refuse_unless_usable(now)
        if day in self.walked_days:
            return
        self._record(self.DayWalked, now=now, actor=INDEX_ACTOR, day=day)

    def confirm(self, contact_id: UUID, interview_id: UUID, *, now: datetime,
                actor: str) -> Proposal:
        """The tracer takes the proposal into the interview (the interview records it)."""
        proposal = self._pending(contact_id)
        self._record(self.ProposalConfirmed, now=now, actor=actor, contact_id=contact_id,
                     interview_id=interview_id)
        return proposal

    def reject(self, contact_id: UUID, reason: str, *, now: datetime, actor: str) -> None:
        """The tracer does not take the proposal over, and says why."""
        self._pending(contact_id)
        if not reason.strip():
            raise InvalidValueError(_t("Say why this proposal is rejected."), field="reason")
        self._record(self.ProposalRejected, now=now, actor=actor, contact_id=contact_id,
                     reason=checked_text(reason, "reason", limit=MAX_TEXT, multiline=True))

    def _pending(self, contact_id: UUID) -> Proposal:
        found = self.proposals.get(str(contact_id))
        if found is None:
            raise InvalidValueError(_t("There is no such entry on this list."),
                                    field="contact_id")
        if not found.pending:
            raise InvalidTransitionError(
                _t("This entry was already confirmed, rejected or taken back."))
        return found

    def _refuse_unless_usable(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise InvalidTransitionError(_t("This link was withdrawn by the health service."))
        if now >= self.expires_at:
            raise InvalidTransitionError(_t("This link has expired."))
