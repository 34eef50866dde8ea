"""The access log on screen: a case's log for the lead of its team and for administrators, the
log per reader and the unusual reads for administrators, and the index's access report (PDF).

The log names staff and case ids only, so reading it is not itself a read of personal data;
the access report carries the index's name and is logged like a case file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from bco.audit import store as audit
from bco.audit.store import AccessEntry, AccessQuery
from bco.audit.unusual import bursts, outside_reads
from bco.domain.account import Role
from bco.domain.case import Case
from bco.projections import people
from bco.reports.access_report import access_report_pdf
from bco.web import access
from bco.web.access_log import record_read
from bco.web.access_reasons import PURPOSE_LABELS, access_reason, is_known
from bco.web.auth import bco, role_required
from bco.web.errors import error_response
from bco.web.readmodels import views

blueprint = Blueprint("audit", __name__)
blueprint.add_app_template_global(access_reason)
blueprint.add_app_template_global(is_known, "access_reason_known")
PAGE_SIZE = 100  # entries per page, newest first; older ones a page further; the CLI gives all
UNUSUAL_DAYS = 7
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Paging:
    """One page of a newest-first list: which entries it shows of how many."""

    page: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.size)

    def numbers(self) -> list[int | None]:
        """Page numbers to offer: the first, the last and two either side of this one; None
        where numbers are left out."""
        shown: list[int | None] = []
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.page) <= 2:
                shown.append(number)
            elif shown[-1] is not None:
                shown.append(None)
        return shown


def page_asked() -> int | None:
    """The page number from the query string (1 when none is given); None when it is not one."""
    text = (request.args.get("page") or "").strip()
    if not text:
        return 1
    if not PAGE_NUMBER.fullmatch(text) or int(text) < 1:
        return None
    return int(text)


def paging(asked: int, total: int) -> Paging:
    """The page asked for, or the last one for a number past the oldest entries (a kept or
    typed link; reads outside own cases clear when the reader takes the case)."""
    return Paging(page=min(asked, Paging(page=1, total=total).pages), total=total)


def page_of(log: audit.AccessLog, query: AccessQuery, asked: int
            ) -> tuple[Paging, list[AccessEntry]]:
    """The page asked for of what the query selects, and its entries."""
    page = paging(asked, log.count(query))
    return page, log.entries(replace(query, limit=page.size, offset=page.offset))


def bad_page() -> Any:
    raw = (request.args.get("page") or "").strip()
    message = _("'%(value)s' is not a page number; pages are numbered 1, 2, 3 and so on. Use "
                "the Newer and Older links under the list.", value=raw[:40])
    return error_response(400, "bad_page", message, {"page": [message]})


def casefile_purposes() -> list[tuple[str, str]]:
    return [(value, str(PURPOSE_LABELS[value])) for value in audit.STATED_PURPOSES]


def may_see_log(person: Any, case: Case) -> bool:
    """Administrators, and team leads for the cases of their own team; tracers never."""
    if person.role == Role.ADMIN:
        return True
    return (person.role == Role.TEAM_LEAD and person.team is not None
            and access.case_team(bco(), case) == person.team)


def may_print_report(person: Any, case: Case) -> bool:
    """The report carries the index's name: only the lead of the case's team prints it (an
    administrator works without names; `bco audit --report` serves the privacy officer)."""
    return person.role == Role.TEAM_LEAD and may_see_log(person, case)


def _case_for_log(case_id: UUID) -> Case:
    app = bco()
    case = app.get_case(case_id)
    if not may_see_log(current_user, case):
        abort(403, _("Only the team lead of this case's team and administrators see who "
                     "read it."))
    return case


@blueprint.get("/cases/<uuid:case_id>/access")
@role_required(Role.TEAM_LEAD, Role.ADMIN)
def case_log(case_id: UUID) -> Any:
    """Who read this case, newest first."""
    case = _case_for_log(case_id)
    asked = page_asked()
    if asked is None:
        return bad_page()
    page, entries = page_of(bco().access_log, AccessQuery(case_id=case_id, newest_first=True),
                            asked)
    return render_template("audit/case_log.html", case=case,
                           reference=access.case_reference(case_id), entries=entries,
                           may_print=may_print_report(current_user, case), paging=page,
                           link_args={"case_id": case_id})


@blueprint.get("/cases/<uuid:case_id>/access.pdf")
@role_required(Role.TEAM_LEAD)
def case_report(case_id: UUID) -> Any:
    """The index's access report, in the index's language."""
    case = _case_for_log(case_id)
    if not may_print_report(current_user, case):
        abort(403, _("Only the team lead of this case's team prints its access report."))
    pdf = access_report_pdf(bco(), case_id)
    record_read(audit.ACCESS_REPORT, case)
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{access.case_reference(case_id)}-access.pdf"')
    return response


@blueprint.get("/admin/access")
@role_required(Role.ADMIN)
def admin_log() -> Any:
    """The newest reads of everyone, or of one reader or one case (both narrow it), from a
    day on."""
    asked = page_asked()
    if asked is None:
        return bad_page()
    user = (request.args.get("user") or "").strip()[:100]
    reference = (request.args.get("case") or "").strip()[:100]
    problems: dict[str, list[str]] = {}
    if not user.isprintable():
        problems["user"] = [_("A sign-in name has no control characters; choose the reader "
                              "from the list.")]
    since = _since(request.args.get("since"), problems, default=None)
    case_id = _case_id(reference, problems) if reference else None
    if problems:
        field, messages = next(iter(problems.items()))
        return error_response(422, f"bad_{field}", messages[0], problems)
    log = bco().access_log
    page, entries = page_of(log, AccessQuery(case_id=case_id, account=user or None,
                                             since=since, newest_first=True), asked)
    link_args = {"user": user, "case": reference,
                 "since": since.date().isoformat() if since else ""}
    return render_template("audit/admin_log.html", entries=entries, accounts=log.accounts(),
                           user=user, reference=reference, since=since, paging=page,
                           link_args={key: value for key, value in link_args.items() if value})


@blueprint.get("/admin/access/unusual")
@role_required(Role.ADMIN)
def unusual() -> Any:
    """Reads outside the reader's cases and team, and bursts, from a day on (a week back)."""
    asked = page_asked()
    if asked is None:
        return bad_page()
    problems: dict[str, list[str]] = {}
    app = bco()
    default = app.clock().astimezone(app.settings.zone).date() - timedelta(days=UNUSUAL_DAYS)
    since = _since(request.args.get("since"), problems, default=default)
    if problems:
        return error_response(422, "bad_since", problems["since"][0], problems)
    settings = app.settings
    material = app.access_log.unusual_material(
        since, reads=settings.audit_burst_reads, minutes=settings.audit_burst_minutes)
    outside = list(reversed(outside_reads(material.maybe_outside, material.taken)))
    page = paging(asked, len(outside))
    return render_template(
        "audit/unusual.html", outside=outside[page.offset:page.offset + page.size],
        paging=page, link_args={"since": since.date().isoformat()} if since else {},
        bursts=bursts(material.maybe_bursts, reads=settings.audit_burst_reads,
                      minutes=settings.audit_burst_minutes),
        since=since, burst_reads=settings.audit_burst_reads,
        burst_minutes=settings.audit_burst_minutes, reference=access.case_reference)


def _since(raw: str | None, problems: dict[str, list[str]], *,
           default: date | None) -> datetime | None:
    """The start of a local day, from YYYY-MM-DD."""
    text = (raw or "").strip()
    day = default
    if text:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            problems["since"] = [_("'%(value)s' is not a date; give a day as YYYY-MM-DD, or "
                                   "leave it empty.", value=text[:40])]
            return None
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=bco().settings.zone)


def _case_id(reference: str, problems: dict[str, list[str]]) -> UUID | None:
    """A case from its reference as the screens show it (C-1c58eac0) or its whole id."""
    if people.reference_prefix(reference) is None:
        problems["case"] = [_("'%(value)s' is not a case reference; give one as shown on "
                              "screen, such as C-1c58eac0.", value=reference[:40])]
        return None
    with views() as db:
        matches = people.cases_by_reference(db, reference, limit=2)
    if len(matches) != 1:
        problems["case"] = [_("No case has the reference '%(value)s'.", value=reference[:40])
                            if not matches else
                            _("'%(value)s' fits more than one case; give more characters.",
                              value=reference[:40])]
        return None
    return UUID(matches[0])
