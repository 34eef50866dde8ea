"""Every form of the web app, fuzzed with hypothesis: never a 5xx, and a refusal writes nothing.

Each POST route in the app's URL map has an entry in FORMS (a test checks that none is
missing). An entry builds one request from hypothesis data against a small world of real
cases and interviews: mostly plausible values (so the handlers get past the first check and
save), sometimes nasty text, a file where text belongs, a repeated field, an unknown field,
a missing one, and the headers of a plain form post, htmx, or a JSON client.

For every request:
- the status is below 500 (with TESTING on, an exception propagates and fails the test);
- a refusal writes no event: the event store's notification position is the same after a 4xx,
  and after a 3xx that flashes an error (the handlers that refuse by redirecting back);
- a form that only reads (sign-in, search) writes no event whatever it is sent;
- an HTML answer never holds the script that was sent, unescaped;
- a success may write.

Marked `fuzz` (slower); scripts/test and .ci/run select no markers, so CI runs it. The number
of examples per form is BCO_FUZZ_EXAMPLES (default 30); the figures are printed at the end.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interview_support import HX, JSON
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.domain.case import IndexPerson
from bco.web import auth
from bco.web.sandbox import training_app

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("BCO_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

SCRIPT = "<script>alert(1)</script>"
UPLOAD = "\x00<upload>"  # stands for a file sent where the form expects text
NASTY = st.sampled_from([
    "", " ", "\x00", "\x1b[2J", "\u202e", "\r\n", SCRIPT, "' OR 1=1 --",
    "-1", "1e309", "NaN", "99999999999999999999", "9" * 40, "a" * 5000, "%(name)s", "{0}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "2026-02-30", "0001-01-01", "9999-12-31T23:59", "../../etc/passwd", UPLOAD])
JUNK = st.one_of(NASTY, st.text(max_size=60))
TODAY = date(2026, 11, 25)  # the fake clock's day (tests/integration/conftest.py)
DAYS = [str(TODAY - timedelta(days=n)) for n in (0, 1, 2, 5)]
TRACERS = ["tracer", "tracer2", "tracer3", "lead", "authority", "admin", "nobody"]


# How one example is made, drawn first: "page" sends what the page itself would (the first
# value of each field), "plausible" mostly values the page could send, "wild" anything.
MODE = {"now": "wild"}
MODES = st.sampled_from(["wild", "page", "plausible", "plausible"])


@st.composite
def plausible(draw: st.DrawFn, *values: Any) -> str:
    """The first of `values` (strategies or strings) when the page sends it; otherwise mostly
    one of them, sometimes (in wild examples, one in three) junk."""
    choices = [v if isinstance(v, st.SearchStrategy) else st.just(str(v)) for v in values]
    if MODE["now"] == "page":
        return str(draw(choices[0]))
    if MODE["now"] == "wild" and draw(st.integers(0, 2)) == 2:
        return draw(JUNK)
    return str(draw(st.one_of(*choices)))


def command_ids() -> st.SearchStrategy[str]:
    return plausible(st.uuids().map(lambda u: u.hex), st.uuids().map(str), "c-1")


@dataclass
class Request:
    path: str
    role: str | None  # None: not signed in
    fields: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """Real cases and interviews, made through the application as the screens would leave
    them; forms that use up what they act on (take, start, remove, complete) get fresh ones."""

    app: BCOApplication
    web: Flask
    clock: Any
    cases: Cases
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    cached: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str | None) -> FlaskClient:
        if name is None:
            return self.web.test_client()
        if name not in self.clients:
            self.clients[name] = sign_in(self.web, name)
        return self.clients[name]

    def case(self, tracer: str | None = "tracer", team: str = "north") -> UUID:
        case_id = self.app.register_case(
            person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                               birth_date=date(1980, 3, 4)),
            disease="covid-19", onset=TODAY - timedelta(days=2),
            received_at=self.clock.now - timedelta(hours=2), actor="intake").aggregate_id
        if tracer is not None:
            self.app.assign_case(case_id, tracer, team,
                                 actor="lead" if team == "north" else tracer)
        return case_id

    def interview(self, tracer: str = "tracer", team: str = "north") -> UUID:
        case_id = self.case(tracer, team)
        return self.app.start_interview(case_id, actor=tracer, reached=True).aggregate_id

    def shared_interview(self) -> UUID:
        """One interview reused across examples, put back in progress when a form paused it."""
        found: UUID | None = self.cached.get("interview")
        if (found is None or self.app.get_interview(found).status not in ("in_progress",
                                                                           "paused")
                or self.app.get_case(self.app.get_interview(found).case_id).tracer != "tracer"):
            found = self.cached["interview"] = self.interview()
        if self.app.get_interview(found).status == "paused":
            self.app.resume_interview(found, actor="tracer")
        return found

    def contact(self, interview_id: UUID) -> UUID:
        return self.app.report_contact(interview_id, {"name": "Ayla Demir"},
                                       actor="tracer").aggregate_id

    def to_inform(self) -> tuple[UUID, UUID]:
        """A completed interview with a contact the health service informs."""
        if "inform" not in self.cached:
            interview_id = self.interview()
            contact_id = self.app.report_contact(interview_id, {
                "name": "Fuzz Contact", "informs": "authority", "day": TODAY - timedelta(days=2),
                "phone": "06 87654321"}, actor="tracer").aggregate_id
            self.app.complete_interview(interview_id, actor="tracer")
            self.cases.project()
            self.cached["inform"] = (interview_id, contact_id)
        found: tuple[UUID, UUID] = self.cached["inform"]
        return found

    def version(self, case_id: UUID) -> int:
        return self.app.get_case(case_id).version

    @property
    def practice(self) -> World:
        """The same world on the practice sandbox, for the interview screen under /practice."""
        if "practice" not in self.cached:
            with self.web.app_context():
                sandbox = training_app()
            self.cached["practice"] = World(sandbox, self.web, self.clock, self.cases,
                                            clients=self.clients)
        found: World = self.cached["practice"]
        return found

    def position(self) -> int:
        """Events in the real store and the sandbox: a refusal may write to neither."""
        return self.app.store_position() + self.practice.app.store_position()

    def practice_session(self, fresh: bool = False) -> UUID:
        """A practice of the tracer's (the same one unless `fresh`, or once it is finished)."""
        found: UUID | None = self.cached.get("practice_id")
        sandbox = self.practice.app
        if fresh or found is None or sandbox.get_practice(found).finished:  # type: ignore[attr-defined]
            found = sandbox.start_practice(  # type: ignore[attr-defined]
                "covid-19-birthday-en", trainee="tracer", team="north").aggregate_id
            self.cached["practice_id"] = found
        assert found is not None
        return found


# -- one builder per form ------------------------------------------------------------------

Build = Callable[[st.DataObject, World], Request]


def case_target(data: st.DataObject, world: World, fresh: Callable[[], UUID]) -> UUID:
    """Mostly a case the form can act on; sometimes someone else's, or none at all."""
    pick = data.draw(st.sampled_from(["fresh", "fresh", "fresh", "other team", "unknown"]))
    if MODE["now"] == "page":
        pick = "fresh"
    if pick == "other team":
        return world.case("tracer3", "south")
    if pick == "unknown":
        return uuid4()
    return fresh()


def interview_target(data: st.DataObject, world: World) -> UUID:
    pick = data.draw(st.sampled_from(["shared", "shared", "shared", "other team", "unknown"]))
    if MODE["now"] == "page":
        pick = "shared"
    if pick == "other team":
        return world.interview("tracer3", "south")
    if pick == "unknown":
        return uuid4()
    return world.shared_interview()


def signin(data: st.DataObject, world: World) -> Request:
    world.clock.advance(minutes=6)  # past the growing wait after failures, so names get tried
    name, password = data.draw(st.sampled_from([
        ("tracer", "demo-tracer-pass"), ("LEAD ", "demo-lead-pass"),
        ("admin", "demo-admin-pass"), ("tracer", "demo-lead-pass"), ("nobody", "x")]))
    name, password = data.draw(plausible(name)), data.draw(plausible(password))
    nxt = data.draw(plausible("/worklist", "//evil.example", "https://evil.example", ""))
    return Request("/signin", None, {"name": name, "password": password}, {"next": nxt})


def signout(data: st.DataObject, world: World) -> Request:
    world.clients.pop("tracer", None)  # signing out ends the session: sign in again next time
    return Request("/signout", "tracer", {})


def switch_language(data: st.DataObject, world: World) -> Request:
    return Request("/language", data.draw(st.sampled_from(["tracer", "lead", "authority"])), {
        "language": data.draw(plausible("en", "nl", "de", "")),
        "next": data.draw(plausible("/worklist", "//evil.example", ""))})


def next_case(data: st.DataObject, world: World) -> Request:
    if data.draw(st.booleans()):
        world.case(None)
        world.cases.project()
    return Request("/next-case", data.draw(st.sampled_from(["tracer", "lead", "authority"])),
                   {"command_id": data.draw(command_ids())})


def calls(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, world.case)
    later = world.clock.now + timedelta(hours=data.draw(st.integers(-48, 24 * 40)))
    return Request(f"/cases/{case_id}/calls", "tracer", {
        "outcome": data.draw(plausible("reached", "no_answer", "voicemail", "wrong_number",
                                       "refused", "callback_requested")),
        "callback_at": data.draw(plausible(f"{later:%Y-%m-%dT%H:%M}", "")),
        "note": data.draw(plausible("", "rang twice", st.text(max_size=2100))),
        "command_id": data.draw(command_ids())})


def unreachable(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, world.case)
    return Request(f"/cases/{case_id}/unreachable", "tracer", {
        "reason": data.draw(plausible("no answer after five calls", "")),
        "command_id": data.draw(command_ids())})


def take(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, lambda: world.case(None))
    world.cases.project()
    version = world.version(case_id) if case_id in world.app.repository else 1
    return Request(f"/cases/{case_id}/take", "tracer", {
        "expected_version": data.draw(plausible(version, version - 1, version + 1))})


def start(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, world.case)
    return Request(f"/cases/{case_id}/interview", "tracer", {
        "command_id": data.draw(command_ids()),
        "guide_id": data.draw(plausible("covid-19", "covid-19-vl", "measles", "", "nope"))})


def inform(data: st.DataObject, world: World) -> Request:
    interview_id, contact_id = world.to_inform()
    if data.draw(st.integers(0, 4)) == 4 and MODE["now"] != "page":
        contact_id = uuid4()
    return Request(f"/inform/{interview_id}/{contact_id}",
                   data.draw(st.sampled_from(["authority", "authority", "tracer", "admin"])), {
        "outcome": data.draw(plausible("informed", "unreachable", "refused", "no_answer")),
        "note": data.draw(plausible("", "left a message", st.text(max_size=2100))),
        "command_id": data.draw(command_ids())})


def match_decision(data: st.DataObject, world: World) -> Request:
    """Link a case to an earlier one (its index, or a contact named there), or not."""
    other = world.cached.setdefault("matched", world.case())
    interview_id, contact_id = world.cached.setdefault("named", world.to_inform())
    target = data.draw(st.sampled_from(["index", "contact"]))
    other_case = world.app.get_interview(interview_id).case_id if target == "contact" else other
    case_id = case_target(data, world, world.case)
    return Request(f"/cases/{case_id}/matches", "tracer", {
        "other_case_id": data.draw(plausible(other_case, uuid4(), case_id, "not-a-uuid")),
        "contact_id": data.draw(plausible(contact_id if target == "contact" else "", uuid4())),
        "decision": data.draw(plausible("same", "different")),
        "reason": data.draw(plausible("another person, other date of birth", "",
                                      st.text(max_size=600))),
        "command_id": data.draw(command_ids())})


def search(data: st.DataObject, world: World) -> Request:
    world.cached.setdefault("search", world.case())
    return Request("/search", data.draw(st.sampled_from(["tracer", "lead", "authority",
                                                         "admin"])), {
        "term": data.draw(plausible("C-", "Sanne", "06 12345678", "1980-03-04", "4-3-1980",
                                    "sanne@example.org", st.text(max_size=120)))})


def assignment(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, lambda: world.case(data.draw(
        st.sampled_from([None, "tracer", "tracer2"]))))
    version = world.version(case_id) if case_id in world.app.repository else 1
    return Request(f"/cases/{case_id}/assignment", "lead", {
        "expected_version": data.draw(plausible(version, version, version - 1)),
        "action": data.draw(plausible("assign", "pool")),
        "tracer": data.draw(plausible(*TRACERS)),
        "command_id": data.draw(command_ids()),
        "back": data.draw(plausible("case", "team", "")),
        "back_tracer": data.draw(plausible("tracer", ""))})


QUESTIONS = {"identity_confirmed": "yes", "has_symptoms": "yes", "onset_date": DAYS[2],
             "symptoms": "fever", "household_size": "2", "who_informs": "index",
             "known_case_details": "a colleague at work", "travel_details": "Spain",
             "household_members": "Noor", "went_to_work": "yes", "nope": "yes"}


def answers(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    version = world.app.get_interview(interview_id).version if interview_id in \
        world.app.repository else 1
    question = data.draw(st.sampled_from(sorted(QUESTIONS)))
    return Request(f"/interviews/{interview_id}/answers/{question}", "tracer", {
        "value": data.draw(plausible(QUESTIONS[question], "yes", "no", "2", "-3", *DAYS,
                                     "fever", "index", "authority", "both")),
        "expected_version": data.draw(plausible(version, version - 1, ""))})


PROMPTS = [f"day:{d}" for d in DAYS] + ["setting:work", "setting:home", "work", "home",
                                        "greeting", "anyone_else", "household_members"]


def prompts(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    return Request(f"/interviews/{interview_id}/prompts", "tracer", {
        "prompt": data.draw(plausible(*PROMPTS)),
        "action": data.draw(plausible("nobody", "done", "said"))})


def contact_fields(data: st.DataObject, version: int | None) -> dict[str, Any]:
    fields = {
        "name": data.draw(plausible(st.sampled_from(["Noor", "Bram de Wit", "Ayla"]), "")),
        "phone": data.draw(plausible("06 12345678", "+31612345678", "")),
        "email": data.draw(plausible("noor@example.org", "a@b@c", "")),
        "relation": data.draw(plausible("colleague", "")),
        "day": data.draw(plausible(*DAYS, "")),
        "setting": data.draw(plausible("work", "home", "")),
        "household": data.draw(plausible("1", "")),
        "informs": data.draw(plausible("index", "authority", "")),
        "category_override": data.draw(plausible("", "1", "2", "3")),
        "override_reason": data.draw(plausible("", "met indoors for hours")),
        "fact_duration_min": data.draw(plausible("15", "", "-5")),
        "fact_distance_m": data.draw(plausible("1", "")),
        "unreachable_reason": data.draw(plausible("", "no phone")),
    }
    if version is not None:
        fields["expected_version"] = data.draw(plausible(version, version - 1, ""))
    return fields


def add_contact(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    fields = contact_fields(data, None)
    fields.update(prompt=data.draw(plausible("", *PROMPTS)), command_id=data.draw(command_ids()))
    return Request(f"/interviews/{interview_id}/contacts", "tracer", fields)


def update_contact(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    contact_id = uuid4()
    if interview_id in world.app.repository and (data.draw(st.integers(0, 4)) < 4
                                                 or MODE["now"] == "page"):
        contact_id = world.cached.setdefault(("contact", interview_id),
                                             world.contact(interview_id))
    version = world.app.get_interview(interview_id).version if interview_id in \
        world.app.repository else 1
    return Request(f"/interviews/{interview_id}/contacts/{contact_id}", "tracer",
                   contact_fields(data, version))


def remove_contact(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    contact_id = uuid4()
    if interview_id in world.app.repository and (data.draw(st.integers(0, 4)) < 4
                                                 or MODE["now"] == "page"):
        contact_id = world.contact(interview_id)
    version = world.app.get_interview(interview_id).version if interview_id in \
        world.app.repository else 1
    return Request(f"/interviews/{interview_id}/contacts/{contact_id}/remove", "tracer", {
        "reason": data.draw(plausible("typed twice", "")),
        "expected_version": data.draw(plausible(version, version - 1, ""))})


def pause(data: st.DataObject, world: World) -> Request:
    interview_id = interview_target(data, world)
    return Request(f"/interviews/{interview_id}/pause", "tracer", {
        "summary": data.draw(plausible("asked up to work", "", st.text(max_size=4100))),
        "handover": data.draw(plausible("", "1"))})


def resume(data: st.DataObject, world: World) -> Request:
    interview_id = world.interview()
    how = data.draw(st.sampled_from(["paused", "handed over", "in progress", "unknown"]))
    if MODE["now"] == "page" and how == "unknown":
        how = "paused"
    role = "tracer"
    if how in ("paused", "handed over"):
        world.app.pause_interview(interview_id, "asked up to work", actor="tracer",
                                  hand_over=how == "handed over")
        world.cases.project()
        role = data.draw(st.sampled_from(["tracer", "tracer2", "tracer3"]))
    elif how == "unknown":
        interview_id = uuid4()
    return Request(f"/interviews/{interview_id}/resume", role, {
        "command_id": data.draw(command_ids())})


def complete(data: st.DataObject, world: World) -> Request:
    make = data.draw(st.sampled_from([world.interview, uuid4]))
    interview_id = world.interview() if MODE["now"] == "page" else make()
    return Request(f"/interviews/{interview_id}/complete", "tracer", {
        "confirm": data.draw(plausible("1", ""))})


def dashboard(data: st.DataObject, world: World) -> Request:
    known = [world.case(tracer) for tracer in (None, "tracer", "tracer2")]
    # A priority set since the version the page showed: a conflict on that case.
    world.app.set_case_priority(data.draw(st.sampled_from(known)), 1, "vulnerable",
                                actor="lead")
    world.cases.project()
    # Usually some of the team's cases, in any order; sometimes another team's, or none.
    picked: list[Any] = data.draw(st.permutations(known))[:data.draw(st.integers(1, 3))]
    if MODE["now"] != "page":
        picked += data.draw(st.lists(st.sampled_from(["other", "unknown"]), max_size=1))
        if data.draw(st.integers(0, 9)) == 9:
            picked = []
    ticked = []
    for case in picked:
        if case == "other":
            ticked.append(f"{world.case('tracer3', 'south')}@1")
        elif case == "unknown":
            ticked.append(data.draw(plausible(f"{uuid4()}@1", "x@y", "")))
        else:
            version = world.version(case)
            ticked.append(data.draw(plausible(f"{case}@{version}", f"{case}@{version - 1}",
                                              f"{case}")))
    return Request("/dashboard/actions", "lead", {
        "case": ticked,
        "action": data.draw(plausible("priority", "priority", "hand_out")),
        "priority": data.draw(plausible("2", "2", "1", "0", "7")),
        "tracer": data.draw(plausible("tracer", "tracer2", "lead", "tracer3", "")),
        "reason": data.draw(plausible("tracer2 is off sick", "")),
        "command_id": data.draw(command_ids()),
        "from": data.draw(plausible(str(TODAY - timedelta(days=7)), "")),
        "to": data.draw(plausible(str(TODAY), "")),
        "team": data.draw(plausible("north", "")),
        "disease": data.draw(plausible("covid-19", ""))})


def linked_case(world: World) -> tuple[UUID, str]:
    """A case of the tracer's with a working self-report link (a new one once it is used up)."""
    found: tuple[UUID, str] | None = world.cached.get("link")
    if found is None or not world.app.open_link(found[1]).usable:  # type: ignore[union-attr]
        case_id = world.case()
        found = world.cached["link"] = (case_id,
                                        world.app.invite_index(case_id, actor="tracer").token)
    return found


def citizen(data: st.DataObject, world: World) -> Request:
    _case_id, token = linked_case(world)
    if MODE["now"] != "page" and data.draw(st.integers(0, 5)) == 5:
        token = data.draw(st.sampled_from(["A" * 43, "x", "../" + token]))
    entered = world.app.open_link(linked_case(world)[1]).invitation.entered  # type: ignore[union-attr]
    known = [str(p.contact.contact_id) for p in entered] or [str(uuid4())]
    return Request(f"/r/{token}", None, {
        "action": data.draw(plausible("add", "add", "remove", "day_done", "")),
        "step": data.draw(plausible("1", "0", "6", "99", "-1")),
        "name": data.draw(plausible(st.sampled_from(["Noor", "Bram de Wit"]), "")),
        "phone": data.draw(plausible("06 12345678", "", "12")),
        "relation": data.draw(plausible("colleague", "")),
        "day": data.draw(plausible(DAYS[0], DAYS[1], DAYS[2], "", DAYS[3])),
        "setting": data.draw(plausible("work", "", "moon")),
        "household": data.draw(plausible("", "1")),
        "fact_duration_min": data.draw(plausible("20", "", "-5", "1e309")),
        "fact_distance_m": data.draw(plausible("1,5", "")),
        "fact_high_risk_exposure": data.draw(plausible("", "1")),
        "informs_self": data.draw(plausible("", "1")),
        "contact_id": data.draw(plausible(
            st.integers(0, 9).map(lambda n: known[n % len(known)]), "nope"))})


def invite(data: st.DataObject, world: World) -> Request:
    case_id = case_target(data, world, world.case)
    return Request(f"/cases/{case_id}/invite", data.draw(st.sampled_from(
        ["tracer", "tracer", "lead", "authority"])), {})


def revoke_invite(data: st.DataObject, world: World) -> Request:
    def fresh() -> UUID:
        case_id = world.case()
        world.app.invite_index(case_id, actor="tracer")
        return case_id
    case_id = case_target(data, world, fresh)
    return Request(f"/cases/{case_id}/invite/revoke", "tracer", {
        "reason": data.draw(plausible("sent to the wrong number", "", st.text(max_size=300)))})


def proposal(data: st.DataObject, world: World) -> Request:
    case_id = world.case()
    token = world.app.invite_index(case_id, actor="tracer").token
    contact_id = world.app.propose_contact(token, {"name": "Noor"}).aggregate_id
    link_id = world.app.get_case(case_id).invitations[0].invitation_id
    interview_id = world.app.start_interview(case_id, actor="tracer").aggregate_id
    if MODE["now"] != "page" and data.draw(st.integers(0, 4)) == 4:
        contact_id, link_id = data.draw(st.sampled_from([(uuid4(), link_id),
                                                         (contact_id, uuid4())]))
    return Request(f"/interviews/{interview_id}/proposals/{link_id}/{contact_id}", "tracer", {
        "action": data.draw(plausible("confirm", "edit", "reject", "")),
        "name": data.draw(plausible("Noor Bakker", "")),
        "phone": data.draw(plausible("06 12345678", "", "12")),
        "relation": data.draw(plausible("friend", "")),
        "day": data.draw(plausible(*DAYS, "", "24-11-2026")),
        "setting": data.draw(plausible("work", "")),
        "household": data.draw(plausible("", "1")),
        "reason": data.draw(plausible("not in the window", ""))})


def practice_start(data: st.DataObject, world: World) -> Request:
    role = data.draw(st.sampled_from(["tracer", "lead", "authority"]))
    return Request("/practice/start", role, {"scenario": data.draw(plausible(
        "covid-19-birthday-en", "measles-grandparents-en", "nope", ""))})


def practice_target(data: st.DataObject, world: World, fresh: bool = False) -> UUID:
    pick = data.draw(st.sampled_from(["own", "own", "own", "unknown"]))
    return world.practice_session(fresh) if pick == "own" or MODE["now"] == "page" else uuid4()


def practice_ask(data: st.DataObject, world: World) -> Request:
    practice_id = practice_target(data, world)
    days = [f"day:{d}" for d in DAYS]
    return Request(f"/practice/{practice_id}/ask",
                   data.draw(st.sampled_from(["tracer", "tracer", "tracer3"])),
                   {"prompt": data.draw(plausible(st.sampled_from(
                       ["final", "setting:work", "setting:sport", "household", "has_symptoms",
                        *days]), "script:greeting", "setting:pub", ""))})


def practice_finish(data: st.DataObject, world: World) -> Request:
    practice_id = practice_target(data, world, fresh=True)
    return Request(f"/practice/{practice_id}/finish",
                   data.draw(st.sampled_from(["tracer", "tracer", "tracer3", "lead"])), {})


RUBRIC_ITEMS = ("identity_checked", "window_explained", "every_day_walked",
                "every_setting_asked", "bubble_probed", "who_informs_agreed",
                "next_steps_explained")


def coaching_score(data: st.DataObject, world: World) -> Request:
    """A lead's rubric scores of a completed interview of the team (sometimes one still going,
    another team's or none)."""
    pick = "done" if MODE["now"] == "page" else data.draw(
        st.sampled_from(["done", "done", "done", "open", "other team", "unknown"]))
    if pick == "unknown":
        interview_id = uuid4()
    else:
        interview_id = world.interview(*(("tracer3", "south") if pick == "other team" else ()))
        if pick != "open":
            world.app.complete_interview(interview_id, actor="tracer")
            world.cases.project()
    fields = {f"score_{item}": data.draw(plausible("2", "1", "0", "3", ""))
              for item in RUBRIC_ITEMS}
    fields.update(feedback=data.draw(plausible("Goed doorgevraagd.", "", st.text(max_size=4100))),
                  command_id=data.draw(command_ids()))
    return Request(f"/coaching/interviews/{interview_id}",
                   data.draw(st.sampled_from(["lead", "lead", "lead", "tracer"])), fields)


def practised(build: Build) -> Build:
    """An interview form, sent to the practice copy of the screen on the sandbox's cases."""
    def practice_form(data: st.DataObject, world: World) -> Request:
        request = build(data, world.practice)
        request.path = f"/practice{request.path}"
        return request
    return practice_form


INTERVIEW_FORMS: dict[str, Build] = {
    "answer": answers, "prompt": prompts, "report_contact": add_contact,
    "update_contact": update_contact, "remove_contact": remove_contact, "pause": pause,
    "resume": resume, "complete": complete, "decide_proposal": proposal}

FORMS: dict[str, Build] = {
    "auth.signin": signin, "auth.signout": signout, "auth.switch_language": switch_language,
    "tracer.next_case": next_case,
    "tracer.log_call": calls, "tracer.mark_unreachable": unreachable, "tracer.take_case": take,
    "tracer.start_interview": start, "tracer.log_inform": inform, "tracer.search": search,
    "tracer.decide_match": match_decision,
    "lead.assign": assignment, "interview.answer": answers, "interview.prompt": prompts,
    "interview.report_contact": add_contact, "interview.update_contact": update_contact,
    "interview.remove_contact": remove_contact, "interview.pause": pause,
    "interview.resume": resume, "interview.complete": complete, "dashboard.act": dashboard,
    "citizen.submit": citizen, "tracer.invite": invite, "tracer.revoke_invite": revoke_invite,
    "interview.decide_proposal": proposal,
    "training.start": practice_start, "training.ask": practice_ask,
    "training.finish": practice_finish, "coaching.score": coaching_score,
    **{f"practice_interview.{name}": practised(build) for name, build in INTERVIEW_FORMS.items()},
}


NEVER_WRITE = {"auth.signin", "tracer.search"}  # reads (and a session cookie) only
NEVER_REFUSED = {"auth.signout"}  # signing out always works; a refusal is a rare forgery


# -- running them ---------------------------------------------------------------------------

TALLY: dict[str, Counter[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def report_tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not TALLY:
        return
    total = sum((c for c in TALLY.values()), Counter[str]())
    lines = [f"form fuzz: {total['requests']} requests over {len(TALLY)} forms, "
             f"{total['5xx']} x 5xx, {total['half-writes']} half-writes, "
             f"{total['refused']} refused, {total['wrote']} successes that wrote"]
    lines += [f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
              for name, c in sorted(TALLY.items())]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


@pytest.fixture
def world(bco_app: BCOApplication, web: Flask, clock: Any, cases: Cases,
          monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(auth, "FAILURE_DELAY_SECONDS", 0)
    return World(bco_app, web, clock, cases)


def encode(fields: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The form body as a browser (or a forger) would send it: values may be files, repeated,
    missing, or joined by fields the form does not know."""
    if MODE["now"] == "page":
        return dict(fields)
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if data.draw(st.integers(0, 9)) == 9:
            continue  # left out
        if data.draw(st.integers(0, 14)) == 14:
            value = [value, data.draw(JUNK)] if not isinstance(value, list) else value * 2
        body[name] = value
    body.update(data.draw(st.dictionaries(st.text(min_size=1, max_size=12), JUNK, max_size=2)))
    return {name: upload(value) for name, value in body.items()}


def upload(value: Any) -> Any:
    if isinstance(value, list):
        return [upload(v) for v in value]
    if value == UPLOAD:
        return io.BytesIO(b"not a text field\n"), "a.txt"
    return value


def flashed_errors(client: FlaskClient) -> list[str]:
    with client.session_transaction() as session:
        return [message for category, message in session.pop("_flashes", [])
                if category == "error"]


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_no_form_answers_5xx_or_writes_on_a_refusal(endpoint: str, world: World) -> None:
    tally = TALLY.setdefault(endpoint, Counter())

    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        MODE["now"] = data.draw(MODES)
        request = FORMS[endpoint](data, world)
        headers = data.draw(st.sampled_from([{}, HX, JSON, {**HX, **JSON}]))
        body = encode(request.fields, data)
        client = world.client(request.role)
        if request.role is not None:
            flashed_errors(client)  # what earlier examples flashed is not this one's
        before = world.position()
        tally["requests"] += 1
        answer = client.post(request.path, data=body, headers=headers,
                             query_string=request.query)
        status = answer.status_code
        tally[f"{status // 100}xx"] += 1
        wrote = world.position() != before
        refused = status >= 400 or (300 <= status < 400 and request.role is not None
                                    and bool(flashed_errors(client)))
        tally["refused"] += refused
        tally["accepted"] += not refused
        tally["wrote"] += wrote and not refused
        tally["half-writes"] += refused and wrote
        assert status < 500, answer.get_data(as_text=True)[:500]
        if answer.mimetype == "text/html":  # what was typed is shown back escaped, never run
            assert SCRIPT not in answer.get_data(as_text=True), request.path
        assert not (endpoint in NEVER_WRITE and wrote), f"{request.path} wrote an event"
        assert not (refused and wrote), (
            f"{request.path} answered {status} (refused) but wrote "
            f"{world.position() - before} event(s); body {body!r}")

    fuzz()
    # The examples got past the first check (and saved) as well as being refused, so both
    # halves of the property were put to the test.
    assert tally["accepted"] > 0
    if endpoint not in NEVER_REFUSED:
        assert tally["refused"] > 0
    if endpoint not in NEVER_WRITE:
        assert tally["wrote"] > 0


def test_every_form_of_the_app_is_fuzzed(web: Flask) -> None:
    posted = {rule.endpoint for rule in web.url_map.iter_rules()
              if (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
              and not rule.rule.startswith("/api/")}
    assert posted == set(FORMS)
