"""Big event stores for `rebuild`, `worklist` and the growth table, made fast and kept.

Cases and interviews are built in memory with the domain's own methods and saved a few hundred
aggregates per `app.save`, far faster than one command at a time. A finished store is kept
under bench-output/stores/, keyed by size and by a fingerprint of this file and bco/domain, so
reruns reuse it and a change to the events makes a new one.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEvent

from bco.config import Settings
from bco.domain.case import CallOutcome, Case
from bco.domain.interview import Interview
from bco.domain.stamped import StampedAggregate
from benchmarks.workspace import (
    OUTPUT,
    ROOT,
    GuideRef,
    guide_ref,
    new_case,
    new_interview,
    opened,
    sqlite_settings,
)

TRACERS = [(f"tracer{n:02d}", f"team{n % 5}") for n in range(50)]
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
SAVE_EVERY = 400  # aggregates per app.save: big transactions, bounded memory


@dataclass(frozen=True)
class Store:
    """A generated store: where it is, its key, and how many events it holds."""

    data_dir: Path
    key: str
    events: int
    tracers: tuple[str, ...]

    def settings(self) -> Settings:
        return sqlite_settings(self.data_dir, self.key)

    def copy_to(self, target: Path) -> Store:
        """A private copy to write into, so the kept store stays as generated."""
        target.mkdir(parents=True, exist_ok=True)
        for name in ("events.db", "events.db-wal", "events.db-shm"):
            if (self.data_dir / name).exists():
                shutil.copyfile(self.data_dir / name, target / name)
        return Store(target, self.key, self.events, self.tracers)


def store_of(events: int) -> Store:
    """The kept store of about `events` events, generating it first when there is none."""
    directory = OUTPUT / "stores" / f"{events}-{_fingerprint()}"
    meta = directory / "store.json"
    if meta.exists():
        data = json.loads(meta.read_text())
        return Store(directory, data["key"], data["events"], tuple(data["tracers"]))
    for stale in directory.parent.glob(f"{events}-*"):
        shutil.rmtree(stale, ignore_errors=True)  # made from older events or an aborted run
    building = directory.with_name(directory.name + ".building")
    started = time.perf_counter()
    store = _generate(building, events)
    (building / "store.json").write_text(json.dumps(
        {"key": store.key, "events": store.events, "tracers": list(store.tracers)}))
    building.rename(directory)
    print(f"  generated a {store.events:,}-event store in "
          f"{time.perf_counter() - started:.0f} s (kept in {directory.relative_to(ROOT)})",
          file=sys.stderr)
    return Store(directory, store.key, store.events, store.tracers)


def _fingerprint() -> str:
    """Changes when the stored events would: this generator, an event class, the library."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for aggregate in (Case, Interview):
        for name, member in sorted(vars(aggregate).items()):
            if isinstance(member, type) and issubclass(member, DomainEvent):
                fields = sorted(getattr(member, "__annotations__", {}))
                digest.update(f"{aggregate.__name__}.{name}:{fields}".encode())
    digest.update(metadata.version("eventsourcing").encode())
    return digest.hexdigest()[:12]


def _generate(directory: Path, target: int) -> Store:
    key = AESCipher.create_key(16)
    rng = random.Random(20261125)
    with opened(sqlite_settings(directory, key)) as app:
        guide = guide_ref(app)
        pending: list[StampedAggregate] = []
        written = number = 0
        while written < target:
            aggregates = _case_story(guide, rng, number)
            number += 1
            written += sum(len(a.pending_events) for a in aggregates)
            pending.extend(aggregates)
            if len(pending) >= SAVE_EVERY:
                app.save(*pending)
                pending.clear()
        if pending:
            app.save(*pending)
        written = app.store_position()
    return Store(directory, key, written, tuple(name for name, _team in TRACERS))


def _case_story(guide: GuideRef, rng: random.Random, number: int) -> list[StampedAggregate]:
    """One case as cases really unfold, stopped at a random stage; nothing saved yet."""
    now = START + timedelta(minutes=number * 0.7)
    case = new_case(now)
    stage = rng.random()
    tracer, team = TRACERS[number % len(TRACERS)]
    if stage < 0.15:
        return [case]
    now += timedelta(minutes=rng.uniform(10, 300))
    case.assign(tracer, team, now=now, actor="lead")
    if stage < 0.3:
        return [case]
    case.log_call_attempt(CallOutcome.NO_ANSWER, now=now + timedelta(minutes=5), actor=tracer)
    if stage < 0.4:
        case.log_call_attempt(CallOutcome.CALLBACK_REQUESTED, note="Belt terug na het werk.",
                              callback_at=now + timedelta(hours=6),
                              now=now + timedelta(minutes=30), actor=tracer)
        return [case]
    now += timedelta(hours=1)
    case.log_call_attempt(CallOutcome.REACHED, now=now, actor=tracer)
    interview = new_interview(guide, case, now=now, tracer=tracer)
    _converse(interview, guide, rng, now, tracer)
    if stage > 0.55:
        done = now + timedelta(minutes=50)
        interview.complete(now=done, actor=tracer)
        case.interview_completed(now=done, actor=tracer)
        if stage > 0.8:
            case.close("Interview complete, contacts informed.", now=done + timedelta(hours=4),
                       actor=tracer)
    return [case, interview]


def _converse(interview: Interview, guide: GuideRef, rng: random.Random, now: datetime,
              tracer: str) -> None:
    """About twenty events: the guide's first questions answered, contacts, a prompt, a note."""
    questions = guide.questions or tuple(f"q{number:02d}" for number in range(16))
    for question in questions[:rng.randint(8, 16)]:
        now += timedelta(seconds=rng.uniform(10, 90))
        interview.record_answer(question, rng.choice(("yes", "no", "2026-11-20")),
                                now=now, actor=tracer)
    for contact in range(rng.randint(1, 4)):
        now += timedelta(minutes=2)
        interview.report_contact(
            uuid.uuid4(), {"name": f"Contact {contact + 1}", "relation": "colleague",
                           "household": contact == 0, "phone": "+31612345678"},
            region="NL", now=now, actor=tracer)
    interview.raise_follow_up("days", now=now, actor=tracer)
    interview.answer_follow_up("days", answer="Nobody else on Tuesday.", now=now, actor=tracer)
    interview.add_note("Index was tired; kept it short.", now=now, actor=tracer)
