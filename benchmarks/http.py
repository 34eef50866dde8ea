"""`http_answer`: a tracer's answer POSTed through gunicorn, against a do-nothing Flask app.

Both apps run under gunicorn with 2 sync workers on 127.0.0.1 only. A closed-loop generator
with as many clients as workers sends a bounded number of requests (and stops at a time limit
either way); every response must succeed, so a failing endpoint can never look fast. The
answer requests are what htmx sends: the signed-in session, the CSRF header, `HX-Request`.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson
from benchmarks.profile import Profile
from benchmarks.readmodels import Missing, need
from benchmarks.results import (
    Row,
    latency_row,
    percentile,
    ratio_at_least,
    skipped,
    throughput_row,
    value_at_most,
)
from benchmarks.workspace import ROOT, opened, sqlite_settings

HOST = "127.0.0.1"
WORKERS = 2
TRACER, TEAM = "benchtracer", "north"
PASSWORD = "bench-only-password"  # a throwaway account in a throwaway store
INTERVIEWS = 30
APP = "bco.web:create_app()"
PROFILE_DIR: Path | None = None  # set by --profile: py-spy samples the gunicorn workers
THROUGHPUT = ratio_at_least(0.3)
P99 = value_at_most(25, "ms")

Request = tuple[str, bytes, dict[str, str]]  # path, form body, headers


def bench_http_answer(profile: Profile, scratch: Path) -> list[Row]:
    try:
        plan = _prepare(scratch / "http")
    except Missing as missing:
        return [skipped("http_answer", "requests/s", THROUGHPUT, str(missing)),
                skipped("http_answer_p99", "ms p99", P99, str(missing))]
    env = {**os.environ, **plan.env, "PYTHONPATH": str(ROOT)}
    log = scratch / "http" / "gunicorn.log"
    with served(APP, env, log) as bco_port, \
            served("benchmarks.trivial_web:app", env, log) as trivial_port:
        session = _sign_in(bco_port)
        numbers = itertools.count()

        def answer(_: int) -> Request:
            number = next(numbers)
            interview_id, question_id = plan.pairs[number % len(plan.pairs)]
            body = urllib.parse.urlencode({"value": f"Antwoord {number}"}).encode()
            return (f"/interviews/{interview_id}/answers/{question_id}", body,
                    {**session, "HX-Request": "true"})

        def trivial_answer(_: int) -> Request:
            body = urllib.parse.urlencode({"value": f"Antwoord {next(numbers)}"}).encode()
            return "/answer", body, {}

        drive(bco_port, answer, profile)  # warm both workers (imports, guides); not counted
        ours, trivial = [], []
        for _ in range(profile.rounds):
            ours.append(drive(bco_port, answer, profile))
            trivial.append(drive(trivial_port, trivial_answer, profile))
    note = (f"{WORKERS} gunicorn workers, {WORKERS} closed-loop clients, "
            f"{profile.http_requests} requests a round")
    return [
        throughput_row("http_answer", [rate for rate, _ in ours],
                       [rate for rate, _ in trivial], "requests/s", THROUGHPUT, note),
        latency_row("http_answer_p99", [percentile(s, 99) for _, s in ours],
                    [percentile(s, 99) for _, s in trivial], "ms p99", P99,
                    "latency of each request, as the client sees it"),
    ]


@dataclass
class _Plan:
    env: dict[str, str]
    pairs: list[tuple[UUID, str]] = field(default_factory=list)


def _prepare(data_dir: Path) -> _Plan:
    """A store with a tracer and interviews in progress, made before gunicorn starts."""
    need("bco.web.interview")
    settings = sqlite_settings(data_dir)
    if settings.guides_dir != ROOT / "interview_guides":
        raise Missing("the interview guides in interview_guides/ do not load")
    passwords = need("bco.passwords")
    with opened(settings) as app:
        if "covid-19" not in app.catalog.guides:
            raise Missing("there is no covid-19 interview guide")
        _check_route(settings, app)
        app.add_user(TRACER, role="tracer", team=TEAM,
                     password_hash=passwords.hash_password(PASSWORD), actor="bench")
        guide = app.catalog.guides["covid-19"]
        questions = [q.id for q in guide.questions.values() if q.type == "text"]
        if not questions:
            raise Missing("the covid-19 guide has no free-text question to answer")
        disease = ("covid-19" if "covid-19" in app.catalog.known_diseases
                   else app.catalog.guides["covid-19"].disease)
        interviews = _interviews(app, disease)
        # Consecutive requests go to different interviews: two tracers never share one.
        pairs = [(interview_id, question) for question in questions
                 for interview_id in interviews]
    env = settings.with_overrides(secret_key_file=data_dir / "session.key").to_env()
    return _Plan(env, pairs)


def _check_route(settings: Settings, app: BCOApplication) -> None:
    web = need("bco.web")
    flask_app = web.create_app(settings.with_overrides(run_projections_in_web=False), app)
    if "interview.answer" not in flask_app.view_functions:
        raise Missing("the web app has no answer endpoint (interview.answer) yet")


def _interviews(app: BCOApplication, disease: str) -> list[UUID]:
    ids = []
    for number in range(INTERVIEWS):
        case = app.register_case(
            person=IndexPerson(name=f"Index {number}", phone="+31612345678"),
            disease=disease, onset=date.today() - timedelta(days=2), actor="bench")
        app.assign_case(case.aggregate_id, TRACER, TEAM, actor="bench")
        ids.append(app.start_interview(case.aggregate_id, actor=TRACER).aggregate_id)
    return ids


@contextmanager
def served(target: str, env: dict[str, str], log: Path) -> Iterator[int]:
    """gunicorn with 2 workers on a free loopback port; stopped (SIGTERM) whatever happens."""
    with serving(target, env, log) as (port, _process):
        yield port


@contextmanager
def serving(target: str, env: dict[str, str], log: Path
            ) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """As `served`, also handing out the gunicorn master, whose workers a caller may measure."""
    port = _free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
             f"{HOST}:{port}", "--log-level", "warning", target],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        spy: subprocess.Popen[bytes] | None = None
        try:
            _wait_until_up(port, process, log)
            if PROFILE_DIR is not None:
                spy = _spy_on(process.pid, PROFILE_DIR / f"http-{target.split(':')[0]}.txt")
            yield port, process
        finally:
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its report on Ctrl-C
                spy.wait(timeout=60)
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _spy_on(pid: int, report: Path) -> subprocess.Popen[bytes]:
    """py-spy on gunicorn and its workers, folded stacks for a flame graph or for reading."""
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [str(spy), "record", "--pid", str(pid), "--subprocesses", "--format", "raw",
         "--rate", "250", "--output", str(report)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def drive(port: int, make: Callable[[int], Request], profile: Profile
          ) -> tuple[float, list[float]]:
    """Send up to `http_requests` requests from WORKERS clients; (requests/s, latencies ms)."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + profile.http_seconds

    def client() -> None:
        while time.monotonic() < deadline and not failures:
            with lock:
                index = next(counter)
                if index >= profile.http_requests:
                    return
                path, body, headers = make(index)
            started = time.perf_counter()
            status, text = _post(port, path, body, headers)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                failures.append(f"POST {path} answered {status}: {text[:300]!r}")
                return
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(failures[0])
    return len(latencies) / wall, latencies


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", **headers})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _sign_in(port: int) -> dict[str, str]:
    """Sign the bench tracer in; the headers every later request sends (cookie, CSRF)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", "/signin")
        page = connection.getresponse()
        cookie = _cookie(page.getheaders())
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode())
        if found is None:
            raise RuntimeError("the sign-in page has no CSRF token")
        token = found.group(1)
        body = urllib.parse.urlencode(
            {"name": TRACER, "password": PASSWORD, "csrf_token": token}).encode()
        connection.request("POST", "/signin", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        signed_in = connection.getresponse()
        signed_in.read()
        if signed_in.status not in (302, 303):
            raise RuntimeError(f"signing in the bench tracer answered {signed_in.status}")
        return {"Cookie": _cookie(signed_in.getheaders()) or cookie, "X-CSRFToken": token}
    finally:
        connection.close()


def _cookie(headers: list[tuple[str, str]]) -> str:
    return "; ".join(value.split(";", 1)[0] for name, value in headers
                     if name.lower() == "set-cookie")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within 60 s; see {log}")
