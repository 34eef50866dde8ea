"""A writer the kill -9 tests start as a real process and kill at a random moment.

Reads its settings from BCO_* variables, like the CLI. `python kill_child.py RUN CASE INTERVIEW`
writes until it is killed: a new case, a call attempt, a contact, an answer, in turn, and
after each command returned prints one line, `ack <kind> <id> <version> <value>`, so the test
knows what was acknowledged before the kill.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from uuid import UUID

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import IndexPerson


def ack(kind: str, aggregate_id: UUID, version: int, value: str) -> None:
    sys.stdout.write(f"ack {kind} {aggregate_id} {version} {value}\n")
    sys.stdout.flush()


def main(run: str, case_id: UUID, interview_id: UUID) -> None:
    app = BCOApplication(Settings.from_env())
    print("ready", flush=True)
    today = app.clock().date()
    step = 0
    while True:
        step += 1
        label = f"{run}-{step}"
        kind = step % 4
        if kind == 0:
            recorded = app.register_case(
                person=IndexPerson(name=f"Kill Case {label}", phone="06 12345678",
                                   birth_date=date(1980, 3, 4)),
                disease="covid-19", onset=today - timedelta(days=2), actor="kill",
                command_id=f"case-{label}")
            ack("case", recorded.aggregate_id, recorded.version, label)
        elif kind == 1:
            recorded = app.log_call_attempt(case_id, "no_answer", note=f"call {label}",
                                            actor="tracer", command_id=f"call-{label}")
            ack("call", recorded.aggregate_id, recorded.version, label)
        elif kind == 2:
            recorded = app.report_contact(interview_id, {"name": f"Kill Contact {label}"},
                                          actor="tracer", command_id=f"contact-{label}")
            ack("contact", recorded.aggregate_id, recorded.version, label)
        else:
            recorded = app.record_answer(interview_id, "known_case_details",
                                         f"answer {label}", actor="tracer")
            ack("answer", recorded.aggregate_id, recorded.version, label)


if __name__ == "__main__":
    main(sys.argv[1], UUID(sys.argv[2]), UUID(sys.argv[3]))
