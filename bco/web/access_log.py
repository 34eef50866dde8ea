"""Every read of personal data on a page or through the API, written to the shared access log.

Views note what they show while they run; the notes are written in one statement when the
request ends, so a list of fifty cases costs one insert, and a save that shows nothing new
(an htmx answer) costs none. The log lives beside the event store (bco/audit/store.py), so
every node writes to one log and sees it whole. Entries hold ids, staff accounts and roles,
never a name or phone number of a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import Flask, current_app, g, request
from flask_login import current_user
from werkzeug.wrappers import Response

from bco.application import BCOApplication
from bco.audit.store import ROLE_WIDE, AccessEntry
from bco.domain.case import Case
from bco.web import access

PENDING = "bco_pending_reads"


@dataclass(frozen=True)
class Read:
    """What a view showed, before the request's who, when and from where are added."""

    account: str
    role: str
    action: str
    case_id: UUID | None
    relation: str
    records: int | None
    detail: str
    purpose: str | None


def _bco() -> BCOApplication:
    found: BCOApplication = current_app.extensions["bco"]
    return found


def record_read(action: str, case: Case | UUID | None = None, *, records: int | None = None,
                detail: str = "", purpose: str | None = None) -> None:
    """Note that the signed-in person saw personal data of this case (or a list of `records`);
    how they stood to the case (its tracer, its team's lead, the pool) is noted with it."""
    relation = ""
    case_id = case.id if isinstance(case, Case) else case
    if case is not None:
        app = _bco()
        loaded = case if isinstance(case, Case) else app.get_case(case)
        relation = access.relation_to(app, current_user, loaded)
    note(Read(account=current_user.name, role=current_user.role, action=action,
              case_id=case_id, relation=relation, records=records, detail=detail,
              purpose=purpose))


def record_role_read(account: str, role: str, action: str, case_id: UUID | None = None, *,
                     records: int | None = None, detail: str = "") -> None:
    """A read by a role that may read every case (an API token): no case to weigh it against."""
    note(Read(account=account, role=role, action=action, case_id=case_id,
              relation=ROLE_WIDE if case_id is not None else "", records=records,
              detail=detail, purpose=None))


def note(read: Read) -> None:
    pending: list[Read] = g.setdefault(PENDING, [])
    pending.append(read)


def write_now(read: Read) -> None:
    """For a read whose size is known only after the response went out (a streamed export)."""
    _bco().access_log.append([_entry(read)])


def _entry(read: Read) -> AccessEntry:
    return AccessEntry(at=_bco().clock(), account=read.account, role=read.role,
                       action=read.action, purpose=read.purpose or request.endpoint or "",
                       address=request.remote_addr or "", case_id=read.case_id,
                       relation=read.relation, records=read.records, detail=read.detail)


def _flush(response: Response) -> Response:
    """One insert per request, whatever the page showed; nothing when it showed nothing."""
    pending: list[Read] | None = g.pop(PENDING, None)
    if pending:
        _bco().access_log.append([_entry(read) for read in pending])
    return response


def init_app(flask_app: Flask) -> None:
    flask_app.after_request(_flush)

