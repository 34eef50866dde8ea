"""Locust tracers for scripts/loadtest: each signs in to one node and works cases end to end.

Run only by `benchmarks.loadtest` in a process of its own (Locust patches sockets and threads
when imported). The plan (LOADTEST_PLAN, a JSON file) names the nodes, the accounts, the
questions to answer and the pace; every write a node acknowledged, and the time of every
request, are written to the plan's `acks` file when the run stops, for the audit.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_URL = re.compile(r"/cases/([0-9a-f-]{36})")
INTERVIEW_URL = re.compile(r"/interviews/([0-9a-f-]{36})")
JSON = {"Accept": "application/json"}

_numbers = itertools.count()
_next_slot = 0.0  # the next answer save's turn, shared by every tracer of this process
ACKS: list[dict[str, Any]] = []
TIMES: dict[str, list[float]] = {}


@events.request.add_listener
def _timed(request_type: str, name: str, response_time: float, exception: Any,
           **_: Any) -> None:
    if exception is None:
        TIMES.setdefault(name, []).append(response_time)


@events.quitting.add_listener
def _write_acks(**_: Any) -> None:
    Path(PLAN["acks"]).write_text(json.dumps({"acks": ACKS, "times": TIMES}))


class Tracer(HttpUser):
    """One simulated tracer: next case, call, interview answers and contacts, complete."""

    host = PLAN["nodes"][0]

    def on_start(self) -> None:
        number = next(_numbers)
        self.account = PLAN["users"][number % len(PLAN["users"])]
        self.client.base_url = PLAN["nodes"][number % len(PLAN["nodes"])]
        page = self.client.get("/signin", name="sign in page")
        found = CSRF.search(page.text)
        if found is None:
            raise StopUser()
        self.token = found.group(1)
        with self.client.post("/signin", data={"name": self.account, "password": PLAN["password"],
                                               "csrf_token": self.token},
                              allow_redirects=False, name="sign in",
                              catch_response=True) as signed:
            if signed.status_code not in (302, 303):
                signed.failure(f"sign-in answered {signed.status_code}")
                raise StopUser()
            signed.success()
        ACKS.append({"kind": "signed_in", "at": time.time()})

    def post(self, path: str, data: dict[str, str], name: str, *, as_json: bool = False,
             expect: tuple[int, ...] = (302, 303)) -> Any:
        """A form POST with the session's CSRF token; the response if it was what a browser
        would take as success, else None (counted as a failure)."""
        headers = {"X-CSRFToken": self.token, **(JSON if as_json else {})}
        with self.client.post(path, data={**data, "csrf_token": self.token}, headers=headers,
                              allow_redirects=False, name=name, catch_response=True) as answer:
            if answer.status_code not in ((200,) if as_json else expect):
                answer.failure(f"{name} answered {answer.status_code}: {answer.text[:200]}")
                return None
            answer.success()
            return answer

    def pace(self) -> None:
        """Answer saves at the plan's rate over all tracers: each save takes the next turn, one
        every `interval` seconds, so a tracer busy with a call or a page does not slow the
        others; turns missed are made up for at most one second later."""
        global _next_slot
        now = time.monotonic()
        turn = max(_next_slot, now - 1.0)
        _next_slot = turn + float(PLAN["interval"])
        if turn > now:
            gevent.sleep(turn - now)

    @task
    def work_a_case(self) -> None:
        taken = self.post("/next-case", {"command_id": uuid.uuid4().hex}, "next case")
        if taken is None:
            return
        found = CASE_URL.search(taken.headers.get("Location", ""))
        if found is None:  # the pool is empty: wait as a tracer would
            gevent.sleep(1.0)
            return
        case_id = found.group(1)
        ACKS.append({"kind": "claim", "case": case_id, "tracer": self.account})
        self.client.get(f"/cases/{case_id}", name="case page")
        if self.post(f"/cases/{case_id}/calls", {"outcome": "reached",
                                                 "command_id": uuid.uuid4().hex}, "call") is None:
            return
        ACKS.append({"kind": "call", "case": case_id})
        started = self.post(f"/cases/{case_id}/interview", {"command_id": uuid.uuid4().hex},
                            "start interview")
        found = INTERVIEW_URL.search(started.headers.get("Location", "")) if started else None
        if found is None:
            return
        interview_id = found.group(1)
        ACKS.append({"kind": "start", "case": case_id, "interview": interview_id})
        self.client.get(f"/interviews/{interview_id}", name="interview screen")
        questions = PLAN["questions"]
        contact_every = max(1, PLAN["answers_per_case"] // max(1, PLAN["contacts_per_case"]))
        for number in range(PLAN["answers_per_case"]):
            self.pace()
            question = questions[number % len(questions)]
            value = f"{self.account} {case_id[:8]} {number}"
            saved = self.post(f"/interviews/{interview_id}/answers/{question}",
                              {"value": value}, "answer", as_json=True)
            if saved is None:
                continue
            recorded = saved.json()
            ACKS.append({"kind": "answer", "case": case_id, "interview": interview_id,
                         "version": recorded["version"], "position": recorded["position"],
                         "value": value, "at": time.time()})
            if (number + 1) % contact_every == 0:
                name = f"Contact {self.account} {case_id[:8]} {number}"
                added = self.post(f"/interviews/{interview_id}/contacts",
                                  {"name": name, "phone": "06 12345678",
                                   "command_id": uuid.uuid4().hex},
                                  "contact", as_json=True)
                if added is not None:
                    ACKS.append({"kind": "contact", "case": case_id, "interview": interview_id,
                                 "contact": added.json()["id"], "name": name})
        if self.post(f"/interviews/{interview_id}/complete", {}, "complete",
                     as_json=True) is not None:
            ACKS.append({"kind": "complete", "case": case_id, "interview": interview_id})
