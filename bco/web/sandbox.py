"""Where the interview screen runs for practice: the same blueprint, registered a second time
under /practice, reads and writes the sandbox store instead of the real one. A request under
that blueprint never touches a real case, the read models or the access log."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from flask import current_app, has_request_context, request, url_for

from bco.application import BCOApplication, Recorded
from bco.training.sandbox import TrainingApplication
from bco.web.readmodels import read_your_writes

PRACTICE = "practice_interview"
PREFIX = "/practice"
_OPENING = threading.Lock()


def active() -> bool:
    """True while serving the practice copy of the interview screen."""
    return has_request_context() and request.blueprint == PRACTICE


def training_app() -> TrainingApplication:
    """The sandbox application, opened on first use beside the real one (same settings and
    clock), so a process that never serves practice never opens its store."""
    found: TrainingApplication | None = current_app.extensions.get("bco_training")
    if found is None:
        with _OPENING:
            found = current_app.extensions.get("bco_training")
            if found is None:
                real: BCOApplication = current_app.extensions["bco"]
                found = TrainingApplication(real.settings, clock=real.clock)
                current_app.extensions["bco_training"] = found
    return found


def application() -> BCOApplication:
    """The application the interview screen works on for this request."""
    if active():
        return training_app()
    real: BCOApplication = current_app.extensions["bco"]
    return real


def wait_for_read_models(recorded: Recorded | None) -> None:
    """Real work: let the read models show the command. Practice has none to wait for."""
    if not active():
        read_your_writes(recorded)


def case_page_url(case_id: UUID) -> str:
    """The case page a screen links to; for practice, the practice's own page."""
    if active():
        return url_for("training.home")
    return url_for("tracer.case_page", case_id=case_id)


def after_complete_url(interview_id: UUID) -> str | None:
    """Where a completed practice interview goes: its feedback (None for real work)."""
    if not active():
        return None
    practice = training_app().practice_for(interview_id)
    if practice is None:
        return None
    return url_for("training.feedback", practice_id=practice.id)


def screen_context(interview_id: UUID) -> dict[str, Any]:
    """What the practice screen shows beside the interview: the simulated index's panel."""
    if not active():
        return {}
    panel = current_app.extensions["bco_practice_panel"]  # set by bco.web.training
    return {"practice": panel(interview_id)}
