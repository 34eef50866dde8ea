"""Who opened which personal data, and when: an append-only file next to the event store.

A read model would be wrong here (views.db is thrown away on rebuild) and an event per read
would bloat the cases' streams. Each line holds only ids, the account and its role, never names
or phone numbers, so the log itself is not personal health data. Every line also goes to the
Python logger 'bco.access', so operations can ship it elsewhere. Each web node writes its own
file; several nodes would need their logs collected (or a shared table).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from flask import current_app
from flask_login import current_user

log = logging.getLogger("bco.access")


class AccessLog:
    """Appends one JSON line per read of personal data."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, *, account: str, role: str, kind: str, resource_id: UUID | str,
               action: str = "read", as_of: str | None = None) -> None:
        entry = {
            "at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
            "account": account, "role": role, "action": action,
            "kind": kind, "id": str(resource_id),
        }
        if as_of is not None:  # a case file printed as it stood at an earlier moment
            entry["as_of"] = as_of
        line = json.dumps(entry, sort_keys=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        log.info("%s %s %s by %s (%s)", action, kind, resource_id, account, role)

    def entries(self) -> list[dict[str, str]]:
        """Every line so far, oldest first; for audits and tests."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]


def record_read(kind: str, resource_id: UUID | str, action: str = "read",
                as_of: str | None = None) -> None:
    """Log that the signed-in person saw personal data of this case or interview."""
    access_log: AccessLog = current_app.extensions["bco_access_log"]
    access_log.record(account=current_user.name, role=current_user.role, kind=kind,
                      resource_id=resource_id, action=action, as_of=as_of)
