"""The case: one index person with a notifiable disease, from notification to closure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar
from uuid import UUID

from bco.domain.case_status import CaseFlags, CaseStatus
from bco.domain.errors import CaseClosedError, InvalidTransitionError, InvalidValueError
from bco.domain.errors import translatable as _t
from bco.domain.interview import refuse_implausible_day
from bco.domain.personal import INDEX, erased, removed_like
from bco.domain.phone import checked_region, normalise_phone
from bco.domain.stamped import StampedAggregate, refuse_future
from bco.domain.text import MAX_TEXT, checked_email, checked_text

LANGUAGES = ("nl", "en")


class CallOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"
    CALLBACK_REQUESTED = "callback_requested"


# Why staff did something: free text that may mention the index, sealed like their identity.
REASON = MappingProxyType({"reason": INDEX})
# The index's identity, sealed under the case's index key (language is not identifying).
IDENTITY = MappingProxyType(dict.fromkeys(("name", "phone", "birth_date", "email", "postcode"),
                                          INDEX))


@dataclass(frozen=True)
class IndexPerson:
    """Who tested positive, and how to reach them."""

    personal: ClassVar[Mapping[str, str]] = IDENTITY

    name: str
    phone: str
    birth_date: date | None = None
    email: str | None = None
    postcode: str | None = None
    language: str = "nl"


@dataclass(frozen=True)
class CallAttempt:
    """One phone call to the index, successful or not."""

    personal: ClassVar[Mapping[str, str]] = MappingProxyType({"note": INDEX})

    at: datetime
    actor: str
    outcome: str
    note: str = ""
    callback_at: datetime | None = None


@dataclass(frozen=True)
class Invite:
    """A self-report link sent for the case (the link itself lives in `Invitation`)."""

    invitation_id: UUID
    at: datetime
    expires_at: datetime


MAX_INVITES_PER_DAY = 5
INVITE_PERIOD = timedelta(hours=24)
ASSIGNMENT = frozenset({"assignment"})  # who has the case: what assigning and unassigning edit
PRIORITY = frozenset({"priority"})  # where the case stands in the worklist
# Worklist priority: normal, high, urgent; a higher one comes first within its part of the queue.
NORMAL_PRIORITY = 0
PRIORITIES = (0, 1, 2)

PERSON_FIELDS = ("name", "phone", "birth_date", "email", "postcode", "language")
CORRECTABLE_FIELDS = (*PERSON_FIELDS, "onset", "test_date", "disease", "source")


class Case(StampedAggregate):
    """A case moves new → assigned → in progress → interviewed → closed, or unreachable."""

    # Snapshots taken before self-report links have no such attribute: they had none.
    invitations: tuple[Invite, ...] = ()
    class_version = 2  # snapshots of version 1 had no region and no match decisions

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken before intake: no region (the default guide), nothing decided."""
        state["region"] = ""
        state["matches"] = {}

    class Registered(StampedAggregate.Created):
        class_version = 2
        personal: ClassVar[Mapping[str, str]] = IDENTITY
        name: str
        phone: str
        birth_date: date | None
        email: str | None
        postcode: str | None
        language: str
        disease: str
        onset: date | None
        test_date: date | None
        source: str
        received_at: datetime
        region: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Cases registered before intake knew no region: the default guide applies."""
            state["region"] = ""

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.region = self.region
            aggregate.person = IndexPerson(
                name=self.name, phone=self.phone, birth_date=self.birth_date,
                email=self.email, postcode=self.postcode, language=self.language,
            )
            aggregate.disease = self.disease
            aggregate.onset = self.onset
            aggregate.test_date = self.test_date
            aggregate.source = self.source
            aggregate.received_at = self.received_at

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return CaseFlags()

    class DetailsCorrected(StampedAggregate.Event):
        personal_changes: ClassVar[Mapping[str, str]] = IDENTITY
        changes: dict[str, Any]

        def apply_facts(self, aggregate: Case) -> None:
            person_changes = {k: v for k, v in self.changes.items() if k in PERSON_FIELDS}
            aggregate.person = replace(aggregate.person, **person_changes)
            for key in ("onset", "test_date", "disease", "source"):
                if key in self.changes:
                    setattr(aggregate, key, self.changes[key])

        def targets(self) -> frozenset[str]:
            return frozenset(self.changes)

    class Assigned(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = REASON
        class_version = 2
        tracer: str
        team: str | None
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Hand-outs before bulk assignment carried no reason."""
            state["reason"] = ""

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(tracer=self.tracer, team=self.team or flags.team)

        def targets(self) -> frozenset[str]:
            return ASSIGNMENT

    class Unassigned(StampedAggregate.Event):
        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(tracer=None)

        def targets(self) -> frozenset[str]:
            return ASSIGNMENT

    class CallAttemptLogged(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = CallAttempt.personal
        outcome: str
        note: str
        callback_at: datetime | None

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.call_attempts.append(CallAttempt(
                at=self.timestamp, actor=self.actor, outcome=self.outcome,
                note=self.note, callback_at=self.callback_at,
            ))
            if self.outcome == CallOutcome.REACHED:
                aggregate.reached_at = aggregate.reached_at or self.timestamp

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            reached = self.outcome == CallOutcome.REACHED
            callback = self.outcome == CallOutcome.CALLBACK_REQUESTED
            return flags._replace(unreachable=flags.unreachable and not reached,
                                  callback_at=self.callback_at if callback else None)

    class MarkedUnreachable(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = REASON
        reason: str

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(unreachable=True, callback_at=None)

    class InterviewStarted(StampedAggregate.Event):
        interview_id: UUID

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.interview_id = self.interview_id

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(interview_started=True, interviewed=False, unreachable=False,
                                  callback_at=None)

    class InterviewCompleted(StampedAggregate.Event):
        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(interviewed=True)

    class InterviewReopened(StampedAggregate.Event):
        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(interviewed=False)

    class Closed(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = REASON
        reason: str

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.closed_reason = self.reason

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(closed=True, callback_at=None)

    class Reopened(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = REASON
        reason: str

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.closed_reason = None

        def flags_after(self, flags: CaseFlags) -> CaseFlags:
            return flags._replace(closed=False)

    class InviteSent(StampedAggregate.Event):
        invitation_id: UUID
        expires_at: datetime

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.invitations = (*aggregate.invitations,
                                     Invite(self.invitation_id, self.timestamp, self.expires_at))

    class MatchDecided(StampedAggregate.Event):
        """A tracer's decision on a proposed match: the same person as the index of
        `other_case_id` (or as its contact `contact_id`: the case that named them), or not."""

        other_case_id: UUID
        contact_id: UUID | None
        same: bool
        reason: str

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.matches[match_key(self.other_case_id, self.contact_id)] = self.same

        def targets(self) -> frozenset[str]:
            return frozenset({f"match:{match_key(self.other_case_id, self.contact_id)}"})
    class PersonalDataErased(StampedAggregate.Event):
        """The end of retention: the keys of `parts` were destroyed, and what they sealed is
        gone from the aggregate too, so no copy in any process's memory outlives them."""

        parts: list[str]

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.person = erased(aggregate.person, self.parts)
            aggregate.call_attempts = [erased(c, self.parts) for c in aggregate.call_attempts]
            if INDEX in self.parts:
                aggregate.closed_reason = removed_like(aggregate.closed_reason)
            aggregate.erased = sorted({*getattr(aggregate, "erased", []), *self.parts})

    class PrioritySet(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = REASON
        priority: int
        reason: str

        def apply_facts(self, aggregate: Case) -> None:
            aggregate.priority = self.priority

        def targets(self) -> frozenset[str]:
            return PRIORITY

    def __init__(self) -> None:
        self.person: IndexPerson
        self.disease: str
        self.onset: date | None
        self.test_date: date | None
        self.source: str
        self.received_at: datetime
        self.tracer: str | None = None
        self.team: str | None = None
        self.call_attempts: list[CallAttempt] = []
        self.reached_at: datetime | None = None
        self.callback_at: datetime | None = None
        self.unreachable = False
        self.interview_id: UUID | None = None
        self.interviewed = False
        self.closed_reason: str | None = None
        self.priority = NORMAL_PRIORITY
        self.invitations: tuple[Invite, ...] = ()
        self.region = ""
        self.matches: dict[str, bool] = {}  # match_key → same person or not, as decided
        self.erased: list[str] = []

    @classmethod
    def register(
        cls, *, case_id: UUID, person: IndexPerson, disease: str, onset: date | None,
        test_date: date | None, source: str, received_at: datetime, region: str,
        now: datetime, actor: str, command_id: str | None = None, case_region: str = "",
    ) -> Case:
        """Open a case for a notification; onset, or the test date when asymptomatic.

        `case_region` is the country the notification comes from (it picks the default
        guide); a phone number without a country code is read as one of that country, else
        of `region`."""
        today = now.date()
        case_region = checked_region(case_region)
        person = replace(person, phone=normalise_phone(person.phone, case_region or region))
        if onset is None and test_date is None:
            raise InvalidValueError(
                _t("Give the symptom onset date, or the test date when there are no symptoms."),
                field="onset",
            )
        person = _check_person(person, today)
        _check_dates({"birth_date": person.birth_date, "onset": onset, "test_date": test_date},
                     today)
        source = checked_text(source, "source")
        if received_at > now:
            raise InvalidValueError(_t("The notification cannot be received in the future."),
                                    field="received_at")
        return cls._create(
            cls.Registered, id=case_id, timestamp=now, actor=actor, command_id=command_id,
            name=person.name, phone=person.phone, birth_date=person.birth_date,
            email=person.email, postcode=person.postcode, language=person.language,
            disease=disease, onset=onset, test_date=test_date, source=source,
            received_at=received_at, region=case_region,
        )

    @property
    def flags(self) -> CaseFlags:
        """The facts the status follows from, as the read models keep them too."""
        return CaseFlags(self.tracer, self.team, self.unreachable, self.interview_id is not None,
                         self.interviewed, self.closed_reason is not None, self.callback_at)

    @property
    def status(self) -> CaseStatus:
        """Derived from the flags, so no event has to remember to set it."""
        return self.flags.status

    def follow(self, event: object) -> None:
        """Take the flags `event` leads to; the events set `interview_id` and `closed_reason`,
        which `interview_started` and `closed` follow."""
        flags = self.flags.after(event)
        self.tracer, self.team, self.unreachable = flags.tracer, flags.team, flags.unreachable
        self.interviewed, self.callback_at = flags.interviewed, flags.callback_at

    def correct_details(
        self, changes: dict[str, Any], *, region: str, now: datetime, actor: str,
        command_id: str | None = None,
    ) -> None:
        """Correct what was registered wrongly; only fields that really change are recorded."""
        self._refuse_when_closed()
        unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
        if unknown:
            raise InvalidValueError(
                _t("Cannot correct %(fields)s; correctable: %(correctable)s."),
                field=unknown[0], fields=", ".join(unknown),
                correctable=", ".join(CORRECTABLE_FIELDS))
        if "phone" in changes:
            changes = {**changes, "phone": normalise_phone(changes["phone"], region)}
        current = self.current_details()
        real = {k: v for k, v in changes.items() if current.get(k) != v}
        if not real:
            return
        merged = {**current, **real}
        person = _check_person(IndexPerson(**{k: merged[k] for k in PERSON_FIELDS}), now.date())
        real = {k: getattr(person, k) if k in PERSON_FIELDS else v for k, v in real.items()}
        if "source" in real:
            real["source"] = checked_text(str(real["source"] or ""), "source")
        _check_dates({k: v for k, v in real.items() if k in DATE_FIELDS}, now.date())
        refuse_future(merged["onset"], now.date(), "onset", _t("Symptom onset"))
        refuse_future(merged["test_date"], now.date(), "test_date", _t("Test date"))
        if merged["onset"] is None and merged["test_date"] is None:
            raise InvalidValueError(_t("A case needs a symptom onset date or a test date."),
                                    field="onset")
        self._record(self.DetailsCorrected, now=now, actor=actor, command_id=command_id,
                     changes=real)

    def current_details(self) -> dict[str, Any]:
        """The correctable facts as they stand, keyed like `correct_details` takes them."""
        return {
            **{k: getattr(self.person, k) for k in PERSON_FIELDS},
            "onset": self.onset, "test_date": self.test_date,
            "disease": self.disease, "source": self.source,
        }

    def assign(
        self, tracer: str, team: str | None, *, now: datetime, actor: str,
        command_id: str | None = None, reason: str = "",
    ) -> None:
        """Give the case to a tracer; reassigning to the same tracer records nothing."""
        self._refuse_when_closed()
        if not tracer.strip():
            raise InvalidValueError(_t("Name the tracer to assign the case to."), field="tracer")
        if tracer == self.tracer and (team is None or team == self.team):
            return
        self._record(self.Assigned, now=now, actor=actor, command_id=command_id,
                     tracer=tracer, team=team, reason=reason.strip())

    def unassign(self, *, now: datetime, actor: str, command_id: str | None = None) -> None:
        """Put the case back in the pool, e.g. at the end of a shift."""
        self._refuse_when_closed()
        if self.tracer is None:
            raise InvalidTransitionError(_t("The case is not assigned to anyone."))
        if self.interviewed:
            raise InvalidTransitionError(
                _t("The interview is complete, so the case stays with its tracer; reopen the "
                   "interview first if someone else must go on with it."))
        self._record(self.Unassigned, now=now, actor=actor, command_id=command_id)

    def log_call_attempt(
        self, outcome: CallOutcome, *, note: str = "", callback_at: datetime | None = None,
        now: datetime, actor: str, command_id: str | None = None,
    ) -> None:
        """Record a call; a callback needs a time that has not passed yet."""
        self._refuse_when_closed()
        if self.interviewed:
            raise InvalidTransitionError(
                _t("The interview is complete, so there is no call to log; reopen the "
                   "interview first if the index must be called again."))
        if outcome == CallOutcome.CALLBACK_REQUESTED:
            if callback_at is None:
                raise InvalidValueError(_t("Say when to call back."), field="callback_at")
            if callback_at <= now:
                raise InvalidValueError(
                    _t("The callback time has already passed; pick a later time."),
                    field="callback_at")
        elif callback_at is not None:
            raise InvalidValueError(_t("A callback time goes only with 'callback requested'."),
                                    field="callback_at")
        self._record(self.CallAttemptLogged, now=now, actor=actor, command_id=command_id,
                     outcome=CallOutcome(outcome).value,
                     note=checked_text(note, "note", limit=MAX_TEXT, multiline=True),
                     callback_at=callback_at)

    def mark_unreachable(
        self, reason: str, *, now: datetime, actor: str, command_id: str | None = None
    ) -> None:
        """Stop calling after the attempts the protocol asks for."""
        self._refuse_when_closed()
        if self.interview_id is not None:
            raise InvalidTransitionError(
                _t("The index was reached and the interview started; pause it instead."))
        if self.unreachable:
            return
        self._record(self.MarkedUnreachable, now=now, actor=actor, command_id=command_id,
                     reason=_reason(reason))

    def interview_started(
        self, interview_id: UUID, *, now: datetime, actor: str, command_id: str | None = None
    ) -> None:
        """Link the interview that starts now; one interview per case."""
        self._refuse_when_closed()
        if self.interview_id is not None:
            raise InvalidTransitionError(_t("This case already has an interview; resume it."))
        self._record(self.InterviewStarted, now=now, actor=actor, command_id=command_id,
                     interview_id=interview_id)

    def interview_completed(self, *, now: datetime, actor: str) -> None:
        """Mirror the interview's completion so the case status follows it."""
        if not self.interviewed:
            self._record(self.InterviewCompleted, now=now, actor=actor)

    def interview_reopened(self, *, now: datetime, actor: str) -> None:
        """Mirror the interview's reopening so the case status follows it."""
        self._refuse_when_closed()
        if self.interviewed:
            self._record(self.InterviewReopened, now=now, actor=actor)

    def close(self, reason: str, *, now: datetime, actor: str, command_id: str | None = None
              ) -> None:
        """Close with a reason, e.g. interview done and contacts informed."""
        if self.closed_reason is not None:
            raise CaseClosedError(_t("The case is already closed."))
        if not reason.strip():
            raise InvalidValueError(_t("Give a reason for closing the case."), field="reason")
        self._record(self.Closed, now=now, actor=actor, command_id=command_id,
                     reason=_reason(reason))

    def reopen(self, reason: str, *, now: datetime, actor: str, command_id: str | None = None
               ) -> None:
        """Reopen a closed case, e.g. when new contacts come to light."""
        if self.closed_reason is None:
            raise InvalidTransitionError(_t("The case is not closed."))
        if INDEX in getattr(self, "erased", []):
            raise InvalidTransitionError(
                _t("This case's personal data was erased at the end of its retention, so it "
                   "cannot be reopened; register the person again as a new case."))
        if not reason.strip():
            raise InvalidValueError(_t("Give a reason for reopening the case."), field="reason")
        self._record(self.Reopened, now=now, actor=actor, command_id=command_id,
                     reason=_reason(reason))

    def set_priority(self, priority: int, reason: str, *, now: datetime, actor: str,
                     command_id: str | None = None) -> None:
        """Move a case up (or back) in the worklist; the same priority again records nothing."""
        self._refuse_when_closed()
        if priority not in PRIORITIES:
            raise InvalidValueError(
                _t("Priority %(priority)s is not offered; use one of: %(priorities)s."),
                field="priority", priority=priority,
                priorities=", ".join(str(p) for p in PRIORITIES))
        if priority == self.priority:
            return
        self._record(self.PrioritySet, now=now, actor=actor, command_id=command_id,
                     priority=priority, reason=reason.strip())

    def invite(self, invitation_id: UUID, expires_at: datetime, *, now: datetime,
               actor: str) -> None:
        """Send the index a link to prepare their contacts; only before the interview is done,
        and a few a day, so a link cannot be handed out in bulk."""
        self._refuse_when_closed()
        if self.interviewed:
            raise InvalidTransitionError(
                _t("The interview is complete; a link to prepare contacts is no use now."))
        recent = [i for i in self.invitations if now - i.at < INVITE_PERIOD]
        if len(recent) >= MAX_INVITES_PER_DAY:
            raise InvalidTransitionError(
                _t("This case got %(count)d links in the last 24 hours, the most allowed; "
                   "send one of those again or call the index."), count=MAX_INVITES_PER_DAY)
        self._record(self.InviteSent, now=now, actor=actor, invitation_id=invitation_id,
                     expires_at=expires_at)
    def decide_match(self, other_case_id: UUID, contact_id: UUID | None, *, same: bool,
                     reason: str = "", now: datetime, actor: str,
                     command_id: str | None = None) -> None:
        """Link this case's index to another case's index or contact, or say they are not
        the same person (with a reason). Nothing is merged: both cases keep all they hold."""
        self._refuse_when_closed()
        if other_case_id == self.id:
            raise InvalidValueError(_t("A case cannot be matched with itself."),
                                    field="other_case_id")
        reason = _reason(reason)
        if not same and not reason:
            raise InvalidValueError(_t("Say why this is not the same person; the reason is "
                                       "kept with the case."), field="reason")
        if self.matches.get(match_key(other_case_id, contact_id)) is same:
            return
        self._record(self.MatchDecided, now=now, actor=actor, command_id=command_id,
                     other_case_id=other_case_id, contact_id=contact_id, same=same,
                     reason=reason)
    def erase_personal_data(self, parts: list[str], *, now: datetime, actor: str) -> None:
        """Record that retention ended for `parts` (the case's keys are destroyed first); parts
        erased already record nothing."""
        done = getattr(self, "erased", [])  # absent in snapshots older than retention
        new = [part for part in parts if part not in done]
        if new:
            self._record(self.PersonalDataErased, now=now, actor=actor, parts=new)

    def _refuse_when_closed(self) -> None:
        if self.closed_reason is not None:
            raise CaseClosedError(_t("The case is closed; reopen it first, with a reason."))


DATE_FIELDS = ("birth_date", "onset", "test_date")


def match_key(other_case_id: UUID, contact_id: UUID | None) -> str:
    """One proposal: another case's index (no contact) or one of its contacts."""
    return f"{other_case_id}:{contact_id or ''}"


def _reason(reason: str) -> str:
    return checked_text(reason, "reason", limit=MAX_TEXT, multiline=True)


def _check_dates(dates: dict[str, date | None], today: date) -> None:
    """Dates in the past, and plausible: no year typed half, no onset years ago."""
    labels = {"birth_date": _t("Birth date"), "onset": _t("Symptom onset"),
              "test_date": _t("Test date")}
    for name, value in dates.items():
        refuse_future(value, today, name, labels[name])
        refuse_implausible_day(value, today, name, recent=name != "birth_date")


def _check_person(person: IndexPerson, today: date) -> IndexPerson:
    """The person with names and addresses cleaned, or a refusal naming the field."""
    name = checked_text(person.name, "name")
    if not name:
        raise InvalidValueError(_t("The index person's name is required."), field="name")
    email = checked_email(person.email) if person.email else person.email
    postcode = checked_text(person.postcode, "postcode") if person.postcode else person.postcode
    person = replace(person, name=name, email=email, postcode=postcode)
    if person.language not in LANGUAGES:
        raise InvalidValueError(
            _t("Language '%(language)s' is not offered; use one of: %(languages)s."),
            field="language", language=person.language, languages=", ".join(LANGUAGES))
    refuse_future(person.birth_date, today, "birth_date", _t("Birth date"))
    return person
