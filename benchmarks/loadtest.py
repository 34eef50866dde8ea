"""scripts/loadtest: K `bco serve` nodes on one PostgreSQL schema, simulated tracers (Locust)
working cases end to end at a given answer-save rate, then an audit of every acknowledged write.

Traffic goes to 127.0.0.1 only and the run is bounded (`--seconds`, plus a fixed margin to
start and stop). A fresh schema is created and dropped afterwards; the nodes' data directories
and Locust's CSV files stay under bench-output/loadtest/ for a look afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.cryptography import AESCipher
from psycopg import sql

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import Case, IndexPerson
from bco.domain.interview import Interview
from bco.passwords import hash_password
from bco.projections import viewsdb
from bco.projections.casefile import CASE_EVENTS, INTERVIEW_EVENTS
from bco.projections.readmodel import POSITIONS
from bco.projections.viewsdb import connect_file, views_key
from benchmarks.results import percentile
from benchmarks.workspace import OUTPUT, POSTGRES_URL, ROOT

HOST = "127.0.0.1"
PASSWORD = "loadtest-only-password"  # throwaway accounts in a throwaway schema
TEAM = "north"
EVENTS_TABLE = "bco_events"
STARTUP_SECONDS = 90
CATCH_UP_SECONDS = 120
LAG_SAMPLE_SECONDS = 0.5
KINDS = ("sign in", "next case", "case page", "call", "start interview", "interview screen",
         "answer", "contact", "complete")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result = run(seconds=args.seconds, rate=args.rate, nodes=args.nodes, users=args.users,
                 port=args.port, database_url=args.database_url,
                 answers_per_case=args.answers_per_case, profile=args.profile)
    text = json.dumps(result, indent=2)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n")
    _print_summary(result)
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/loadtest",
        description="Several bco serve nodes on one PostgreSQL under simulated tracers.")
    parser.add_argument("--seconds", type=_bounded(int, 1, 3600), default=300,
                        help="how long the tracers work (1-3600, default 300)")
    parser.add_argument("--rate", type=_bounded(float, 0.1, 10_000), default=300.0,
                        help="answer saves per second over all tracers (default 300)")
    parser.add_argument("--nodes", type=_bounded(int, 1, 8), default=2,
                        help="bco serve processes on one schema (1-8, default 2)")
    parser.add_argument("--users", type=_bounded(int, 1, 2000), default=None,
                        help="simulated tracers (default: one per 5 saves/s, at least 2 "
                             "per node)")
    parser.add_argument("--port", type=_bounded(int, 1024, 65000), default=5670,
                        help="port of the first node; node i listens on PORT+i (default 5670)")
    parser.add_argument("--answers-per-case", type=_bounded(int, 1, 500), default=20,
                        help="answer saves per interview before it is completed (default 20)")
    parser.add_argument("--database-url", default=os.environ.get("BCO_TEST_DATABASE_URL",
                                                                 POSTGRES_URL),
                        help="PostgreSQL to create the run's schema in (default: the test "
                             "database, BCO_TEST_DATABASE_URL)")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON to FILE")
    parser.add_argument("--profile", action="store_true",
                        help="sample every node with py-spy and report where its time goes")
    return parser


def _bounded(kind: type, low: float, high: float) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}-{high:g}")
        return value
    return parse


# -- the run ---------------------------------------------------------------------------------


def run(*, seconds: int, rate: float, nodes: int, users: int | None, port: int,
        database_url: str, answers_per_case: int, profile: bool = False) -> dict[str, Any]:
    """Prepare a schema, serve it from `nodes` processes, drive them, audit; the results."""
    users = users or max(2 * nodes, math.ceil(rate / 5))
    _check_ports_free([port + i for i in range(nodes)])
    work = OUTPUT / "loadtest" / time.strftime("%Y%m%d-%H%M%S")
    _forget_old_runs(work.parent)
    work.mkdir(parents=True, exist_ok=True)
    with _schema(database_url) as schema:
        base = Settings(data_dir=work / "node-0", database_url=database_url,
                        database_schema=schema, cipher_key=AESCipher.create_key(16),
                        key_file=work / "events.key", secret_key_file=work / "session.key",
                        pseudonym_key_file=work / "pseudonym.key", host=HOST)
        node_settings = [replace(base, data_dir=work / f"node-{i}", port=port + i)
                         for i in range(nodes)]
        for settings in node_settings:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        case_duration = answers_per_case * users / rate  # when every tracer saves in turn
        cases = math.ceil(users * (seconds / case_duration + 2) * 1.2)
        questions = _prepare(base, users, cases)
        plan = work / "plan.json"
        acks = work / "acks.json"
        plan.write_text(json.dumps({
            "nodes": [f"http://{HOST}:{s.port}" for s in node_settings],
            "users": _names(users), "password": PASSWORD, "questions": questions,
            "interval": 1 / rate, "answers_per_case": answers_per_case,
            "contacts_per_case": 3, "acks": str(acks)}))
        with _serving(node_settings, work) as servers:
            sampler = _LagSampler(database_url, schema, node_settings, servers)
            sampler.start()
            spies = [_spy_on(server.pid, work / f"node-{i}.pyspy.txt")
                     for i, server in enumerate(servers)] if profile else []
            locust_cpu, wall = _drive(plan, work, users, seconds)
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes its samples on Ctrl-C
                spy.wait(timeout=60)
            sampler.stop()
            catch_up = [_wait_caught_up(database_url, schema, s) for s in node_settings]
            cpu = sampler.cpu_seconds()
        recorded = json.loads(acks.read_text()) if acks.exists() else {"acks": [], "times": {}}
        audit = _audit(base, node_settings, recorded["acks"])
    answers = sum(1 for a in recorded["acks"] if a["kind"] == "answer")
    rate_held, window = _steady_rate(recorded["acks"], seconds)
    times: dict[str, list[float]] = recorded["times"]
    every = [t for kind, ts in times.items() if not kind.startswith("sign in") for t in ts]
    failures = _failures(work)
    return {
        "rate_target": rate, "rate_held": round(rate_held, 1),
        "held": rate_held >= 0.95 * rate and _p(every, 99) <= 100,
        "seconds": seconds, "steady_seconds": round(window, 1), "nodes": nodes, "users": users,
        "answers_acknowledged": answers, "writes_acknowledged": len(recorded["acks"]),
        "p50_ms": _p(every, 50), "p95_ms": _p(every, 95), "p99_ms": _p(every, 99),
        "errors": sum(failures.values()), "errors_by_kind": failures,
        "requests": {kind: {"count": len(times.get(kind, [])),
                            "p50_ms": _p(times.get(kind, []), 50),
                            "p95_ms": _p(times.get(kind, []), 95),
                            "p99_ms": _p(times.get(kind, []), 99)}
                     for kind in KINDS if kind in times},
        "follower_lag": {f"node-{i}": {**sampler.summary(i), "caught_up_after_s": catch_up[i]}
                         for i in range(nodes)},
        "lost": audit["lost"], "duplicated": audit["duplicated"], "audit": audit,
        "cpu_seconds": {**{f"node-{i}": round(c, 1) for i, c in enumerate(cpu)},
                        "locust": round(locust_cpu, 1), "wall": round(wall, 1)},
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "profile": {f"node-{i}": _where_time_goes(work / f"node-{i}.pyspy.txt")
                    for i in range(nodes)} if profile else {},
        "output": str(work),
    }


def _check_ports_free(ports: list[int]) -> None:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                raise SystemExit(f"scripts/loadtest: port {port} on {HOST} is in use; pass "
                                 "--port with a first port that has free ones after it.") from None


def _forget_old_runs(runs: Path, keep: int = 3) -> None:
    """Only the newest runs' files stay: each holds every node's views.db."""
    if runs.exists():
        for old in sorted(p for p in runs.iterdir() if p.is_dir())[:-keep or None]:
            shutil.rmtree(old, ignore_errors=True)


def _steady_rate(acks: list[dict[str, Any]], seconds: int) -> tuple[float, float]:
    """Answer saves per second once every tracer has signed in (signing in is argon2 work
    that a real shift spreads over its first minutes), to the last save; (rate, seconds)."""
    signed = [a["at"] for a in acks if a["kind"] == "signed_in"]
    saves = sorted(a["at"] for a in acks if a["kind"] == "answer")
    if not signed or len(saves) < 2:
        return (len(saves) / seconds, float(seconds))
    start = max(signed)
    counted = [t for t in saves if t >= start]
    window = max(saves[-1] - start, 1e-3)
    if window < seconds / 4:  # signing in took most of the run: count the whole run
        return (len(saves) / seconds, float(seconds))
    return (len(counted) / window, window)


def _p(samples: list[float], pct: float) -> float:
    return round(percentile(samples, pct), 1) if samples else 0.0


def _names(users: int) -> list[str]:
    return [f"loadtracer{n:04d}" for n in range(users)]


@contextmanager
def _schema(database_url: str) -> Iterator[str]:
    """A fresh schema for one run, dropped afterwards whatever happens."""
    schema = f"bco_load_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(database_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        detail = " ".join(str(exc).split())
        raise SystemExit(f"scripts/loadtest: cannot reach PostgreSQL at {database_url} "
                         f"({detail}); start it or pass --database-url.") from None
    with conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _prepare(settings: Settings, users: int, cases: int) -> list[str]:
    """Tracer accounts and a pool of new cases; the free-text questions to answer."""
    app = BCOApplication(settings)
    try:
        disease = "covid-19" if "covid-19" in app.catalog.known_diseases else \
            app.catalog.known_diseases[0]
        guide = app.catalog.for_disease(disease)
        questions = [q.id for q in guide.questions.values() if q.type == "text"]
        if not questions:
            raise SystemExit(f"scripts/loadtest: the {guide.id} guide has no free-text question")
        password = hash_password(PASSWORD)
        for name in _names(users):
            app.add_user(name, role="tracer", team=TEAM, password_hash=password,
                         actor="loadtest")
        now = app.clock()
        batch: list[Case] = []
        for number in range(cases):
            batch.append(Case.register(
                case_id=uuid.uuid4(), person=IndexPerson(name=f"Index {number}",
                                                         phone="+31612345678"),
                disease=disease, onset=date.today() - timedelta(days=2), test_date=None,
                source="", received_at=now, region=settings.phone_region, now=now,
                actor="loadtest", command_id=None))
            if len(batch) == 200 or number == cases - 1:
                app.save(*batch)
                batch = []
        return questions
    finally:
        app.close()


@contextmanager
def _serving(nodes: list[Settings], work: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`bco serve` per node, each with its own data directory; stopped whatever happens."""
    bco = Path(sys.executable).with_name("bco")
    env_base = {k: v for k, v in os.environ.items() if not k.startswith("BCO_")}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for settings in nodes:
            log = open(settings.data_dir / "serve.log", "ab")  # noqa: SIM115 - kept by Popen
            servers.append(subprocess.Popen(
                [str(bco), "serve", "--threads", "8"], cwd=ROOT,
                env={**env_base, **settings.to_env()}, stdout=log, stderr=subprocess.STDOUT))
            log.close()
        for settings, server in zip(nodes, servers, strict=True):
            _wait_until_up(settings, server)
        yield servers
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(settings: Settings, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"scripts/loadtest: bco serve on port {settings.port} exited; see "
                             f"{settings.data_dir / 'serve.log'}")
        connection = http.client.HTTPConnection(HOST, settings.port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise SystemExit(f"scripts/loadtest: bco serve on port {settings.port} did not answer "
                     f"within {STARTUP_SECONDS} s; see {settings.data_dir / 'serve.log'}")


def _drive(plan: Path, work: Path, users: int, seconds: int) -> tuple[float, float]:
    """Locust, headless, in a process of its own; (its CPU seconds, wall seconds)."""
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" /
                                                      "loadtest_tracers.py"),
               "--headless", "-u", str(users), "-r", str(max(1, users)), "-t", f"{seconds}s",
               "--csv", str(work / "locust"), "--only-summary", "--stop-timeout", "5",
               "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    started = time.monotonic()
    with open(work / "locust.log", "ab") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env={**os.environ,
                                                          "LOADTEST_PLAN": str(plan)},
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            locust.wait(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            locust.kill()
            locust.wait()
            raise SystemExit(
                f"scripts/loadtest: Locust did not stop; see {work / 'locust.log'}") from None
    wall = time.monotonic() - started
    finished = os.times()  # Locust is the only child waited for so far
    return finished.children_user + finished.children_system, wall


def _failures(work: Path) -> dict[str, int]:
    """Failed requests per kind, from Locust's CSV."""
    stats = work / "locust_stats.csv"
    if not stats.exists():
        return {}
    import csv
    with open(stats, newline="") as handle:
        return {row["Name"]: int(row["Failure Count"]) for row in csv.DictReader(handle)
                if row["Name"] != "Aggregated" and int(row["Failure Count"])}


def _spy_on(pid: int, report: Path) -> subprocess.Popen[bytes]:
    """py-spy on a node and its gunicorn worker: folded stacks, for reading or a flame graph."""
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [str(spy), "record", "--pid", str(pid), "--subprocesses", "--format", "raw",
         "--rate", "100", "--output", str(report)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


PROFILE_BUCKETS = (  # the first that a sampled stack passes through names where it went
    ("read models: following, read-your-writes", "bco/projections/runner.py"),
    ("templates (Jinja)", "jinja2/"),
    ("event store: psycopg", "psycopg/"),
    ("sign-in: argon2", "argon2/"),
    ("guide engine", "bco/guides/"),
    ("application: commands", "bco/application.py"),
    ("web: requests", "bco/web/"),
    ("gunicorn and Flask", "gunicorn/"),
)


WAITING = {"wait", "_worker", "get", "select", "poll", "sleep", "accept", "acquire"}


def _where_time_goes(report: Path) -> dict[str, float]:
    """Share of the node's busy samples by where they went (a stack whose innermost frame
    waits is idle); a stack counts for the first bucket of PROFILE_BUCKETS it passes
    through."""
    if not report.exists():
        return {}
    shares: Counter[str] = Counter()
    for line in report.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1].split(" (", 1)[0].rsplit(".", 1)[-1]
        if not count.isdigit() or leaf in WAITING:
            continue
        bucket = "waiting for PostgreSQL (round trips)" if leaf == "wait_poll" else next(
            (name for name, marker in PROFILE_BUCKETS if marker in stack), "other")
        shares[bucket] += int(count)
    total = sum(shares.values()) or 1
    return {name: round(100 * n / total, 1) for name, n in shares.most_common()}


# -- follower lag and CPU ----------------------------------------------------------------------


class _LagSampler:
    """Every half second: how many events each node's read models are behind the store."""

    def __init__(self, database_url: str, schema: str, nodes: list[Settings],
                 servers: list[subprocess.Popen[bytes]]) -> None:
        self.database_url, self.schema, self.nodes, self.servers = (
            database_url, schema, nodes, servers)
        self.lags: list[list[int]] = [[] for _ in nodes]
        self._cpu_start = [_tree_cpu(s.pid) for s in servers]
        self._cpu_end = list(self._cpu_start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._cpu_end = [_tree_cpu(s.pid) for s in self.servers]
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> list[float]:
        return [end - start for start, end in zip(self._cpu_start, self._cpu_end, strict=True)]

    def summary(self, node: int) -> dict[str, float]:
        lags = self.lags[node]
        return {"max_events": max(lags, default=0), "p95_events": _p([float(x) for x in lags], 95),
                "mean_events": round(sum(lags) / len(lags), 1) if lags else 0.0}

    def _run(self) -> None:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self._stop.wait(LAG_SAMPLE_SECONDS):
                end = _store_end(conn, self.schema)
                for index, settings in enumerate(self.nodes):
                    position = _node_position(settings)
                    if position is not None:
                        self.lags[index].append(max(0, end - position))


def _store_end(conn: psycopg.Connection[Any], schema: str) -> int:
    row = conn.execute(sql.SQL("SELECT max(notification_id) FROM {}.{}").format(
        sql.Identifier(schema), sql.Identifier(EVENTS_TABLE))).fetchone()
    return int(row[0] or 0) if row else 0


def _node_position(settings: Settings) -> int | None:
    """The position of the node's read model that is furthest behind."""
    if not settings.views_path.exists():
        return None
    try:
        conn = connect_file(f"file:{settings.views_path}?mode=ro", views_key(settings),
                            uri=True, timeout=5)
        try:
            row = conn.execute(f"SELECT min(position) FROM [{POSITIONS}]").fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, viewsdb.Error):
        return None
    return int(row[0]) if row and row[0] is not None else None


def _wait_caught_up(database_url: str, schema: str, settings: Settings) -> float | None:
    """Seconds until the node's read models reached the store's end after the run."""
    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        end = _store_end(conn, schema)
    while time.monotonic() - started < CATCH_UP_SECONDS:
        position = _node_position(settings)
        if position is not None and position >= end:
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn's worker), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(entry.name) == pid or int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# -- the audit -------------------------------------------------------------------------------


def _audit(settings: Settings, nodes: list[Settings], acks: list[dict[str, Any]]
           ) -> dict[str, Any]:
    """Every acknowledged write is in the event store once, and every node's read models hold
    what the store holds for the cases worked."""
    app = BCOApplication(settings)
    try:
        store = _store_counts(app, acks)
    finally:
        app.close()
    lost: Counter[str] = Counter()
    duplicated: Counter[str] = Counter()
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ack in acks:
        by_kind[ack["kind"]].append(ack)
    for ack in by_kind["answer"]:
        found = store["answer_versions"].get(ack["value"], [])
        if ack["version"] not in found:
            lost["answer"] += 1
        duplicated["answer"] += max(0, len(found) - 1)
    for ack in by_kind["contact"]:
        count = store["contacts"].get(ack["contact"], 0)
        lost["contact"] += count == 0
        duplicated["contact"] += max(0, count - 1)
    for ack in by_kind["claim"]:
        lost["claim"] += store["tracer"].get(ack["case"]) != ack["tracer"]
        duplicated["claim"] += max(0, store["assigned"].get(ack["case"], 0) - 1)
    for ack in by_kind["call"]:
        lost["call"] += store["calls"].get(ack["case"], 0) == 0
        duplicated["call"] += max(0, store["calls"].get(ack["case"], 0) - 1)
    for ack in by_kind["start"]:
        lost["start"] += store["interview_of"].get(ack["case"]) != ack["interview"]
    for ack in by_kind["complete"]:
        count = store["completed"].get(ack["interview"], 0)
        lost["complete"] += count == 0
        duplicated["complete"] += max(0, count - 1)
    views = {f"node-{i}": views_against_store(node, store) for i, node in enumerate(nodes)}
    return {
        "lost": sum(lost.values()) + sum(v["lost"] for v in views.values()),
        "duplicated": sum(duplicated.values()) + sum(v["duplicated"] for v in views.values()),
        "store": {"lost": dict(lost), "duplicated": dict(duplicated)},
        "read_models": views,
        "cases_worked": len(store["tracer"]),
    }


def _store_counts(app: BCOApplication, acks: list[dict[str, Any]]) -> dict[str, Any]:
    """What the event store holds for every case and interview the tracers touched."""
    counts: dict[str, Any] = {"answer_versions": defaultdict(list), "contacts": Counter(),
                              "tracer": {}, "assigned": Counter(), "calls": Counter(),
                              "interview_of": {}, "completed": Counter(),
                              "events_of_case": Counter(), "contacts_of_case": Counter()}
    cases = {a["case"] for a in acks if "case" in a}
    for case_id in cases:
        case = app.get_case(UUID(case_id))
        counts["tracer"][case_id] = case.tracer
        counts["interview_of"][case_id] = str(case.interview_id) if case.interview_id else None
        for event in app.events.get(UUID(case_id)):
            counts["events_of_case"][case_id] += type(event) in CASE_EVENTS
            if isinstance(event, Case.Assigned):
                counts["assigned"][case_id] += 1
            elif isinstance(event, Case.CallAttemptLogged):
                counts["calls"][case_id] += 1
        if case.interview_id is None:
            continue
        for event in app.events.get(case.interview_id):
            counts["events_of_case"][case_id] += type(event) in INTERVIEW_EVENTS
            if isinstance(event, Interview.AnswerRecorded):
                counts["answer_versions"][str(event.value)].append(event.originator_version)
            elif isinstance(event, Interview.ContactReported):
                counts["contacts"][str(event.contact_id)] += 1
                counts["contacts_of_case"][case_id] += 1
            elif isinstance(event, Interview.Completed):
                counts["completed"][str(event.originator_id)] += 1
    return counts


def views_against_store(node: Settings, store: dict[str, Any]) -> dict[str, int]:
    """A node's case-file read model against the store, per case: its events (the case file
    logs each one), call attempts, contacts and tracer; any difference is lost or doubled."""
    lost = duplicated = 0
    conn = connect_file(f"file:{node.views_path}?mode=ro", views_key(node), uri=True,
                        timeout=10)
    try:
        for case_id, tracer in store["tracer"].items():
            row = conn.execute(
                "SELECT tracer, call_attempts, log_entries, contacts_reported, interview_status "
                "FROM casefile WHERE case_id = ?", [case_id]).fetchone()
            if row is None:
                lost += 1
                continue
            seen = {"call_attempts": row[1] or 0, "events": row[2] or 0,
                    "contacts_reported": row[3] or 0}
            held = {"call_attempts": store["calls"][case_id],
                    "events": store["events_of_case"][case_id],
                    "contacts_reported": store["contacts_of_case"][case_id]}
            for key, count in held.items():
                lost += max(0, count - seen[key])
                duplicated += max(0, seen[key] - count)
            lost += row[0] != tracer
            interview = store["interview_of"][case_id]
            if interview and store["completed"].get(interview) and row[4] != "completed":
                lost += 1
    finally:
        conn.close()
    return {"lost": lost, "duplicated": duplicated}


def _print_summary(result: dict[str, Any]) -> None:
    print(f"answer saves/s: {result['rate_held']} of {result['rate_target']} "
          f"({'held' if result['held'] else 'NOT held'}), p99 {result['p99_ms']} ms, "
          f"errors {result['errors']}, lost {result['lost']}, "
          f"duplicated {result['duplicated']}")
    for kind, row in result["requests"].items():
        print(f"  {kind:<17} {row['count']:>7}  p50 {row['p50_ms']:>7} ms  "
              f"p95 {row['p95_ms']:>7} ms  p99 {row['p99_ms']:>7} ms")
    for node, lag in result["follower_lag"].items():
        print(f"  {node} lag: max {lag['max_events']} events, p95 {lag['p95_events']}, "
              f"caught up {lag['caught_up_after_s']} s after the run")
    print(f"  CPU seconds: {result['cpu_seconds']}")
    print(f"  output: {result['output']}")


if __name__ == "__main__":
    sys.exit(main())
