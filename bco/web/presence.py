"""Who else has a case or interview open right now, so two tracers do not call the same person.

Pages poll a small fragment every few seconds; each poll says "I am still here". On one machine
(SQLite) the registry lives in this process's memory; with BCO_DATABASE_URL every node shares a
table in PostgreSQL (bco.presence_table), so tracers on different nodes see each other. Either
forgets anyone not seen for EXPIRY_SECONDS. Nobody is ever locked out: presence only informs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import Blueprint, Flask, abort, current_app, render_template
from flask_login import current_user, login_required

from bco.config import Settings
from bco.presence_table import SharedPresence
from bco.web import access
from bco.web.auth import bco

POLL_SECONDS = 10
EXPIRY_SECONDS = 3 * POLL_SECONDS
KINDS = ("case", "interview")

blueprint = Blueprint("presence", __name__)


@dataclass(frozen=True)
class Visitor:
    name: str
    since: float


class Presence:
    """In-memory register of who had which page open, forgetting those who stopped polling."""

    def __init__(self, expiry: float = EXPIRY_SECONDS) -> None:
        self.expiry = expiry
        self._lock = threading.Lock()
        self._seen: dict[str, dict[str, tuple[float, float]]] = {}

    def here(self, key: str, name: str, now: float | None = None) -> list[Visitor]:
        """Note that `name` has `key` open; return the others who have it open too."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            visitors = {
                who: (since, last) for who, (since, last) in self._seen.get(key, {}).items()
                if moment - last < self.expiry
            }
            since = visitors.get(name, (moment, moment))[0]
            visitors[name] = (since, moment)
            self._seen[key] = visitors
            self._forget_stale(moment)
            return sorted((Visitor(who, first) for who, (first, _last) in visitors.items()
                           if who != name), key=lambda v: v.since)

    def _forget_stale(self, moment: float) -> None:
        """Drop pages nobody has open any more, so the register does not grow for ever."""
        for key in [k for k, v in self._seen.items()
                    if all(moment - last >= self.expiry for _since, last in v.values())]:
            del self._seen[key]


def key_for(kind: str, resource_id: UUID | str) -> str:
    return f"{kind}:{resource_id}"


def others_here(kind: str, resource_id: UUID | str) -> list[str]:
    """Register the signed-in person on this page and name who else is on it."""
    presence: Presence | SharedPresence = current_app.extensions["bco_presence"]
    return [v.name for v in presence.here(key_for(kind, resource_id), current_user.name)]


@blueprint.get("/presence/<any(case, interview):kind>/<uuid:resource_id>")
@login_required
def fragment(kind: str, resource_id: UUID) -> Any:
    """The polled fragment; only people who may see the case learn who else has it open."""
    app = bco()
    case_id = resource_id if kind == "case" else app.get_interview(resource_id).case_id
    case = app.get_case(case_id)
    if not access.may_see(app, current_user, case):
        abort(403)
    return render_template("presence_fragment.html", kind=kind, resource_id=resource_id,
                           others=others_here(kind, resource_id))


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["bco_presence"] = (SharedPresence(settings, EXPIRY_SECONDS)
                                      if settings.uses_postgres else Presence())
    app.jinja_env.globals.update(others_here=others_here, presence_poll_seconds=POLL_SECONDS)
    app.register_blueprint(blueprint)
