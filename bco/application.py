"""BCOApplication: the only writer. Loads an aggregate, runs one command, saves its events."""

from __future__ import annotations

import copy
import random
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import takewhile
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    Recording,
)
from eventsourcing.utils import Environment

from bco.audit.store import AccessLog
from bco.case_keys import TABLE as CASE_KEYS_TABLE
from bco.case_keys import CaseKeys
from bco.config import Settings
from bco.domain.account import Account, Role
from bco.domain.api_token import ApiToken, name_in, token_hash, token_text
from bco.domain.case import CallOutcome, Case, IndexPerson
from bco.domain.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    InvalidValueError,
    NotFoundError,
)
from bco.domain.errors import translatable as _t
from bco.domain.event_data import event_as_dict
from bco.domain.guide_version import GuideVersion
from bco.domain.interview import InformOutcome, Interview, InterviewStatus
from bco.domain.invitation import (
    REPLACED,
    SELF_REPORTED,
    Invitation,
    Proposal,
    invitation_hash,
    invitation_id,
)
from bco.domain.personal import CONTACTS, INDEX, masked
from bco.domain.practice import Practice, TrainingRecord
from bco.domain.reference import case_reference
from bco.domain.review import FeedbackInbox, Review
from bco.domain.stamped import StampedAggregate
from bco.guide_catalog import GuideCatalog, disease_code
from bco.guides.answers import IDENTIFYING_TYPES, checked_answer
from bco.guides.categories import check_facts
from bco.guides.errors import FactError
from bco.guides.model import Guide
from bco.guides.state import InterviewState, build_state
from bco.guides.windows import exposure_windows
from bco.private_files import keep_private
from bco.sealing import ERASURES, SealingMapper
from bco.side_store import SideStore, open_side_store
from bco.storage import (
    KeyNotCreatedError,
    StartupError,
    one_creator_at_a_time,
    persistence_env,
    read_key,
    register_transcodings,
    replay,
    sealing_env,
)

A = TypeVar("A", bound=StampedAggregate)
Clock = Callable[[], datetime]

# One whole sentence per kind, so each can be translated with its own grammar.
NOT_FOUND: dict[type[StampedAggregate], str] = {
    Case: _t("No case with id %(id)s."),
    Interview: _t("No interview with id %(id)s."),
    Account: _t("No account with id %(id)s."),
    GuideVersion: _t("No guide version with id %(id)s."),
    ApiToken: _t("No API token with id %(id)s."),
    Invitation: _t("No link with id %(id)s."),
    Practice: _t("No practice interview with id %(id)s."),
    TrainingRecord: _t("No practice record with id %(id)s."),
    Review: _t("No coaching review with id %(id)s."),
    FeedbackInbox: _t("No feedback with id %(id)s."),
}


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class Recorded:
    """What a command left behind: the aggregate, its new version, and the log position.

    `saved` is the aggregate as it stands after the command, so a caller that shows it
    (the interview screen after an answer) need not load it again.
    """

    aggregate_id: UUID
    version: int
    position: int | None
    saved: StampedAggregate | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class SelfReportLink:
    """What a self-report link opens: its state ('open', 'expired', 'revoked', 'finished'),
    and for an open link the case's guide and the days the index is asked about."""

    state: str
    invitation: Invitation
    case: Case
    guide: Guide
    days: tuple[date, ...]
    # How many people the index entered with the case's earlier links: only the number is
    # shown (an earlier link may have gone to someone else), so nobody is entered twice.
    earlier_entries: int = 0

    @property
    def usable(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class Issued:
    """A new link: the token is returned here once and kept nowhere."""

    token: str
    url: str
    expires_at: datetime
    recorded: Recorded


@dataclass(frozen=True)
class CaseAsOf:
    """A case and its interview replayed to one moment, with the events that made them."""

    case: Case
    interview: Interview | None
    events: list[Any]
    as_of: datetime


SAVE_ATTEMPTS = 10  # a command that lost a race is worked out again on the newer state


@dataclass(frozen=True)
class Erasure:
    """What the end of retention takes from one case: the parts of the case's own stream and
    of its interview's, and how many keys that destroyed. `unkeyed` lists parts stored before
    per-case keys existed: they are erased from every screen, read model and export, but the
    events themselves still hold them under the events key alone."""

    case_id: UUID
    interview_id: UUID | None
    case_parts: tuple[str, ...]
    interview_parts: tuple[str, ...]
    contact_count: int = 0
    keys_destroyed: int = 0
    unkeyed: tuple[str, ...] = ()

    @property
    def contacts(self) -> bool:
        return CONTACTS in self.interview_parts

    @property
    def whole_case(self) -> bool:
        return INDEX in self.case_parts


class SaveRaced(ConflictError):
    """Another writer stored a change to the same aggregate first; nothing of ours was saved."""


def _back_off(attempt: int) -> None:
    """A short random wait before trying again, so writers that raced do not race again."""
    time.sleep(random.uniform(0, 0.004 * (attempt + 1)))


class BCOApplication(Application[UUID]):
    """Every command a tracer, lead or importer can give, and the reads they need."""

    name = "BCO"
    snapshotting_intervals = {Interview: 50, Case: 50}

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        # Per instance, so that the interval is a setting rather than a constant.
        self.snapshotting_intervals = {  # type: ignore[misc]
            Interview: settings.snapshot_interval, Case: settings.snapshot_interval}
        keep_private(settings)
        key = read_key(settings)
        with one_creator_at_a_time(settings):
            self.side_store = self.open_side_store()
            self.case_keys = CaseKeys(self.side_store, key or _UNUSED_KEY,
                                      table=self.case_keys_table)
            super().__init__(env={
                **persistence_env(settings),
                **sealing_env(key or _UNUSED_KEY, settings),
                "IS_SNAPSHOTTING_ENABLED": "y",
            })
            self.access_log = AccessLog(self.recorder.datastore,  # type: ignore[attr-defined]
                                        postgres=settings.uses_postgres)
            self.access_log.create_table()
        self._check_key(key)
        self.catalog = GuideCatalog(settings.guides_dir)

    # -- construction -----------------------------------------------------------------

    case_keys_table = CASE_KEYS_TABLE

    def open_side_store(self) -> SideStore:
        """The connection for what is kept beside the event log (case keys, shared counts)."""
        return open_side_store(self.settings)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        """Only what BCO's settings say; never stray variables from the process environment."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        """The mapper seals personal fields under the case's own keys (bco/sealing.py)."""
        mapper = super().construct_mapper()
        if isinstance(mapper, SealingMapper):
            mapper.keys = self.case_keys
        return mapper

    def close(self) -> None:
        super().close()
        self.side_store.close()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def _check_key(self, key: str | None) -> None:
        """Refuse to run on a store whose key is missing or wrong, before anything is written."""
        position = self.store_position()
        where = self.store_description()
        if key is None:
            if position > 0:
                raise StartupError(
                    f"The event store {where} holds {position} encrypted events, but its key "
                    f"is missing: no BCO_CIPHER_KEY and no key file at {self.settings.key_file}. "
                    "Restore the key file (or set BCO_CIPHER_KEY); without it nothing can be "
                    "read.")
            raise KeyNotCreatedError(
                f"No events key found at {self.settings.key_file}. Run 'bco db init' to create "
                "one for a new store, or set BCO_CIPHER_KEY.")
        if position == 0:
            return
        first = self.recorder.select_notifications(start=1, limit=1)
        try:
            for notification in first:
                self.mapper.to_domain_event(notification)
        except (MapperDeserialisationError, ValueError) as exc:
            source = ("BCO_CIPHER_KEY" if self.settings.cipher_key
                      else f"The key at {self.settings.key_file} (BCO_KEY_FILE)")
            raise StartupError(
                f"{source} does not open the event store {where}. "
                "Use the key the store was created with.") from exc

    def store_description(self) -> str:
        if self.settings.uses_postgres:
            schema = self.settings.database_schema or "public"
            return f"in PostgreSQL (schema {schema})"
        return f"at {self.settings.events_path}"

    # -- reads ------------------------------------------------------------------------------

    def store_position(self) -> int:
        """The id of the newest notification; read models compare theirs with it."""
        return self.recorder.max_notification_id() or 0

    def get_case(self, case_id: UUID) -> Case:
        return self._get(case_id, Case)

    def get_interview(self, interview_id: UUID) -> Interview:
        return self._get(interview_id, Interview)

    def guide_for_interview(self, interview: Interview) -> Guide:
        """The exact guide version the interview started with, even if its file has changed."""
        def archived_source() -> tuple[str, str]:
            archived = self._get(GuideVersion.id_for(interview.guide_hash), GuideVersion)
            return f"{archived.guide_id} {archived.version}", archived.source
        return self.catalog.version(interview.guide_id, interview.guide_hash, archived_source)

    def interview_state(self, interview: Interview, case: Case | None = None) -> InterviewState:
        """What the guide engine needs to know about an interview."""
        case = case or self.get_case(interview.case_id)
        return build_state(interview.answers, interview.live_contacts,
                           interview.done_prompts, case.onset, case.test_date)

    def case_history(self, case_id: UUID) -> list[dict[str, Any]]:
        """Every event of the case and its interview, oldest first, for audits and the CLI."""
        case = self.get_case(case_id)
        events: list[Any] = self._events_of(case_id)
        if case.interview_id is not None:
            events.extend(self._events_of(case.interview_id))
        for invite in case.invitations:
            events.extend(self._events_of(invite.invitation_id))
        events.sort(key=lambda e: e.timestamp)
        return [event_as_dict(e) for e in events]

    def case_as_of(self, case_id: UUID, as_of: datetime) -> CaseAsOf:
        """The case and its interview exactly as they stood at `as_of`, for case files of any
        moment: only the events stamped at or before it are replayed, never today's state."""
        if as_of.tzinfo is None:
            raise ValueError("case_as_of needs a moment with its time zone")
        case_events = self._events_until(case_id, as_of)
        if not case_events:
            self.get_case(case_id)  # an unknown case says so before a case not yet received
            raise NotFoundError(_t("Case %(id)s was not registered yet at %(moment)s."),
                                id=str(case_id), moment=as_of.isoformat(timespec="minutes"))
        case = replay(None, case_events)
        interview, interview_events = None, []
        if case.interview_id is not None:
            interview_events = self._events_until(case.interview_id, as_of)
            interview = replay(None, interview_events) if interview_events else None
        link_events = [e for invite in case.invitations
                       for e in self._events_until(invite.invitation_id, as_of)]
        events = sorted([*case_events, *interview_events, *link_events],
                        key=lambda e: e.timestamp)
        return CaseAsOf(case=case, interview=interview, events=events, as_of=as_of)

    def case_invitations(self, case: Case) -> list[Invitation]:
        """The case's self-report links, oldest first."""
        return [self._get(i.invitation_id, Invitation) for i in case.invitations]

    def pending_proposals(self, case: Case) -> list[tuple[Invitation, Proposal]]:
        """What the index entered through a link and no tracer has decided on yet."""
        return [(invitation, proposal) for invitation in self.case_invitations(case)
                for proposal in invitation.pending]

    def _events_until(self, aggregate_id: UUID, moment: datetime) -> list[Any]:
        """The aggregate's events up to the first one stamped after `moment`.

        A prefix, not a filter: nodes whose clocks differ a little can stamp a later version
        earlier, and replaying versions with a gap between them cannot be done.
        """
        return list(takewhile(lambda e: e.timestamp <= moment, self._events_of(aggregate_id)))

    def _events_of(self, aggregate_id: UUID) -> list[Any]:
        """Every stored event of one aggregate, oldest first, decrypted and upcast; after the
        end of retention with its personal fields as the marker, also in events stored before
        per-case keys, whose fields no destroyed key hides."""
        events: list[Any] = list(self.events.get(aggregate_id))
        erasures = [e for e in events if type(e) in ERASURES]
        if not erasures:
            return events
        parts = {part for e in erasures for part in e.parts}
        identifying = {q for e in erasures for q in getattr(e, "answers", ())}
        return [masked(e, parts, identifying) for e in events]

    # -- case commands --------------------------------------------------------------------

    def register_case(
        self, *, person: IndexPerson, disease: str, onset: date | None = None,
        test_date: date | None = None, source: str = "", received_at: datetime | None = None,
        region: str = "", actor: str, command_id: str | None = None, dry_run: bool = False,
    ) -> Recorded:
        """Open a case; a retried registration with the same command id returns the first
        (position None), and the same id with other details is refused.

        `region` is the country the case comes from, else the one configured for its
        `source` (BCO_SOURCE_REGIONS); it picks the default guide. `dry_run` checks
        everything and saves nothing (position None, version 0 for a case not yet there).
        """
        disease = self._disease(disease)
        case_id = uuid5(NAMESPACE_URL, f"bco:case:{command_id}") if command_id else uuid4()
        now = self.clock()
        case = Case.register(
            case_id=case_id, person=person, disease=disease, onset=onset,
            test_date=test_date, source=source, received_at=received_at or now,
            region=self.settings.phone_region, now=now, actor=actor, command_id=command_id,
            case_region=region or self.settings.source_region(source),
        )
        registered = case.pending_events[0]  # a failed save has taken it out of the case
        if dry_run:
            if command_id and self._find(case_id, Case) is not None:
                return self._same_registration(case_id, registered)
            return Recorded(case_id, 0, None)
        try:
            return self._save(case)
        except ConflictError:
            # A retry (or a retry racing its original): the store's unique key refused a
            # second registration, so the case exists, and that is what was asked. Saving
            # first spares every new case a read of the store.
            return self._same_registration(case_id, registered)

    def receive_notification(
        self, notification_id: str, *, sender: str, person: IndexPerson, disease: str,
        onset: date | None = None, test_date: date | None = None, region: str = "",
        actor: str, dry_run: bool = False,
    ) -> tuple[UUID, bool]:
        """Register the case a notification system sent; (case id, True when new).

        The case id is derived from the sender and its notification id, so a retry — even
        one racing the first attempt from another process — finds the case it made instead
        of making a second; the same id with other details is refused."""
        notification = notification_id.strip()
        if not notification or len(notification) > 200:
            raise InvalidValueError(_t("Give the sender's notification id (1 to 200 "
                                       "characters); a retry sends the same one."),
                                    field="notification_id")
        try:
            recorded = self.register_case(
                person=person, disease=disease, onset=onset, test_date=test_date,
                source=sender, region=region, actor=actor, dry_run=dry_run,
                command_id=f"notification:{sender}:{notification}")
        except InvalidValueError as exc:
            if exc.field != "command_id":
                raise
            raise InvalidValueError(
                _t("Notification %(id)s was received before with other details; a retry "
                   "sends the same details, a new notification a new id."),
                field="notification_id", id=notification[:200]) from None
        return recorded.aggregate_id, recorded.position is not None or recorded.version == 0

    def _disease(self, disease: str) -> str:
        """The disease code for a code or a guide's name for it ('COVID-19' → 'covid-19')."""
        known = self.catalog.known_diseases
        code = disease if disease in known else disease_code(disease)
        if code not in known:
            raise InvalidValueError(
                _t("Unknown disease '%(disease)s'; known: %(known)s."), field="disease",
                disease=disease, known=", ".join(known))
        return code

    def _same_registration(self, case_id: UUID, retried: Any) -> Recorded:
        """A retry gets the case it registered; a reused id with other details is refused."""
        first = next(iter(self.events.get(case_id, lte=1)))
        facts = ("name", "phone", "birth_date", "email", "postcode", "language", "disease",
                 "onset", "test_date", "source")
        if any(getattr(first, fact) != getattr(retried, fact) for fact in facts):
            raise InvalidValueError(
                _t("This command id registered a case with other details; a retry must send "
                   "the same details, a new registration a new id."), field="command_id")
        return Recorded(case_id, self.get_case(case_id).version, None)

    def correct_case_details(self, case_id: UUID, changes: dict[str, Any], *, actor: str,
                             command_id: str | None = None,
                             expected_version: int | None = None) -> Recorded:
        if "disease" in changes:
            changes = {**changes, "disease": self._disease(str(changes["disease"]))}
        return self._change(
            case_id, Case, command_id, expected_version, set(changes),
            lambda case, now: case.correct_details(
                changes, region=self.settings.phone_region, now=now, actor=actor,
                command_id=command_id))

    def assign_case(self, case_id: UUID, tracer: str, team: str | None = None, *, actor: str,
                    command_id: str | None = None,
                    expected_version: int | None = None) -> Recorded:
        """Give the case to a tracer of its team, whoever asks: the web, the dashboard or a
        script all meet the same rule (see `_refuse_outside_team`)."""
        def change(case: Case, now: datetime) -> None:
            checked = self._refuse_outside_team(case, tracer, team, actor)
            case.assign(tracer, checked, now=now, actor=actor, command_id=command_id)
        return self._change(case_id, Case, command_id, expected_version, {"assignment"}, change)

    def decide_match(self, case_id: UUID, other_case_id: UUID, contact_id: UUID | None, *,
                     same: bool, reason: str = "", actor: str,
                     command_id: str | None = None) -> Recorded:
        """Record a tracer's decision on a proposed match: the same person (a link, e.g. the
        contact who became this case), or not the same person with a reason."""
        other = self.get_case(other_case_id)
        if contact_id is not None:
            contacts = (self.get_interview(other.interview_id).contacts
                        if other.interview_id is not None else {})
            if str(contact_id) not in contacts:
                raise NotFoundError(_t("Case %(ref)s has no contact with id %(id)s."),
                                    ref=case_reference(other_case_id), id=str(contact_id))
        return self._change(
            case_id, Case, command_id, None, None,
            lambda case, now: case.decide_match(other_case_id, contact_id, same=same,
                                                reason=reason, now=now, actor=actor,
                                                command_id=command_id))

    def _refuse_outside_team(self, case: Case, tracer: str, team: str | None,
                             actor: str) -> str | None:
        """A case goes only to an active tracer or lead of its team; a case without a team to
        one of the acting person's team. Returns the team to record: the tracer's own.

        The case's team is a fact of the case, not of who acts, so an administrator or a
        command-line actor meets the same rule as a lead on the web; only a case that has no
        team yet, handed out by someone without a team (intake, import, `--as` with no
        account), takes the team of the tracer it goes to. A name without an account has no
        team to compare; the web and the dashboard accept only accounts.
        """
        person = self.find_account(tracer.strip().lower()) if tracer.strip() else None
        if person is None:
            return team
        if person.disabled or person.role not in (Role.TRACER, Role.TEAM_LEAD):
            raise InvalidValueError(_t("%(name)s is not an active tracer or team lead. Choose "
                                       "someone from the list."), field="tracer",
                                    name=person.name)
        if team is not None and team != person.team:
            raise InvalidValueError(
                _t("%(name)s works in team %(their)s, not in team %(team)s."), field="tracer",
                name=person.name, their=person.team or "—", team=team)
        own = self._case_team(case)
        if own is None:
            acting = self.find_account(actor)
            own = acting.team if acting is not None else None
        if own is not None and person.team != own:
            raise InvalidValueError(
                _t("%(name)s works in team %(their)s; case %(ref)s belongs to team %(team)s. "
                   "Choose a tracer of team %(team)s."), field="tracer", name=person.name,
                their=person.team or "—", ref=case_reference(case.id), team=own)
        return person.team

    def unassign_case(self, case_id: UUID, *, actor: str, command_id: str | None = None,
                      expected_version: int | None = None) -> Recorded:
        """Back to the pool; with the version the caller saw, a reassignment since is refused."""
        return self._change(
            case_id, Case, command_id, expected_version, {"assignment"},
            lambda case, now: case.unassign(now=now, actor=actor, command_id=command_id))

    def log_call_attempt(
        self, case_id: UUID, outcome: CallOutcome | str, *, note: str = "",
        callback_at: datetime | None = None, actor: str, command_id: str | None = None,
    ) -> Recorded:
        try:
            checked = CallOutcome(outcome)
        except ValueError:
            raise InvalidValueError(
                _t("Unknown call outcome '%(outcome)s'; use one of: %(outcomes)s."),
                field="outcome", outcome=outcome,
                outcomes=", ".join(o.value for o in CallOutcome)) from None
        return self._change(
            case_id, Case, command_id, None, None,
            lambda case, now: case.log_call_attempt(
                checked, note=note, callback_at=callback_at, now=now, actor=actor,
                command_id=command_id))

    def mark_unreachable(self, case_id: UUID, reason: str, *, actor: str,
                         command_id: str | None = None) -> Recorded:
        return self._change(
            case_id, Case, command_id, None, None,
            lambda case, now: case.mark_unreachable(reason, now=now, actor=actor,
                                                    command_id=command_id))

    def close_case(self, case_id: UUID, reason: str, *, actor: str,
                   command_id: str | None = None) -> Recorded:
        return self._change(
            case_id, Case, command_id, None, None,
            lambda case, now: case.close(reason, now=now, actor=actor, command_id=command_id))

    def claim_next_case(self, tracer: str, team: str | None = None, *, actor: str,
                        candidates: Iterable[UUID],
                        eligible: Callable[[Case], bool] | None = None) -> Recorded | None:
        """The tracer's own due callback first, else assign the first candidate still free; a
        case taken meanwhile by someone else is skipped.

        An own callback is returned as it is, unchanged (no new event, position None): the
        index asked to be called at that time, so it goes before anything in the pool.

        The caller passes the candidates in the order to offer them, read from the worklist
        (bco.projections.worklist.next_unassigned): projections import the application, so the
        application takes their answer as data instead of importing them. That read model may
        lag, so each candidate is checked on the aggregate (and against `eligible`, e.g. the
        tracer's own pool), and the assignment carries the version seen: a concurrent claim of
        the same case raises ConflictError and the next one is tried.
        """
        now = self.clock()
        for case_id in candidates:
            case = self.get_case(case_id)
            if (case.tracer == tracer and case.closed_reason is None
                    and case.callback_at is not None and case.callback_at <= now):
                return Recorded(case_id, case.version, None, case)
            if case.tracer is not None or case.closed_reason is not None:
                continue
            if eligible is not None and not eligible(case):
                continue
            try:
                return self.assign_case(case_id, tracer, team, actor=actor,
                                        expected_version=case.version)
            except (ConflictError, InvalidValueError):
                continue  # taken meanwhile, or reserved for another team than the tracer's
        return None

    def reopen_case(self, case_id: UUID, reason: str, *, actor: str,
                    command_id: str | None = None) -> Recorded:
        return self._change(
            case_id, Case, command_id, None, None,
            lambda case, now: case.reopen(reason, now=now, actor=actor, command_id=command_id))

    def hand_out_cases(self, expected: Mapping[UUID, int], tracer: str, *, reason: str,
                       actor: str, command_id: str | None = None) -> Recorded:
        """Give several cases (id → the version the lead saw) to one tracer, all or none, the
        reason in each event; a team lead hands out only their team's cases, to their team."""
        if not reason.strip():
            raise InvalidValueError(_t("Say why these cases move; the reason is kept with "
                                       "each case."), field="reason")
        person = self.find_account(tracer.strip().lower()) if tracer.strip() else None
        if person is None or person.disabled or person.role not in (Role.TRACER,
                                                                    Role.TEAM_LEAD):
            raise InvalidValueError(_t("%(name)s is not an active tracer or team lead. Choose "
                                       "someone from the list."), field="tracer",
                                    name=tracer.strip())
        lead = self.find_account(actor)
        own_team = lead.team if lead is not None and lead.role == Role.TEAM_LEAD else None
        if own_team is not None and person.team != own_team:
            raise InvalidValueError(_t("%(name)s works in another team; a team lead hands out "
                                       "cases within their own team."), field="tracer",
                                    name=person.name)
        now, changed = self.clock(), []
        for case_id, version in expected.items():
            case = self._get(case_id, Case)
            step = f"{command_id}:{case_id}" if command_id else None
            if case.already_done(step):
                continue
            if own_team is not None and self._case_team(case) not in (None, own_team):
                raise InvalidValueError(_t("Case %(ref)s belongs to another team; a team lead "
                                           "hands out only their own team's cases."),
                                        field="cases", ref=f"C-{str(case_id)[:8]}")
            if case.version > version:
                self._refuse_stale(case, version, {"assignment"})
            before = case.version
            self._refuse_outside_team(case, person.name, person.team, actor)
            case.assign(person.name, person.team, now=now, actor=actor, command_id=step,
                        reason=reason)
            if case.version != before:
                changed.append(case)
        if not changed:
            first = next(iter(expected))
            return Recorded(first, self._get(first, Case).version, None, None)
        return self._save(*changed)

    def _case_team(self, case: Case) -> str | None:
        """The case's team, or its tracer's when it was given out without one."""
        if case.team is not None or case.tracer is None:
            return case.team
        account = self.find_account(case.tracer)
        return account.team if account is not None else None

    def set_case_priority(self, case_id: UUID, priority: int, reason: str, *, actor: str,
                          command_id: str | None = None,
                          expected_version: int | None = None) -> Recorded:
        """Move a case up in the worklist; with the version seen, a priority set meanwhile is
        a conflict."""
        return self._change(
            case_id, Case, command_id, expected_version, {"priority"},
            lambda case, now: case.set_priority(priority, reason, now=now, actor=actor,
                                                command_id=command_id))

    def set_cases_priority(self, expected: Mapping[UUID, int], priority: int, reason: str, *,
                           actor: str, command_id: str | None = None) -> Recorded:
        """Set the priority of several cases (id → the version the lead saw), all or none: a
        priority set on any of them since that version is a conflict and nothing is saved.

        A save that loses a race is worked out again on what is stored now, as `_change` does.
        """
        def attempt() -> Recorded:
            now, changed = self.clock(), []
            for case_id, version in expected.items():
                case = self._get(case_id, Case)
                step = f"{command_id}:{case_id}" if command_id else None
                if case.already_done(step):
                    continue
                if case.version > version:
                    self._refuse_stale(case, version, {"priority"})
                before = case.version
                case.set_priority(priority, reason, now=now, actor=actor, command_id=step)
                if case.version != before:
                    changed.append(case)
            if not changed:
                first = next(iter(expected))
                return Recorded(first, self._get(first, Case).version, None, None)
            return self._save(*changed)

        return self._until_saved(attempt)

    # -- interview commands ---------------------------------------------------------------

    def start_interview(self, case_id: UUID, *, actor: str, guide_id: str | None = None,
                        command_id: str | None = None, reached: bool = False) -> Recorded:
        """Start the case's interview under the current guide version, archiving that version.

        `reached`: the index is on the line, so a first 'reached' call is logged with it. The
        case, the interview and the archived guide are saved together or not at all.
        """
        case = self.get_case(case_id)
        if case.already_done(command_id) and case.interview_id is not None:
            interview = self.get_interview(case.interview_id)
            return Recorded(interview.id, interview.version, None)
        guide, source = self.catalog.current_version(
            self.catalog.chosen(case.disease, guide_id, case.region))
        now = self.clock()
        interview_id = uuid4()
        if reached and case.reached_at is None:
            case.log_call_attempt(CallOutcome.REACHED, now=now, actor=actor,
                                  command_id=command_id)
        case.interview_started(interview_id, now=now, actor=actor, command_id=command_id)
        interview = Interview.start(
            interview_id=interview_id, case_id=case_id, guide_id=guide.id,
            guide_version=str(guide.version), guide_hash=guide.content_hash, now=now,
            actor=actor, command_id=command_id)
        to_save: list[StampedAggregate] = [case, interview]
        if self._find(GuideVersion.id_for(guide.content_hash), GuideVersion) is None:
            to_save.append(GuideVersion.archive(
                guide_id=guide.id, version=str(guide.version), content_hash=guide.content_hash,
                source=source, now=now, actor=actor))
        recorded = self._save(*to_save)
        return Recorded(interview_id, interview.version, recorded.position)

    def record_answer(self, interview_id: UUID, question_id: str, value: Any, *, actor: str,
                      command_id: str | None = None, expected_version: int | None = None,
                      loaded: Interview | None = None) -> Recorded:
        """Record an answer the interview's guide accepts, as the guide stores it; the same
        answer again records nothing and conflicts with no one.

        `loaded` is the interview as the caller has just read it (`get_interview`), so it is
        not read twice; it is worked on as a copy. A save by someone else in between makes the
        command run again on the interview as it is now, so a different edit never conflicts.
        """
        def answer(interview: Interview) -> Recorded:
            return self._answer(interview, question_id, value, actor=actor,
                                command_id=command_id, expected_version=expected_version)
        if loaded is not None and loaded.id == interview_id:
            try:
                return answer(copy.deepcopy(loaded))
            except ConflictError:
                pass  # loaded before someone else's save: work it out on what is stored now
        else:
            written = self._written_on_cached(interview_id, Interview, answer)
            if written is not None:
                return written
        return self._until_saved(lambda: answer(self.get_interview(interview_id)))

    def _answer(self, interview: Interview, question_id: str, value: Any, *, actor: str,
                command_id: str | None, expected_version: int | None) -> Recorded:
        """Check the answer against the guide, then record it unless it is already the answer."""
        if interview.already_done(command_id):
            return Recorded(interview.id, interview.version, None, interview)
        now = self.clock()
        checked = checked_answer(
            self.guide_for_interview(interview), question_id, value,
            today=now.astimezone(self.settings.zone).date(),
            region=self.settings.phone_region, contacts=interview.live_contacts)
        if question_id in interview.answers and interview.answers[question_id] == checked:
            return Recorded(interview.id, interview.version, None, interview)
        if expected_version is not None and interview.version > expected_version:
            self._refuse_stale(interview, expected_version, {f"answer:{question_id}"})
        interview.record_answer(question_id, checked, now=now, actor=actor,
                                command_id=command_id)
        return self._save(interview)

    def report_contact(self, interview_id: UUID, details: dict[str, Any], *, actor: str,
                       command_id: str | None = None) -> Recorded:
        """Add a contact; a retried report with the same command id adds nothing."""
        contact_id = (uuid5(NAMESPACE_URL, f"bco:contact:{command_id}") if command_id
                      else uuid4())
        recorded = self._change(
            interview_id, Interview, command_id, None, None,
            lambda interview, now: interview.report_contact(
                contact_id, details, region=self.settings.phone_region, now=now, actor=actor,
                command_id=command_id,
                today=now.astimezone(self.settings.zone).date()))
        return Recorded(contact_id, recorded.version, recorded.position, recorded.saved)

    def update_contact(self, interview_id: UUID, contact_id: UUID, changes: dict[str, Any], *,
                       actor: str, command_id: str | None = None,
                       expected_version: int | None = None) -> Recorded:
        return self._change(
            interview_id, Interview, command_id, expected_version, {f"contact:{contact_id}"},
            lambda interview, now: interview.update_contact(
                contact_id, changes, region=self.settings.phone_region, now=now, actor=actor,
                command_id=command_id,
                today=now.astimezone(self.settings.zone).date()))

    def remove_contact(self, interview_id: UUID, contact_id: UUID, reason: str, *, actor: str,
                       command_id: str | None = None,
                       expected_version: int | None = None) -> Recorded:
        return self._change(
            interview_id, Interview, command_id, expected_version, {f"contact:{contact_id}"},
            lambda interview, now: interview.remove_contact(
                contact_id, reason, now=now, actor=actor, command_id=command_id))

    def log_inform_outcome(self, interview_id: UUID, contact_id: UUID,
                           outcome: InformOutcome | str, note: str = "", *, actor: str,
                           command_id: str | None = None) -> Recorded:
        try:
            checked = InformOutcome(outcome)
        except ValueError:
            raise InvalidValueError(
                _t("Unknown outcome '%(outcome)s'; use one of: %(outcomes)s."),
                field="outcome", outcome=outcome,
                outcomes=", ".join(o.value for o in InformOutcome)) from None
        return self._change(
            interview_id, Interview, command_id, None, None,
            lambda interview, now: interview.log_inform_outcome(
                contact_id, checked, note, now=now, actor=actor, command_id=command_id))

    def answer_follow_up(self, interview_id: UUID, prompt_id: str, *, answer: str | None = None,
                         nobody: bool = False, actor: str,
                         command_id: str | None = None) -> Recorded:
        """Record a probing prompt as asked and answered (raising it first when needed)."""
        def change(interview: Interview, now: datetime) -> None:
            interview.raise_follow_up(prompt_id, now=now, actor=actor)
            interview.answer_follow_up(prompt_id, answer=answer, nobody=nobody, now=now,
                                       actor=actor, command_id=command_id)
        return self._change(interview_id, Interview, command_id, None, None, change)

    def raise_follow_up(self, interview_id: UUID, prompt_id: str, *, actor: str,
                        command_id: str | None = None) -> Recorded:
        return self._change(
            interview_id, Interview, command_id, None, None,
            lambda interview, now: interview.raise_follow_up(
                prompt_id, now=now, actor=actor, command_id=command_id))

    def add_note(self, interview_id: UUID, text: str, *, actor: str,
                 command_id: str | None = None) -> Recorded:
        return self._change(
            interview_id, Interview, command_id, None, None,
            lambda interview, now: interview.add_note(text, now=now, actor=actor,
                                                      command_id=command_id))

    def pause_interview(self, interview_id: UUID, summary: str, *, actor: str,
                        command_id: str | None = None, hand_over: bool = False) -> Recorded:
        """Pause; with `hand_over` the case goes back to the pool in the same atomic save."""
        if not hand_over:
            return self._change(
                interview_id, Interview, command_id, None, None,
                lambda interview, now: interview.pause(summary, now=now, actor=actor,
                                                       command_id=command_id))
        interview = self.get_interview(interview_id)
        if interview.already_done(command_id):
            return Recorded(interview_id, interview.version, None, interview)
        case = self.get_case(interview.case_id)
        now = self.clock()
        interview.pause(summary, now=now, actor=actor, command_id=command_id)
        if case.tracer is not None:
            case.unassign(now=now, actor=actor)
        recorded = self._save(interview, case)
        return Recorded(interview_id, interview.version, recorded.position, interview)

    def take_interview(self, interview_id: UUID, tracer: str, team: str | None, *, actor: str,
                       expected_case_version: int | None = None) -> Recorded:
        """Take a handed-over case from the pool and resume its interview, in one save."""
        interview = self.get_interview(interview_id)
        case = self.get_case(interview.case_id)
        if expected_case_version is not None and case.version > expected_case_version:
            self._refuse_stale(case, expected_case_version, {"assignment"})
        now = self.clock()
        case.assign(tracer, team, now=now, actor=actor)
        if interview.status == "paused":
            interview.resume(now=now, actor=actor)
        recorded = self._save(interview, case)
        return Recorded(interview_id, interview.version, recorded.position, interview)

    def resume_interview(self, interview_id: UUID, *, actor: str,
                         command_id: str | None = None) -> Recorded:
        return self._change(
            interview_id, Interview, command_id, None, None,
            lambda interview, now: interview.resume(now=now, actor=actor,
                                                    command_id=command_id))

    def complete_interview(self, interview_id: UUID, *, actor: str,
                           command_id: str | None = None) -> Recorded:
        """Complete the interview and move its case along, in one atomic save; what the index
        proposed through a link is confirmed or rejected first."""
        interview = self.get_interview(interview_id)
        if interview.already_done(command_id):
            return Recorded(interview_id, interview.version, None)
        case = self.get_case(interview.case_id)
        waiting = len(self.pending_proposals(case))
        if waiting:
            raise InvalidTransitionError(
                _t("The index proposed %(count)d contact(s) through the link that are not "
                   "confirmed or rejected yet; decide on them first."), count=waiting)
        now = self.clock()
        interview.complete(now=now, actor=actor, command_id=command_id)
        case.interview_completed(now=now, actor=actor)
        recorded = self._save(interview, case)
        return Recorded(interview_id, interview.version, recorded.position)

    def reopen_interview(self, interview_id: UUID, reason: str, *, actor: str,
                         command_id: str | None = None) -> Recorded:
        interview = self.get_interview(interview_id)
        if interview.already_done(command_id):
            return Recorded(interview_id, interview.version, None)
        case = self.get_case(interview.case_id)
        now = self.clock()
        interview.reopen(reason, now=now, actor=actor, command_id=command_id)
        case.interview_reopened(now=now, actor=actor)
        recorded = self._save(interview, case)
        return Recorded(interview_id, interview.version, recorded.position)

    # -- the self-report link -----------------------------------------------------------------

    def invite_index(self, case_id: UUID, *, actor: str) -> Issued:
        """Make a link for the index to prepare their contacts; earlier links of the case stop
        working, so only the newest one is out there."""
        token = secrets.token_urlsafe(32)
        hashed = invitation_hash(token)

        def attempt() -> Recorded:
            case = self.get_case(case_id)
            now = self.clock()
            invitation = Invitation.issue(
                hashed=hashed, case_id=case_id, expires_at=now + timedelta(
                    hours=self.settings.invite_hours),
                language=case.person.language, now=now, actor=actor)
            older = [i for i in self.case_invitations(case) if i.revoked_at is None]
            case.invite(invitation.id, invitation.expires_at, now=now, actor=actor)
            for earlier in older:
                earlier.revoke(REPLACED, now=now, actor=actor)
            recorded = self._save(case, invitation, *older)
            return Recorded(invitation.id, invitation.version, recorded.position, invitation)

        recorded = self._until_saved(attempt)
        issued = recorded.saved
        assert isinstance(issued, Invitation)
        return Issued(token, f"{self.settings.link_base}/r/{token}", issued.expires_at, recorded)

    def revoke_invitations(self, case_id: UUID, *, reason: str, actor: str) -> Recorded:
        """Stop every link of the case at once; what was entered stays for the tracer."""
        if not reason.strip():
            raise InvalidValueError(_t("Say why the link is withdrawn."), field="reason")

        def attempt() -> Recorded:
            now = self.clock()
            live = [i for i in self.case_invitations(self.get_case(case_id))
                    if i.revoked_at is None]
            if not live:
                raise InvalidTransitionError(_t("This case has no link that still works."))
            for invitation in live:
                invitation.revoke(reason, now=now, actor=actor)
            return self._save(*live)

        return self._until_saved(attempt)

    def open_link(self, token: str) -> SelfReportLink | None:
        """What a token opens, or None for a token that opens nothing. The invitation is
        found by the token's hash (its id) and the hash compared in constant time."""
        if not 20 <= len(token) <= 100:
            return None
        hashed = invitation_hash(token)
        invitation = self._find(invitation_id(hashed), Invitation)
        if invitation is None or not invitation.opens_with(hashed):
            return None
        case = self.get_case(invitation.case_id)
        now = self.clock()
        if invitation.revoked_at is not None:
            state = "revoked"
        elif case.closed_reason is not None or case.interviewed or self._finished_since(
                case, invitation):
            state = "finished"
        elif now >= invitation.expires_at:
            state = "expired"
        else:
            state = "open"
        guide = self._case_guide(case)
        days: tuple[date, ...] = ()
        if case.onset is not None or case.test_date is not None:
            today = now.astimezone(self.settings.zone).date()
            window = exposure_windows(guide, case.onset, case.test_date).infectious
            days = tuple(d for d in window.days() if d <= today)
            if guide.probing.days is not None and guide.probing.days.order == "newest_first":
                days = tuple(reversed(days))
        order = [i.invitation_id for i in case.invitations]  # in the order they were sent
        earlier = sum(len(other.entered) for other in self.case_invitations(case)
                      if order.index(other.id) < order.index(invitation.id))
        return SelfReportLink(state, invitation, case, guide, days, earlier)

    def _finished_since(self, case: Case, invitation: Invitation) -> bool:
        """The interview was completed after the link was sent, even if it was reopened since:
        a link is used up once, and a reopened interview gets a new one if it needs one."""
        if case.interview_id is None:
            return False
        completed = self.get_interview(case.interview_id).last_completed_at
        return completed is not None and completed >= invitation.issued_at

    def _case_guide(self, case: Case) -> Guide:
        """The guide the interview runs (or will run) on: its own version once started."""
        if case.interview_id is not None:
            return self.guide_for_interview(self.get_interview(case.interview_id))
        return self.catalog.chosen(case.disease, None)

    def _usable_link(self, token: str) -> SelfReportLink:
        link = self.open_link(token)
        if link is None:
            raise NotFoundError(_t("This link is not known."))
        if not link.usable:
            raise InvalidTransitionError(_t("This link no longer works: it expired, was "
                                            "withdrawn, or the interview is complete."))
        return link

    def propose_contact(self, token: str, details: dict[str, Any]) -> Recorded:
        """Keep a contact the index entered through their link, checked against the guide."""
        contact_id = uuid4()

        def attempt() -> Recorded:
            link = self._usable_link(token)
            _check_against_guide(link, details)
            invitation, now = link.invitation, self.clock()
            invitation.propose_contact(
                contact_id, details, region=self.settings.phone_region,
                today=now.astimezone(self.settings.zone).date(), now=now)
            recorded = self._save(invitation)
            return Recorded(contact_id, recorded.version, recorded.position, invitation)

        return self._until_saved(attempt)

    def withdraw_proposal(self, token: str, contact_id: UUID) -> Recorded:
        def attempt() -> Recorded:
            link = self._usable_link(token)
            link.invitation.withdraw(contact_id, now=self.clock())
            return self._save(link.invitation)

        return self._until_saved(attempt)

    def walk_day(self, token: str, day: date) -> Recorded:
        """The index says they went through this day of the window."""
        def attempt() -> Recorded:
            link = self._usable_link(token)
            if day not in link.days:
                raise InvalidValueError(_t("That day is not one we ask about."), field="day")
            invitation = link.invitation
            before = invitation.version
            invitation.walk_day(day, now=self.clock())
            if invitation.version == before:
                return Recorded(invitation.id, invitation.version, None, invitation)
            return self._save(invitation)

        return self._until_saved(attempt)

    def confirm_proposal(self, interview_id: UUID, invitation_id_: UUID, contact_id: UUID,
                         changes: dict[str, Any] | None = None, *, actor: str) -> Recorded:
        """Take a proposal into the interview, with the tracer's corrections, keeping its
        provenance; the interview and the link are saved together."""
        def attempt() -> Recorded:
            interview = self.get_interview(interview_id)
            invitation = self._invitation_of(interview, invitation_id_)
            now = self.clock()
            proposal = invitation.confirm(contact_id, interview_id, now=now, actor=actor)
            contact, guide = proposal.contact, self.guide_for_interview(interview)
            # The link offered the case's guide; an interview started under another one
            # keeps only the facts and setting that guide knows.
            details: dict[str, Any] = {
                "name": contact.name, "phone": contact.phone, "relation": contact.relation,
                "day": contact.day,
                "setting": contact.setting if contact.setting in guide.setting_ids else None,
                "household": contact.household,
                "facts": {k: v for k, v in contact.facts.items() if k in guide.fact_types},
                "informs": contact.informs}
            details.update(changes or {})
            interview.report_contact(
                contact_id, details, region=self.settings.phone_region, now=now, actor=actor,
                today=now.astimezone(self.settings.zone).date(), provenance=SELF_REPORTED,
                proposed_at=proposal.proposed_at)
            recorded = self._save(interview, invitation)
            return Recorded(contact_id, interview.version, recorded.position, interview)

        return self._until_saved(attempt)

    def reject_proposal(self, interview_id: UUID, invitation_id_: UUID, contact_id: UUID,
                        reason: str, *, actor: str) -> Recorded:
        """Leave a proposal out of the interview, with the reason on record."""
        def attempt() -> Recorded:
            interview = self.get_interview(interview_id)
            invitation = self._invitation_of(interview, invitation_id_)
            if interview.status != InterviewStatus.IN_PROGRESS:
                raise InvalidTransitionError(
                    _t("The interview is not in progress; resume or reopen it first."))
            invitation.reject(contact_id, reason, now=self.clock(), actor=actor)
            return self._save(invitation)

        return self._until_saved(attempt)

    def _invitation_of(self, interview: Interview, wanted: UUID) -> Invitation:
        case = self.get_case(interview.case_id)
        if wanted not in {i.invitation_id for i in case.invitations}:
            raise NotFoundError(_t("No link with id %(id)s."), id=str(wanted))
        return self._get(wanted, Invitation)
    def review_interview(self, interview_id: UUID, scores: Mapping[str, object], feedback: str,
                         *, rubric_id: str, rubric_version: int,
                         allowed: Mapping[str, tuple[int, ...]], actor: str,
                         command_id: str | None = None) -> Recorded:
        """A lead's rubric scores of a completed interview and the feedback its tracer reads,
        saved together; another lead's review at the same moment is simply added too."""
        def attempt() -> Recorded:
            interview = self.get_interview(interview_id)
            if interview.status != "completed":
                raise InvalidTransitionError(_t("Only a completed interview can be reviewed."))
            now = self.clock()
            review = self._find(Review.id_for(interview_id), Review) or Review.open(
                interview_id=interview_id, case_id=interview.case_id, tracer=interview.tracer,
                now=now, actor=actor)
            if review.already_done(command_id):
                return Recorded(review.id, review.version, None)
            review.score(rubric_id=rubric_id, rubric_version=rubric_version, allowed=allowed,
                         scores=scores, feedback=feedback, now=now, actor=actor,
                         command_id=command_id)
            to_save: list[StampedAggregate] = [review]
            if review.reviews[-1]["feedback"] and interview.tracer:
                inbox = self.feedback_inbox(interview.tracer) or FeedbackInbox.open(
                    interview.tracer, now=now, actor=actor)
                inbox.give(review, now=now, actor=actor)
                to_save.append(inbox)
            return self._save(*to_save)
        return self._until_saved(attempt)

    def review_of(self, interview_id: UUID) -> Review | None:
        return self._find(Review.id_for(interview_id), Review)

    def feedback_inbox(self, tracer: str) -> FeedbackInbox | None:
        return self._find(FeedbackInbox.id_for(tracer), FeedbackInbox)
    # -- retention --------------------------------------------------------------------------

    def retention_due(self, case_id: UUID, *, as_of: datetime, case_days: int,
                      contact_days: int) -> Erasure | None:
        """What of a case is past retention at `as_of` and not erased yet, or None.

        The case's data: `case_days` after it was (last) closed. The contacts' details:
        `contact_days` after the interview was (last) completed, or after the case was closed
        when the interview never was; never later than the case's own data.
        """
        case = self.get_case(case_id)
        closed_at = self._closed_at(case)
        whole = closed_at is not None and closed_at <= as_of - timedelta(days=case_days)
        interview = None if case.interview_id is None else self.get_interview(case.interview_id)
        contacts_since = closed_at if interview is None else interview.completed_at or closed_at
        contacts = interview is not None and (whole or (
            contacts_since is not None
            and contacts_since <= as_of - timedelta(days=contact_days)))
        case_parts = (INDEX,) if whole and INDEX not in getattr(case, "erased", []) else ()
        done = [] if interview is None else getattr(interview, "erased", [])
        interview_parts = tuple(part for part, due in ((INDEX, whole), (CONTACTS, contacts))
                                if due and part not in done)
        if not case_parts and not interview_parts:
            return None
        count = 0 if interview is None else len(interview.contacts)
        return Erasure(case_id, case.interview_id, case_parts, interview_parts, count)

    def keys_due(self, due: Erasure) -> int:
        """How many keys `erase(due)` would destroy now (for a dry run's report)."""
        return sum(self.case_keys.live(owner, parts) for owner, parts in self._keys_of(due))

    def _keys_of(self, due: Erasure) -> list[tuple[UUID, tuple[str, ...]]]:
        """Whose keys, of which parts, the erasure destroys: the case's, its interview's, and
        its self-report links' (what the index entered through a link goes with the
        interview's contacts, and with the whole case)."""
        keys = [(due.case_id, due.case_parts)]
        if due.interview_id is not None:
            keys.append((due.interview_id, due.interview_parts))
        link_parts = tuple(sorted({*due.interview_parts,
                                   *((INDEX, CONTACTS) if due.case_parts else ())}))
        keys += [(invite.invitation_id, link_parts)
                 for invite in self.get_case(due.case_id).invitations]
        return keys

    def _closed_at(self, case: Case) -> datetime | None:
        """When the case was last closed, or None while it is open."""
        if case.closed_reason is None:
            return None
        closings = [e.timestamp for e in self._events_of(case.id) if isinstance(e, Case.Closed)]
        return max(closings, default=None)

    def erase(self, due: Erasure, *, actor: str) -> Erasure:
        """Destroy the keys of what is due, then record the erasure on the case and its
        interview in one save, so every process and read model lets go of it too.

        Keys first: a process that sees the event then finds no key to fetch again. Run
        again after a crash in between, the keys are gone and the events are recorded."""
        now = self.clock()
        keys = self._keys_of(due)  # read while the keys still open the case's links
        unkeyed = tuple(sorted(
            {part for owner, parts in ((due.case_id, due.case_parts),
                                       (due.interview_id, due.interview_parts))
             if owner is not None for part in parts
             if not self.case_keys.has_keys(owner, part)}))
        destroyed = sum(self.case_keys.destroy(owner, parts, now=now) for owner, parts in keys)

        def attempt() -> Recorded:
            case = self.get_case(due.case_id)
            case.erase_personal_data(list(due.case_parts), now=now, actor=actor)
            changed: list[StampedAggregate] = [case]
            if due.interview_id is not None:
                interview = self.get_interview(due.interview_id)
                questions = self.guide_for_interview(interview).questions
                interview.erase_personal_data(
                    list(due.interview_parts), now=now, actor=actor,
                    identifying=[q for q, question in questions.items()
                                 if question.type in IDENTIFYING_TYPES])
                changed.append(interview)
            return self._save(*changed)

        self._until_saved(attempt)
        return replace(due, keys_destroyed=destroyed, unkeyed=unkeyed)

    # -- accounts ---------------------------------------------------------------------------

    def add_user(self, name: str, *, role: Role | str, team: str | None = None,
                 language: str = "nl", password_hash: str, actor: str) -> Recorded:
        """Create an account; a name that exists already is refused."""
        if self._find(Account.id_for(name), Account) is not None:
            raise InvalidValueError(_t("An account named '%(name)s' exists already."),
                                    field="name", name=name.strip())
        account = Account.register(name=name, role=role, team=team, language=language,
                                   password_hash=password_hash, now=self.clock(), actor=actor)
        return self._save(account)

    def find_account(self, name: str) -> Account | None:
        return self._find(Account.id_for(name), Account)

    def get_account(self, name: str) -> Account:
        return self._get(Account.id_for(name), Account)

    def disable_user(self, name: str, *, actor: str) -> Recorded:
        return self._change(Account.id_for(name), Account, None, None, None,
                            lambda account, now: account.disable(now=now, actor=actor))

    def end_sessions(self, name: str, *, actor: str) -> Recorded:
        """Sign out everywhere: kept in the event store, which every process and node reads."""
        return self._change(Account.id_for(name), Account, None, None, None,
                            lambda account, now: account.end_sessions(now=now, actor=actor))

    def change_language(self, name: str, language: str, *, actor: str) -> Recorded:
        """Keep the interface language on the account, for every session and device."""
        return self._change(Account.id_for(name), Account, None, None, None,
                            lambda account, now: account.change_language(
                                language, now=now, actor=actor))

    def change_password(self, name: str, password_hash: str, *, actor: str) -> Recorded:
        return self._change(Account.id_for(name), Account, None, None, None,
                            lambda account, now: account.change_password(
                                password_hash, now=now, actor=actor))

    # -- the unit of work ---------------------------------------------------------------

    def _change(
        self, aggregate_id: UUID, kind: type[A], command_id: str | None,
        expected_version: int | None, touches: set[str] | None,
        change: Callable[[A, datetime], None],
    ) -> Recorded:
        """Load, refuse stale edits of the same thing, apply, save; retries record nothing.

        A save that loses a race with another writer is worked out again on what is stored
        now (a few times at most), so only an edit of the same thing is ever a conflict.
        """
        def attempt_on(aggregate: A) -> Recorded:
            if aggregate.already_done(command_id):
                return Recorded(aggregate_id, aggregate.version, None, aggregate)
            if expected_version is not None and aggregate.version > expected_version:
                self._refuse_stale(aggregate, expected_version, touches)
            version_before = aggregate.version
            change(aggregate, self.clock())
            if aggregate.version == version_before:
                return Recorded(aggregate_id, aggregate.version, None, aggregate)
            return self._save(aggregate)

        written = self._written_on_cached(aggregate_id, kind, attempt_on)
        if written is not None:
            return written
        return self._until_saved(lambda: attempt_on(self._get(aggregate_id, kind)))

    def _until_saved(self, attempt: Callable[[], Recorded]) -> Recorded:
        """Run `attempt` (load, decide, save) again on the newer state while its save loses a
        race to another writer, a few times at most, with a short random wait in between."""
        for number in range(SAVE_ATTEMPTS):
            try:
                return attempt()
            except SaveRaced:
                if number == SAVE_ATTEMPTS - 1:
                    raise
                _back_off(number)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _written_on_cached(self, aggregate_id: UUID, kind: type[A],
                           command: Callable[[A], Recorded]) -> Recorded | None:
        """Run `command` on this process's cached copy without reading the store first; its
        result counts only when it wrote, else None and the caller works it out on what is
        stored.

        Why this is safe: events are inserted at the cached version + 1 under the store's
        unique (aggregate, version) key, so a write succeeds only if nobody stored anything
        after the cached copy, and the decision was taken on the current state. A copy that
        was behind makes the insert fail; a refusal or "nothing to record" may come from an
        old copy, so both are decided again on the stored state. A command thus costs one
        transaction, not a read and then a write.
        """
        cache = self.repository.cache
        if cache is None:
            return None
        try:
            cached = cache.get(aggregate_id)
        except KeyError:
            return None
        if not isinstance(cached, kind):
            return None
        try:
            recorded = command(copy.deepcopy(cached))
        except DomainError:
            return None
        return recorded if recorded.position is not None else None

    def _refuse_stale(self, aggregate: StampedAggregate, expected_version: int,
                      touches: set[str] | None) -> None:
        """Someone saved after the editor loaded: a conflict only if it touched the same thing."""
        newer: list[Any] = list(self.events.get(aggregate.id, gt=expected_version))
        for event in newer:
            if touches is None or touches & event.targets():
                raise ConflictError(
                    _t("%(actor)s changed this at %(time)s while you were editing. Their "
                       "change is shown; yours is kept below so you can re-apply it."),
                    current=aggregate, other_change=event_as_dict(event),
                    actor=event.actor, time=event.timestamp)

    def _save(self, *aggregates: StampedAggregate) -> Recorded:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            first = aggregates[0]
            current = self._find(first.id, type(first))
            raise SaveRaced(
                _t("Someone else saved a change to this at the same moment. Nothing of yours "
                   "was saved; look at the current state and try again."),
                current=current) from None
        self._cache_saved(aggregates)
        position = max((r.notification.id for r in recordings), default=None)
        return Recorded(aggregates[0].id, aggregates[0].version, position, aggregates[0])

    def _cache_saved(self, aggregates: Sequence[StampedAggregate]) -> None:
        """Keep what was just stored in the aggregate cache, so the next command on it need
        not decode its own event again. Fast-forwarding still brings in other writers' events.

        A copy goes in: fast-forwarding changes the cached object in place, while the caller
        may still be rendering the one it was handed."""
        cache = self.repository.cache
        if cache is not None:
            for aggregate in aggregates:
                cache.put(aggregate.id, copy.deepcopy(aggregate))

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Store the aggregates' pending events, as the library's `save` does, without its
        runtime Protocol checks on each object: on Python 3.11 those cost about a tenth of a
        recorded answer, and BCO only saves its own aggregates."""
        if not all(isinstance(obj, StampedAggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def _get(self, aggregate_id: UUID, kind: type[A]) -> A:
        found = self._find(aggregate_id, kind)
        if found is None:
            raise NotFoundError(NOT_FOUND[kind], id=str(aggregate_id))
        return found

    def _find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        try:
            aggregate: object = self.repository.get(aggregate_id, projector_func=replay)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None


    # -- API tokens -------------------------------------------------------------------------

    def issue_api_token(self, name: str, *, role: Role | str, expires_days: int | None = None,
                        actor: str) -> tuple[str, Recorded]:
        """Make a token and keep only its hash; the text is returned once, to be handed over.

        A name whose token was revoked or has expired gets a new secret under the same name.
        """
        now = self.clock()
        token = token_text(name, secrets.token_urlsafe(32))
        expires_at = None if expires_days is None else now + timedelta(days=expires_days)
        existing = self._find(ApiToken.id_for(name), ApiToken)
        if existing is None:
            issued = ApiToken.create(name=name, role=role, hashed=token_hash(token),
                                     expires_at=expires_at, now=now, actor=actor)
        else:
            existing.reissue(role=role, hashed=token_hash(token), expires_at=expires_at,
                             now=now, actor=actor)
            issued = existing
        return token, self._save(issued)

    def revoke_api_token(self, name: str, *, actor: str) -> Recorded:
        if self._find(ApiToken.id_for(name), ApiToken) is None:
            raise NotFoundError(_t("No API token named '%(name)s'; 'bco token list' shows "
                                   "them."), name=name)
        return self._change(ApiToken.id_for(name), ApiToken, None, None, None,
                            lambda token, now: token.revoke(now=now, actor=actor))

    def api_token_for(self, token: str) -> ApiToken | None:
        """The usable token this bearer text opens, or None (unknown, wrong, revoked, expired)."""
        name = name_in(token)
        found = None if name is None else self._find(ApiToken.id_for(name), ApiToken)
        if found is None or not found.opens_with(token, self.clock()):
            return None
        return found


def _check_against_guide(link: SelfReportLink, details: dict[str, Any]) -> None:
    """A proposal's day lies in the window asked about, its setting and facts are the guide's."""
    day = details.get("day")
    if day is not None and day not in link.days:
        raise InvalidValueError(_t("Choose one of the days on this page."), field="day")
    setting = details.get("setting")
    if setting and setting not in link.guide.setting_ids:
        raise InvalidValueError(_t("Choose one of the places offered."), field="setting")
    facts = details.get("facts") or {}
    try:
        check_facts(link.guide, facts)
    except FactError as exc:
        raise InvalidValueError(_t("This value does not fit; check it."),
                                field=f"fact_{exc.fact}") from None


_UNUSED_KEY = "AAAAAAAAAAAAAAAAAAAAAA=="  # only to open an empty store before refusing to start
