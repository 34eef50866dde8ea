"""Demo data: realistic Dutch and Flemish cases in every status and interview stage."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import InvalidValueError
from bco.guides.engine import next_steps
from bco.passwords import hash_password

FIRST_NAMES_NL = ["Sanne", "Daan", "Emma", "Lucas", "Julia", "Sem", "Tess", "Milan", "Fleur",
                  "Bram", "Lotte", "Thijs", "Noor", "Jesse", "Eva", "Ruben", "Anouk", "Stijn"]
FIRST_NAMES_BE = ["Lien", "Arne", "Elise", "Wout", "Fien", "Jens", "Marie", "Pieter", "Lore",
                  "Seppe", "Hanne", "Lars"]
SURNAMES_NL = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
               "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks"]
SURNAMES_BE = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes",
               "Goossens", "Wouters", "De Smet"]
RELATIONS = ["partner", "child", "colleague", "friend", "sports mate", "neighbour", "parent",
             "classmate", "visitor"]
SOURCES = ["lab", "GP", "GGD test site", "hospital", "self-test portal"]
TRACERS = [("tracer", "north"), ("tracer2", "north"), ("tracer3", "south")]

# Demo sign-ins, printed by scripts/run; never use these outside a demo.
DEMO_ACCOUNTS: list[tuple[str, str, str | None, str, str]] = [
    ("tracer", "tracer", "north", "nl", "demo-tracer-pass"),
    ("tracer2", "tracer", "north", "en", "demo-tracer-pass"),
    ("tracer3", "tracer", "south", "nl", "demo-tracer-pass"),
    ("lead", "team_lead", "north", "nl", "demo-lead-pass"),
    ("authority", "authority", None, "nl", "demo-authority-pass"),
    ("admin", "admin", None, "en", "demo-admin-pass"),
]

# Share of demo cases left at each stage, so every screen has something to show.
STAGES: list[tuple[str, float]] = [
    ("new", 0.2), ("assigned", 0.15), ("callback", 0.1), ("unreachable", 0.05),
    ("in_progress", 0.2), ("paused", 0.05), ("interviewed", 0.15), ("closed", 0.1),
]


@dataclass
class DemoClock:
    """Lets demo events carry past timestamps, as if the cases had come in over days.

    It never reaches `latest`, the real moment the demo is loaded: a step that would go past
    it goes half of the way there instead, so a case's events stay in order and none is
    stamped later than what the people trying BCO then do to it.
    """

    now: datetime
    latest: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += min(timedelta(**delta), (self.latest - self.now) / 2)


def load_demo_accounts(app: BCOApplication) -> int:
    """Create the demo sign-ins that do not exist yet."""
    created = 0
    for name, role, team, language, password in DEMO_ACCOUNTS:
        if app.find_account(name) is None:
            app.add_user(name, role=role, team=team, language=language,
                         password_hash=hash_password(password), actor="demo")
            created += 1
    return created


def load_demo(app: BCOApplication, *, cases: int, now: datetime, seed: int = 7,
              progress: Callable[[int], None] | None = None) -> int:
    """Create `cases` demo cases; run again, it recognises them and adds nothing."""
    rng = random.Random(seed)
    real_clock = app.clock
    created = 0
    try:
        for number in range(cases):
            clock = DemoClock(now - timedelta(hours=rng.uniform(1, 96)), latest=now)
            app.clock = clock
            if _make_case(app, rng, clock, number, now):
                created += 1
            if progress:
                progress(1)
    finally:
        app.clock = real_clock
    return created


def _stage(rng: random.Random) -> str:
    roll = rng.random()
    for stage, share in STAGES:
        roll -= share
        if roll <= 0:
            return stage
    return STAGES[-1][0]


def _make_case(app: BCOApplication, rng: random.Random, clock: DemoClock, number: int,
               real_now: datetime) -> bool:
    flemish = rng.random() < 0.3
    first = rng.choice(FIRST_NAMES_BE if flemish else FIRST_NAMES_NL)
    last = rng.choice(SURNAMES_BE if flemish else SURNAMES_NL)
    phone = (f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
             f"{rng.randint(10, 99)}" if flemish else f"06 {rng.randint(10000000, 59999999)}")
    disease = _disease(app, rng, flemish)
    symptomatic = rng.random() < 0.8
    day = clock.now.date() - timedelta(days=rng.randint(1, 4))
    person = IndexPerson(
        name=f"{first} {last}", phone=phone,
        birth_date=date(rng.randint(1945, 2008), rng.randint(1, 12), rng.randint(1, 28)),
        email=f"{first.lower()}.{last.lower().replace(' ', '')}@example.org",
        postcode=(f"{rng.randint(1000, 3999)}" if flemish
                  else f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
                       f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"),
        language="nl" if rng.random() < 0.85 else "en",
    )
    command = f"demo:{number}"
    try:
        recorded = app.register_case(
            person=person, disease=disease, onset=day if symptomatic else None,
            test_date=None if symptomatic else day, source=rng.choice(SOURCES),
            received_at=clock.now, actor="demo", command_id=command)
    except InvalidValueError as refused:
        if refused.field != "command_id":
            raise
        return False  # made by an earlier run, whose random details came out otherwise
    if recorded.position is None:
        return False
    case_id = recorded.aggregate_id
    stage = _stage(rng)
    if stage == "new":
        return True
    tracer, team = rng.choice(TRACERS)
    clock.advance(minutes=rng.uniform(10, 600))
    # The north lead hands out north's cases; team south has no lead in the demo, so its
    # tracer takes the case from the pool, as the team rule of assign_case requires.
    app.assign_case(case_id, tracer, team, actor="lead" if team == "north" else tracer)
    if stage == "assigned":
        return True
    clock.advance(minutes=rng.uniform(5, 240))
    app.log_call_attempt(case_id, CallOutcome.NO_ANSWER, note="Geen gehoor.", actor=tracer)
    if stage == "callback":
        clock.advance(minutes=rng.uniform(5, 60))
        callback = max(real_now, clock.now) + timedelta(hours=rng.uniform(-3, 6))
        callback = max(callback, clock.now + timedelta(minutes=30))
        app.log_call_attempt(case_id, CallOutcome.CALLBACK_REQUESTED,
                             note="Partner nam op; index belt terug na het werk.",
                             callback_at=callback, actor=tracer)
        return True
    if stage == "unreachable":
        for _ in range(2):
            clock.advance(hours=rng.uniform(2, 5))
            app.log_call_attempt(case_id, CallOutcome.VOICEMAIL, note="Voicemail ingesproken.",
                                 actor=tracer)
        app.mark_unreachable(case_id, "Three attempts without answer.", actor=tracer)
        return True
    clock.advance(minutes=rng.uniform(30, 180))
    app.log_call_attempt(case_id, CallOutcome.REACHED, actor=tracer)
    flemish_guide = "covid-19-vl" if flemish and disease == "covid-19" else None
    if flemish_guide not in app.catalog.guides:
        flemish_guide = None
    interview_id = app.start_interview(case_id, actor=tracer,
                                       guide_id=flemish_guide).aggregate_id
    steps = {"in_progress": rng.randint(2, 8), "paused": rng.randint(3, 8)}.get(stage, 60)
    _run_interview(app, rng, clock, interview_id, tracer, steps)
    if stage == "paused":
        app.pause_interview(interview_id, "Index moest naar de huisarts; dag 2 t/m 4 nog "
                            "doorlopen. Partner en kinderen al genoteerd.", actor=tracer)
    elif stage in ("interviewed", "closed"):
        clock.advance(minutes=rng.uniform(1, 5))
        app.complete_interview(interview_id, actor=tracer)
        if stage == "closed":
            _inform_contacts(app, rng, clock, interview_id)
            clock.advance(hours=rng.uniform(1, 12))
            app.close_case(case_id, "Interview complete, contacts informed.", actor=tracer)
    return True


def _disease(app: BCOApplication, rng: random.Random, flemish: bool) -> str:
    diseases = app.catalog.known_diseases
    if "covid-19" in diseases and rng.random() < 0.8:
        return "covid-19"
    return rng.choice(diseases)


def _run_interview(app: BCOApplication, rng: random.Random, clock: DemoClock,
                   interview_id: UUID, tracer: str, max_steps: int) -> None:
    """Walk the engine's proposals, answering as an index plausibly would."""
    for _ in range(max_steps):
        interview = app.get_interview(interview_id)
        case = app.get_case(interview.case_id)
        guide = app.guide_for_interview(interview)
        state = app.interview_state(interview, case)
        proposals = [s for s in next_steps(guide, state, clock.now.date(), "en")
                     if s.kind != "script"]
        if not proposals:
            return
        step = proposals[0]
        clock.advance(seconds=rng.uniform(10, 90))
        if step.kind == "question":
            app.record_answer(interview_id, step.id, _answer(rng, step, clock.now.date()),
                              actor=tracer)
        else:
            _probe(app, rng, clock, interview_id, tracer, step)


def _answer(rng: random.Random, step: Any, today: date) -> Any:
    """A value of the question's own type, as the web form would record it."""
    kind = getattr(step, "type", "text")
    options = [value for value, _label in (getattr(step, "options", None) or [])]
    if kind == "yesno":
        return rng.random() < 0.5
    if kind == "number":
        return rng.randint(1, 5)
    if kind == "date":
        return (today - timedelta(days=rng.randint(1, 6))).isoformat()
    if kind == "choice" and options:
        return rng.choice(options)
    if kind == "multichoice" and options:
        return rng.sample(options, rng.randint(1, min(3, len(options))))
    if kind == "phone":
        return f"06 {rng.randint(10000000, 59999999)}"
    if kind == "contacts":
        return 0  # the number listed under it; the probes add the demo's contacts
    return rng.choice(["Ja, dat klopt.", "Thuis gewerkt.", "Geen bijzonderheden.",
                       "Alleen boodschappen gedaan."])


def _probe(app: BCOApplication, rng: random.Random, clock: DemoClock, interview_id: UUID,
           tracer: str, step: Any) -> None:
    if rng.random() < 0.5 and step.trigger in ("day", "setting", "final"):
        flemish = rng.random() < 0.3
        day = getattr(step, "day", None) or (clock.now.date() - timedelta(days=1))
        details: dict[str, Any] = {
            "name": f"{rng.choice(FIRST_NAMES_BE if flemish else FIRST_NAMES_NL)} "
                    f"{rng.choice(SURNAMES_BE if flemish else SURNAMES_NL)}",
            "phone": f"06 {rng.randint(10000000, 59999999)}",
            "relation": rng.choice(RELATIONS), "day": day,
            "setting": getattr(step, "setting", None), "prompt": step.id,
            "household": rng.random() < 0.3,
            "informs": rng.choice(["index", "authority"]),
        }
        app.report_contact(interview_id, details, actor=tracer)
        clock.advance(seconds=rng.uniform(20, 60))
        app.answer_follow_up(interview_id, step.id, answer="Contact genoteerd.", actor=tracer)
    else:
        app.answer_follow_up(interview_id, step.id, nobody=True, actor=tracer)


def _inform_contacts(app: BCOApplication, rng: random.Random, clock: DemoClock,
                     interview_id: UUID) -> None:
    interview = app.get_interview(interview_id)
    for contact in interview.live_contacts:
        clock.advance(minutes=rng.uniform(10, 300))
        outcome = rng.choice(["informed", "informed", "informed", "unreachable"])
        app.log_inform_outcome(interview_id, contact.contact_id, outcome, actor="authority")
