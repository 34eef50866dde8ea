"""The interview: the guided conversation that finds the source and the contacts."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar
from uuid import UUID

from bco.domain.errors import (
    ContactRemovedError,
    InterviewCompletedError,
    InvalidTransitionError,
    InvalidValueError,
    UnknownContactError,
)
from bco.domain.errors import translatable as _t
from bco.domain.personal import CONTACTS, INDEX, REMOVED, erased, erased_answers
from bco.domain.phone import normalise_phone
from bco.domain.stamped import StampedAggregate, refuse_future
from bco.domain.text import MAX_TEXT, checked_email, checked_text

EARLIEST_YEAR = 1900
RECENT_LIMIT = timedelta(days=2 * 365)


class InterviewStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETED = "completed"


class Informer(StrEnum):
    INDEX = "index"
    AUTHORITY = "authority"


def informer_for(own: str | None, answer_for_all: object) -> str | None:
    """Who informs a contact: its own choice, else what the index answered for all contacts
    (the guide's inform question: 'index' or 'authority'; 'mixed' leaves it per contact)."""
    if own:
        return own
    for informer in Informer:
        if answer_for_all == informer.value:
            return informer.value
    return None


class InformOutcome(StrEnum):
    INFORMED = "informed"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


CONTACT_FIELDS = (
    "name", "phone", "email", "relation", "day", "setting", "prompt", "household",
    "facts", "informs", "category_override", "override_reason", "unreachable_reason",
)


# A contact's identity and the free text about them, sealed under the case's contacts key.
CONTACT_DETAILS = MappingProxyType(dict.fromkeys(
    ("name", "phone", "email", "override_reason", "unreachable_reason", "removed_reason"),
    CONTACTS))


@dataclass(frozen=True)
class Contact:
    """A person the index may have infected, as reported in the interview."""

    personal: ClassVar[Mapping[str, str]] = CONTACT_DETAILS

    contact_id: UUID
    name: str
    phone: str | None = None
    email: str | None = None
    relation: str = ""
    day: date | None = None
    setting: str | None = None
    prompt: str | None = None
    household: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    informs: str | None = None
    category_override: str | None = None
    override_reason: str | None = None
    unreachable_reason: str | None = None
    removed_reason: str | None = None
    inform_outcome: str | None = None
    informed_at: datetime | None = None
    provenance: str | None = None  # "self-reported": entered by the index through a link
    proposed_at: datetime | None = None  # when the index entered it

    @property
    def removed(self) -> bool:
        return self.removed_reason is not None

    @property
    def erased(self) -> bool:
        """Whether its details were erased at the end of retention: what is missing of them
        can no longer be asked for (a contact always has a name until then)."""
        return self.name == REMOVED


@dataclass(frozen=True)
class FollowUp:
    """A probing prompt put to the index, and what they said."""

    personal: ClassVar[Mapping[str, str]] = MappingProxyType({"answer": CONTACTS})

    prompt_id: str
    answer: str | None = None
    nobody: bool = False

    @property
    def answered(self) -> bool:
        return self.nobody or self.answer is not None


@dataclass(frozen=True)
class Note:
    """A free-text remark, kept with who wrote it and when."""

    personal: ClassVar[Mapping[str, str]] = MappingProxyType({"text": INDEX})

    at: datetime
    by: str
    text: str


@dataclass(frozen=True)
class Handover:
    """What one tracer leaves for the next, so the index never retells their story."""

    personal: ClassVar[Mapping[str, str]] = MappingProxyType({"summary": INDEX})

    at: datetime
    by: str
    summary: str


class Interview(StampedAggregate):
    """Answers, contacts and probing for one case, under one fixed guide version."""

    class Started(StampedAggregate.Created):
        case_id: UUID
        guide_id: str
        guide_version: str
        guide_hash: str
        tracer: str

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.case_id = self.case_id
            aggregate.guide_id = self.guide_id
            aggregate.guide_version = self.guide_version
            aggregate.guide_hash = self.guide_hash
            aggregate.tracer = self.tracer

    class AnswerRecorded(StampedAggregate.Event):
        question_id: str
        value: Any

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.answers[self.question_id] = self.value

        def targets(self) -> frozenset[str]:
            return frozenset({answer_target(self.question_id)})

    class AnswerChanged(AnswerRecorded):
        pass

    class ContactReported(StampedAggregate.Event):
        class_version = 2
        personal: ClassVar[Mapping[str, str]] = CONTACT_DETAILS
        contact_id: UUID
        name: str
        phone: str | None
        email: str | None
        relation: str
        day: date | None
        setting: str | None
        prompt: str | None
        household: bool
        facts: dict[str, Any]
        informs: str | None
        provenance: str | None
        proposed_at: datetime | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Contacts before the self-report link were all named to a tracer."""
            state["provenance"] = None
            state["proposed_at"] = None

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.contacts[str(self.contact_id)] = Contact(
                contact_id=self.contact_id, name=self.name, phone=self.phone,
                email=self.email, relation=self.relation, day=self.day,
                setting=self.setting, prompt=self.prompt, household=self.household,
                facts=dict(self.facts), informs=self.informs, provenance=self.provenance,
                proposed_at=self.proposed_at,
            )

    class ContactUpdated(StampedAggregate.Event):
        personal_changes: ClassVar[Mapping[str, str]] = CONTACT_DETAILS
        contact_id: UUID
        changes: dict[str, Any]

        def apply_facts(self, aggregate: Interview) -> None:
            contact = aggregate.contacts[str(self.contact_id)]
            aggregate.contacts[str(self.contact_id)] = replace(contact, **self.changes)

        def targets(self) -> frozenset[str]:
            return frozenset({contact_target(self.contact_id)})

    class ContactRemoved(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = MappingProxyType({"reason": CONTACTS})
        contact_id: UUID
        reason: str

        def apply_facts(self, aggregate: Interview) -> None:
            contact = aggregate.contacts[str(self.contact_id)]
            aggregate.contacts[str(self.contact_id)] = replace(contact, removed_reason=self.reason)

        def targets(self) -> frozenset[str]:
            return frozenset({contact_target(self.contact_id)})

    class ContactInformOutcomeLogged(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = MappingProxyType({"note": CONTACTS})
        contact_id: UUID
        outcome: str
        note: str

        def apply_facts(self, aggregate: Interview) -> None:
            contact = aggregate.contacts[str(self.contact_id)]
            aggregate.contacts[str(self.contact_id)] = replace(
                contact, inform_outcome=self.outcome, informed_at=self.timestamp)

    class FollowUpRaised(StampedAggregate.Event):
        prompt_id: str

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.follow_ups[self.prompt_id] = FollowUp(prompt_id=self.prompt_id)

    class FollowUpAnswered(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = FollowUp.personal
        prompt_id: str
        answer: str | None
        nobody: bool

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.follow_ups[self.prompt_id] = FollowUp(
                prompt_id=self.prompt_id, answer=self.answer, nobody=self.nobody)

    class NoteAdded(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = Note.personal
        text: str

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.notes.append(Note(at=self.timestamp, by=self.actor, text=self.text))

    class Paused(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = Handover.personal
        summary: str

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.handovers.append(
                Handover(at=self.timestamp, by=self.actor, summary=self.summary))

    class Resumed(StampedAggregate.Event):
        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.tracer = self.actor

    class Completed(StampedAggregate.Event):
        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.completed_at = self.timestamp
            aggregate.last_completed_at = self.timestamp

    class Reopened(StampedAggregate.Event):
        personal: ClassVar[Mapping[str, str]] = MappingProxyType({"reason": INDEX})
        reason: str

        def apply_facts(self, aggregate: Interview) -> None:
            aggregate.completed_at = None
            # Contacts named from now on get a new key and a retention clock of their own.
            aggregate.erased = [p for p in getattr(aggregate, "erased", []) if p != CONTACTS]

    class PersonalDataErased(StampedAggregate.Event):
        """The end of retention for `parts` (the index's, the contacts'): their keys were
        destroyed, and the aggregate lets go of what they sealed. `answers` names the
        identifying answers (free text, phone numbers) by question, for answers stored before
        they were sealed, which carry no mark of their own."""

        parts: list[str]
        answers: list[str]

        def apply_facts(self, aggregate: Interview) -> None:
            parts = self.parts
            aggregate.answers = erased_answers(aggregate.answers, parts, self.answers)
            aggregate.contacts = {k: erased(c, parts) for k, c in aggregate.contacts.items()}
            aggregate.follow_ups = {k: erased(f, parts) for k, f in aggregate.follow_ups.items()}
            aggregate.notes = [erased(n, parts) for n in aggregate.notes]
            aggregate.handovers = [erased(h, parts) for h in aggregate.handovers]
            aggregate.erased = sorted({*getattr(aggregate, "erased", []), *parts})

    # When it was last completed, kept when it is reopened: a self-report link sent before
    # then stays finished. A class default, so snapshots from before it load.
    last_completed_at: datetime | None = None

    def __init__(self) -> None:
        self.case_id: UUID
        self.guide_id: str
        self.guide_version: str
        self.guide_hash: str
        self.tracer: str
        self.status = InterviewStatus.IN_PROGRESS
        self.answers: dict[str, Any] = {}
        self.contacts: dict[str, Contact] = {}  # keyed by str(contact_id) for snapshots
        self.follow_ups: dict[str, FollowUp] = {}
        self.notes: list[Note] = []
        self.handovers: list[Handover] = []
        self.completed_at: datetime | None = None
        self.erased: list[str] = []

    @classmethod
    def start(
        cls, *, interview_id: UUID, case_id: UUID, guide_id: str, guide_version: str,
        guide_hash: str, now: datetime, actor: str, command_id: str | None = None,
    ) -> Interview:
        """Begin under one guide version, kept for the interview's whole life."""
        return cls._create(
            cls.Started, id=interview_id, timestamp=now, actor=actor, command_id=command_id,
            case_id=case_id, guide_id=guide_id, guide_version=guide_version,
            guide_hash=guide_hash, tracer=actor,
        )

    def follow(self, event: object) -> None:
        """Move the status as every reader of interview events does, by STATUS_AFTER."""
        self.status = STATUS_AFTER.get(type(event), self.status)

    @property
    def live_contacts(self) -> list[Contact]:
        """The contacts that were not removed, in the order they were reported."""
        return [c for c in self.contacts.values() if not c.removed]

    @property
    def done_prompts(self) -> frozenset[str]:
        """Probing prompts asked and answered, also with 'nobody'."""
        return frozenset(p for p, f in self.follow_ups.items() if f.answered)

    def record_answer(
        self, question_id: str, value: Any, *, now: datetime, actor: str,
        command_id: str | None = None,
    ) -> None:
        """Save one answer as it is given; the same answer twice records nothing."""
        self._refuse_unless_open()
        if not question_id:
            raise InvalidValueError(_t("Name the question that was answered."),
                                    field="question_id")
        if question_id in self.answers:
            if self.answers[question_id] == value:
                return
            event_class: type[Interview.AnswerRecorded] = self.AnswerChanged
        else:
            event_class = self.AnswerRecorded
        self._record(event_class, now=now, actor=actor, command_id=command_id,
                     question_id=question_id, value=value)

    def report_contact(
        self, contact_id: UUID, details: dict[str, Any], *, region: str, now: datetime,
        actor: str, command_id: str | None = None,
        today: date | None = None, provenance: str | None = None,
        proposed_at: datetime | None = None,
    ) -> None:
        """Add a contact as the index names them; details may follow later. A contact the
        index proposed through the link keeps that provenance and when it was entered."""
        self._refuse_unless_open()
        if str(contact_id) in self.contacts:
            raise InvalidValueError(_t("That contact was reported already."), field="contact_id")
        # `today` is the local day where the tracer works; the UTC date is a day off at night
        checked = check_contact_details(details, region=region, today=today or now.date())
        if not checked.get("name"):
            raise InvalidValueError(
                _t("Give at least a name (or a description) for the contact."), field="name")
        self._record(
            self.ContactReported, now=now, actor=actor, command_id=command_id,
            contact_id=contact_id, name=checked["name"], phone=checked.get("phone"),
            email=checked.get("email"), relation=checked.get("relation", ""),
            day=checked.get("day"), setting=checked.get("setting"),
            prompt=checked.get("prompt"), household=bool(checked.get("household", False)),
            facts=checked.get("facts", {}), informs=checked.get("informs"),
            provenance=provenance, proposed_at=proposed_at,
        )

    def update_contact(
        self, contact_id: UUID, changes: dict[str, Any], *, region: str, now: datetime,
        actor: str, command_id: str | None = None,
        today: date | None = None,
    ) -> None:
        """Complete or correct a contact; a category override needs a reason."""
        self._refuse_unless_open()
        contact = self._live_contact(contact_id)
        if contact.erased:
            raise InvalidTransitionError(
                _t("This contact's details were erased at the end of their retention; report "
                   "the person again as a new contact if needed."))
        checked = check_contact_details(changes, region=region, today=today or now.date())
        if "name" in checked and not checked["name"]:
            raise InvalidValueError(_t("A contact cannot lose its name."), field="name")
        override = checked.get("category_override", contact.category_override)
        reason = checked.get("override_reason", contact.override_reason)
        if override and not (reason or "").strip():
            raise InvalidValueError(_t("Say why you override the computed category."),
                                    field="override_reason")
        real = {k: v for k, v in checked.items() if getattr(contact, k) != v}
        if not real:
            return
        self._record(self.ContactUpdated, now=now, actor=actor, command_id=command_id,
                     contact_id=contact_id, changes=real)

    def remove_contact(
        self, contact_id: UUID, reason: str, *, now: datetime, actor: str,
        command_id: str | None = None,
    ) -> None:
        """Strike a contact reported in error; the reason stays on record."""
        self._refuse_unless_open()
        self._live_contact(contact_id)
        if not reason.strip():
            raise InvalidValueError(_t("Say why the contact is removed."), field="reason")
        self._record(self.ContactRemoved, now=now, actor=actor, command_id=command_id,
                     contact_id=contact_id,
                     reason=checked_text(reason, "reason", limit=MAX_TEXT, multiline=True))

    def log_inform_outcome(
        self, contact_id: UUID, outcome: InformOutcome, note: str = "", *, now: datetime,
        actor: str, command_id: str | None = None,
    ) -> None:
        """Record warning a contact; this follows the interview, so it is allowed after it,
        until the contacts' details are erased at the end of their retention."""
        self._live_contact(contact_id)
        if CONTACTS in getattr(self, "erased", []):
            raise InvalidTransitionError(
                _t("The contacts' details were erased at the end of their retention; nothing "
                   "more is recorded about them."))
        if self.status != InterviewStatus.COMPLETED:
            raise InvalidTransitionError(
                _t("Contacts are informed after the interview is completed; complete it first."))
        self._record(self.ContactInformOutcomeLogged, now=now, actor=actor,
                     command_id=command_id, contact_id=contact_id,
                     outcome=InformOutcome(outcome).value,
                     note=checked_text(note, "note", limit=MAX_TEXT, multiline=True))

    def raise_follow_up(
        self, prompt_id: str, *, now: datetime, actor: str, command_id: str | None = None
    ) -> None:
        """Note that a probing prompt was put to the index."""
        self._refuse_unless_open()
        if prompt_id in self.follow_ups:
            return
        self._record(self.FollowUpRaised, now=now, actor=actor, command_id=command_id,
                     prompt_id=prompt_id)

    def answer_follow_up(
        self, prompt_id: str, *, answer: str | None = None, nobody: bool = False,
        now: datetime, actor: str, command_id: str | None = None,
    ) -> None:
        """Close a probing prompt: what the index said, or that there was nobody."""
        self._refuse_unless_open()
        if prompt_id not in self.follow_ups:
            raise InvalidTransitionError(
                _t("Prompt '%(prompt)s' was not raised in this interview."), prompt=prompt_id)
        text = checked_text(answer or "", "answer", limit=MAX_TEXT, multiline=True) or None
        if not nobody and text is None:
            raise InvalidValueError(_t("Give the answer, or mark that there was nobody."),
                                    field="answer")
        current = self.follow_ups[prompt_id]
        if current.answer == text and current.nobody == nobody:
            return
        self._record(self.FollowUpAnswered, now=now, actor=actor, command_id=command_id,
                     prompt_id=prompt_id, answer=text, nobody=nobody)

    def add_note(self, text: str, *, now: datetime, actor: str, command_id: str | None = None
                 ) -> None:
        """Keep a free-text note for the next tracer or the case file."""
        if not text.strip():
            raise InvalidValueError(_t("The note is empty."), field="text")
        self._refuse_when_completed()
        self._record(self.NoteAdded, now=now, actor=actor, command_id=command_id,
                     text=checked_text(text, "text", limit=MAX_TEXT, multiline=True))

    def pause(self, summary: str, *, now: datetime, actor: str, command_id: str | None = None
              ) -> None:
        """Stop for now and leave a summary, so the next call starts where this one ended."""
        self._refuse_unless_open()
        if not summary.strip():
            raise InvalidValueError(
                _t("Write a short handover summary: where you stopped and what is still open."),
                field="summary")
        self._record(self.Paused, now=now, actor=actor, command_id=command_id,
                     summary=checked_text(summary, "summary", limit=MAX_TEXT,
                                          multiline=True))

    def resume(self, *, now: datetime, actor: str, command_id: str | None = None) -> None:
        """Take the interview up again; the one resuming becomes its tracer."""
        self._refuse_when_completed()
        if self.status != InterviewStatus.PAUSED:
            raise InvalidTransitionError(_t("The interview is not paused."))
        self._record(self.Resumed, now=now, actor=actor, command_id=command_id)

    def complete(self, *, now: datetime, actor: str, command_id: str | None = None) -> None:
        """Finish the interview; from now on only informing contacts is recorded."""
        self._refuse_unless_open()
        self._record(self.Completed, now=now, actor=actor, command_id=command_id)

    def reopen(self, reason: str, *, now: datetime, actor: str, command_id: str | None = None
               ) -> None:
        """Reopen a completed interview, e.g. when the index remembers someone."""
        if self.status != InterviewStatus.COMPLETED:
            raise InvalidTransitionError(_t("Only a completed interview can be reopened."))
        if not reason.strip():
            raise InvalidValueError(_t("Give a reason for reopening the interview."),
                                    field="reason")
        self._record(self.Reopened, now=now, actor=actor, command_id=command_id,
                     reason=checked_text(reason, "reason", limit=MAX_TEXT, multiline=True))

    def erase_personal_data(self, parts: list[str], *, now: datetime, actor: str,
                            identifying: Collection[str] = ()) -> None:
        """Record that retention ended for `parts`, whatever the interview's status; parts
        erased already record nothing. `identifying`: the questions whose answers identify
        someone (the guide knows), erased with the index's part."""
        done = getattr(self, "erased", [])  # absent in snapshots older than retention
        new = [part for part in parts if part not in done]
        if new:
            answers = sorted(q for q in identifying if q in self.answers) if INDEX in new else []
            self._record(self.PersonalDataErased, now=now, actor=actor, parts=new,
                         answers=answers)

    def _live_contact(self, contact_id: UUID) -> Contact:
        try:
            contact = self.contacts[str(contact_id)]
        except KeyError:
            raise UnknownContactError(_t("This interview has no such contact.")) from None
        if contact.removed:
            raise ContactRemovedError(
                _t("That contact was removed; report them again as a new contact if needed."))
        return contact

    def _refuse_when_completed(self) -> None:
        if self.status == InterviewStatus.COMPLETED:
            raise InterviewCompletedError(
                _t("The interview is completed; reopen it, with a reason, to record more."))

    def _refuse_unless_open(self) -> None:
        self._refuse_when_completed()
        if self.status == InterviewStatus.PAUSED:
            raise InvalidTransitionError(_t("The interview is paused; resume it first."))


# The events that move an interview's status, and where to; the aggregate and the read models
# showing the status both take it from here.
STATUS_AFTER: dict[type, InterviewStatus] = {
    Interview.Started: InterviewStatus.IN_PROGRESS,
    Interview.Paused: InterviewStatus.PAUSED,
    Interview.Resumed: InterviewStatus.IN_PROGRESS,
    Interview.Completed: InterviewStatus.COMPLETED,
    Interview.Reopened: InterviewStatus.IN_PROGRESS,
}


def answer_target(question_id: str) -> str:
    """What an answer edit changes, to tell it apart from edits of other answers."""
    return f"answer:{question_id}"


def contact_target(contact_id: UUID | str) -> str:
    """What an edit of one contact changes, to tell it apart from edits of other contacts."""
    return f"contact:{contact_id}"


def check_contact_details(details: dict[str, Any], *, region: str, today: date
                           ) -> dict[str, Any]:
    """Refuse unknown or impossible contact details and normalise the rest."""
    unknown = sorted(set(details) - set(CONTACT_FIELDS))
    if unknown:
        raise InvalidValueError(_t("Unknown contact field(s): %(fields)s."),
                                field=unknown[0], fields=", ".join(unknown))
    checked = dict(details)
    for name in ("name", "relation"):
        if name in checked:
            checked[name] = checked_text(str(checked[name] or ""), name)
    for name in ("override_reason", "unreachable_reason"):
        if checked.get(name):
            checked[name] = checked_text(str(checked[name]), name, limit=MAX_TEXT,
                                         multiline=True)
    if checked.get("phone"):
        checked["phone"] = normalise_phone(str(checked["phone"]), region, field="phone")
    elif "phone" in checked:
        checked["phone"] = None
    if checked.get("email"):
        checked["email"] = checked_email(str(checked["email"]))
    if "day" in checked:
        refuse_future(checked["day"], today, "day", _t("Exposure date"))
        refuse_implausible_day(checked["day"], today, "day")
    if checked.get("informs") is not None:
        try:
            checked["informs"] = Informer(checked["informs"]).value
        except ValueError:
            raise InvalidValueError(_t("Who informs the contact: 'index' or 'authority'."),
                                    field="informs") from None
    if "facts" in checked and not isinstance(checked["facts"], dict):
        raise InvalidValueError(_t("Contact facts must be a set of named values."),
                                field="facts")
    return checked


def refuse_implausible_day(day: date | None, today: date, field: str, *,
                           recent: bool = True) -> None:
    """Refuse a mistyped year: a half-typed 0202 is a date too, and a day years back moves every
    window the guide derives from it (`recent`: a symptom or exposure day)."""
    if day is None:
        return
    if day.year < EARLIEST_YEAR:
        raise InvalidValueError(
            _t("The year %(year)s cannot be right; check the year and type all four digits, "
               "e.g. %(this_year)s."),
            field=field, year=f"{day.year:04d}", this_year=str(today.year))
    if recent and day < today - RECENT_LIMIT:
        raise InvalidValueError(
            _t("%(date)s is more than two years ago; check the year."),
            field=field, date=day.strftime("%d-%m-%Y"))
