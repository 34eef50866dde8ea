"""kill -9 during writes, while the read models follow, and during rebuilds (issue 15).

Real processes on the real stores (a file SQLite store; PostgreSQL in a schema of its own):
a writer (kill_child.py) that prints an ack line after each command returned, `bco projections
run --follow` keeping views.db up to date, and `bco projections rebuild`; each is killed with
SIGKILL at a random moment. After every kill the store must open and hold every acknowledged
write; at the end the read models followed along (and killed midway many times) must equal a
full rebuild, and the rebuild must leave nothing of the killed ones behind.

Marked `fuzz` (slower); CI runs it. Rounds per backend: BCO_KILL_ROUNDS (default 4). A last test
kills a rebuild that shares its work out to helper processes: the helpers stop with it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO
from uuid import UUID

import pytest
from projection_scenarios import views_contents

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.projections.rebuild import remove_stale_rebuild_files

pytestmark = pytest.mark.fuzz

ROUNDS = int(os.environ.get("BCO_KILL_ROUNDS", "4"))
CHILD = Path(__file__).with_name("kill_child.py")


@dataclass
class Child:
    """A real process whose stdout lines are collected as they come."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, args: list[str], env: dict[str, str]) -> Child:
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        child = cls(process)
        child.reader = threading.Thread(target=child._read, args=(process.stdout,),
                                        daemon=True)
        child.reader.start()
        return child

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            if line.endswith("\n"):  # a line cut off by the kill was not acknowledged
                self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, prefix: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(line.startswith(prefix) for line in self.lines):
            if self.process.poll() is not None:
                raise AssertionError(f"{self.process.args} ended: {self.stderr()}")
            assert time.monotonic() < deadline, f"no {prefix!r} from {self.process.args}"
            time.sleep(0.02)

    def kill(self) -> bool:
        """SIGKILL it (if it still runs); True when it was killed rather than done."""
        running = self.process.poll() is None
        if running:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        if self.reader is not None:
            self.reader.join(timeout=30)
        return running

    def stderr(self) -> str:
        assert self.process.stderr is not None
        return self.process.stderr.read() if self.process.poll() is not None else ""


@dataclass
class Tally:
    kills: Counter[str] = field(default_factory=Counter)
    acks: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    left: int = 0  # killed rebuilds that left files beside views.db


TALLIES: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if not TALLIES or reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for backend, tally in sorted(TALLIES.items()):
            reporter.write_line(
                f"kill -9 on {backend}: {sum(tally.kills.values())} kills "
                f"({dict(tally.kills)}), {sum(tally.acks.values())} acknowledged writes "
                f"({dict(tally.acks)}), {len(tally.lost)} lost; {tally.left} killed rebuilds "
                f"left files, removed by the next; rebuild == following")


def setting_up(settings: Settings) -> tuple[UUID, UUID]:
    """A case under way with its interview, for the writer to add to."""
    app = BCOApplication(settings)
    try:
        now = datetime.now(UTC)
        case_id = app.register_case(
            person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                               birth_date=date(1980, 3, 4)),
            disease="covid-19", onset=now.date() - timedelta(days=2),
            received_at=now - timedelta(hours=2), actor="intake").aggregate_id
        app.add_user("tracer", role="tracer", team="north", password_hash="x", actor="admin")
        app.assign_case(case_id, "tracer", "north", actor="tracer")
        interview_id = app.start_interview(case_id, actor="tracer",
                                           reached=True).aggregate_id
        app.record_answer(interview_id, "known_case_contact", True, actor="tracer")
        return case_id, interview_id
    finally:
        app.close()


def missing_acks(settings: Settings, acks: list[str], case_id: UUID,
                 interview_id: UUID) -> list[str]:
    """The acknowledged writes the store does not hold; the store must open to tell."""
    app = BCOApplication(settings)
    try:
        history = app.case_history(case_id)
        interview = app.get_interview(interview_id)
        missing = []
        for line in acks:
            _ack, kind, aggregate, version, label = line.split(" ")
            if kind == "case":
                found = app.get_case(UUID(aggregate))
                held = found.version >= int(version) and label in found.person.name
            elif kind == "contact":
                contact = interview.contacts.get(str(UUID(aggregate)))
                held = contact is not None and contact.name == f"Kill Contact {label}"
            else:
                text = f"call {label}" if kind == "call" else f"answer {label}"
                held = any(event["version"] == int(version) and text in repr(event["data"])
                           for event in history)
            if not held:
                missing.append(line)
        return missing
    finally:
        app.close()


def bco(*args: str) -> list[str]:
    return [sys.executable, "-m", "bco", *args]


def run_bco(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(bco(*args), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kill_9_loses_no_acknowledged_write_and_rebuild_equals_following(
        settings: Settings) -> None:
    backend = "postgres" if settings.uses_postgres else "sqlite"
    tally = TALLIES.setdefault(backend, Tally())
    env = {**os.environ, **settings.to_env(), "BCO_PROJECTION_POLL_SECONDS": "0.05",
           "BCO_REBUILD_PROCESSES": "2"}
    run_bco(env, "db", "init")
    case_id, interview_id = setting_up(settings)
    views = settings.views_path
    chance = random.Random()
    all_acks: list[str] = []
    for round_number in range(ROUNDS):
        writer = Child.start([sys.executable, str(CHILD), f"r{round_number}", str(case_id),
                              str(interview_id)], env)
        follower = Child.start(bco("projections", "run", "--follow"), env)
        writer.wait_for_line("ready")
        deadline = time.monotonic() + 60
        while not views.exists():  # the follower got going (in the first round)
            assert follower.process.poll() is None, follower.stderr()
            assert time.monotonic() < deadline, "the follower made no views.db in 60 s"
            time.sleep(0.02)
        time.sleep(chance.uniform(0.2, 1.5))
        if chance.random() < 0.5:  # the follower dies first, or after the writer
            tally.kills["follower"] += follower.kill()
        tally.kills["writer"] += writer.kill()
        tally.kills["follower"] += follower.kill()
        acks = [line for line in writer.lines if line.startswith("ack ")]
        tally.acks.update(line.split(" ")[1] for line in acks)
        all_acks += acks
        lost = missing_acks(settings, acks, case_id, interview_id)
        tally.lost += lost
        assert lost == [], f"round {round_number}: {len(lost)} acknowledged, then lost: {lost[:5]}"
        if round_number % 2 == 1:
            # Killed once its files beside views.db exist: midway through the replay.
            rebuild = Child.start(bco("projections", "rebuild"), env)
            building = f"{views.name}.rebuild-{rebuild.process.pid}"
            deadline = time.monotonic() + 60
            while (rebuild.process.poll() is None and time.monotonic() < deadline
                   and not list(views.parent.glob(f"{building}*"))):
                time.sleep(0.01)
            time.sleep(chance.uniform(0, 0.3))
            tally.kills["rebuild"] += rebuild.kill()
            tally.left += bool(list(views.parent.glob(f"{building}*")))
    assert len(all_acks) >= ROUNDS  # the writer got going each round before the kill
    assert missing_acks(settings, all_acks, case_id, interview_id) == []

    # What was followed along, killed midway many times, caught up: equal to a full rebuild.
    run_bco(env, "projections", "run")
    followed = views_contents(views, settings)
    assert followed, "the follower made no read models"
    run_bco(env, "projections", "rebuild")
    rebuilt = views_contents(views, settings)
    assert rebuilt.keys() == followed.keys()
    for table in followed:
        assert rebuilt[table] == followed[table], table
    leftovers = sorted(p.name for p in views.parent.glob(f"{views.name}.rebuild-*"))
    assert leftovers == []
    status = run_bco(env, "projections", "status", "--json")
    assert '"error": null' in status or '"error":null' in status
    assert '"lag": 0' in status or '"lag":0' in status


REBUILD_IN_HELPERS = (
    "from bco.application import BCOApplication\n"
    "from bco.config import Settings\n"
    "from bco.projections import rebuilder_for\n"
    "rebuilder_for(BCOApplication(Settings.from_env())).rebuild(processes=3)\n")


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_rebuilds_helpers_stop_and_leave_no_part_behind(
        sqlite_settings: Settings) -> None:
    """kill -9 of a rebuild that shares its work out to helper processes: the helpers must
    not go on writing names and phones into part files nobody will copy or remove."""
    env = {**os.environ, **sqlite_settings.to_env()}
    run_bco(env, "db", "init")
    setting_up(sqlite_settings)
    views = sqlite_settings.views_path
    rebuild = subprocess.Popen([sys.executable, "-c", REBUILD_IN_HELPERS], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    helpers: list[int] = []
    while len(helpers) < 2:  # the helpers are started (spawned, still importing)
        assert rebuild.poll() is None and time.monotonic() < deadline, "no helpers started"
        helpers = children_of(rebuild.pid)
        time.sleep(0.005)
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in helpers):
        assert time.monotonic() < deadline, "the helpers of a killed rebuild went on"
        time.sleep(0.05)
    parts = sorted(p.name for p in views.parent.glob(f"{views.name}.rebuild-*.part*"))
    assert parts == []
    remove_stale_rebuild_files(views)  # as the next start or rebuild does
    assert sorted(p.name for p in views.parent.glob(f"{views.name}.rebuild-*")) == []
