"""The index's access report: who looked at their data, when and why, printed like the case file.

Staff appear by role, team and a number that stays the same within the report ("team lead 1"),
not by name. The index learns which kinds of staff read their file, how often, when and for
what, which is what they need to judge whether it was lawful; the names of the employees are
the service's to give when a read needs explaining (the CJEU read GDPR article 15 this way in
C-579/21, 2023), and they are in the access log for the privacy officer (`bco audit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from babel.dates import format_datetime
from weasyprint import HTML

from bco.application import BCOApplication
from bco.audit.store import STATED_PURPOSES, AccessEntry, AccessQuery
from bco.domain.case import Case
from bco.domain.reference import case_reference
from bco.reports.casefile import LANGUAGES
from bco.reports.pdf import TEMPLATES, ConfinedFetcher, environment, stylesheet


@dataclass(frozen=True)
class ReportLine:
    """One read as the index sees it: when, which kind of staff member, what, why, how many."""

    at: datetime
    role: str
    team: str | None
    number: int
    action: str
    stated_purpose: str | None
    relation: str
    records: int | None


@dataclass(frozen=True)
class AccessReport:
    reference: str
    case: Case
    language: str
    generated_at: datetime
    lines: list[ReportLine]


def build_access_report(app: BCOApplication, case_id: UUID) -> AccessReport:
    """Every logged read of the case, oldest first, in the index's language."""
    case = app.get_case(case_id)
    entries = app.access_log.entries(AccessQuery(case_id=case_id))
    numbers: dict[str, int] = {}
    per_role: dict[str, int] = {}
    lines = []
    for entry in entries:
        if entry.account not in numbers:
            per_role[entry.role] = per_role.get(entry.role, 0) + 1
            numbers[entry.account] = per_role[entry.role]
        lines.append(_line(app, entry, numbers[entry.account]))
    language = case.person.language if case.person.language in LANGUAGES else "nl"
    return AccessReport(reference=case_reference(case_id), case=case, language=language,
                        generated_at=app.clock(), lines=lines)


def _line(app: BCOApplication, entry: AccessEntry, number: int) -> ReportLine:
    account = app.find_account(entry.account)
    return ReportLine(
        at=entry.at, role=entry.role, team=account.team if account is not None else None,
        number=number, action=entry.action,
        stated_purpose=entry.purpose if entry.purpose in STATED_PURPOSES else None,
        relation=entry.relation, records=entry.records)


def render_access_report(report: AccessReport, *, app: BCOApplication) -> bytes:
    """The report as PDF bytes, with the case file's page layout and fonts."""
    zone = app.settings.zone

    def when(moment: datetime, pattern: str = "d MMM yyyy HH:mm") -> str:
        return format_datetime(moment, pattern, tzinfo=zone, locale=report.language)

    html = environment(report.language).get_template("access_report.html").render(
        r=report, when=when, zone=zone.key, lang=report.language)
    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=ConfinedFetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet()])
    return pdf


def access_report_pdf(app: BCOApplication, case_id: UUID) -> bytes:
    return render_access_report(build_access_report(app, case_id), app=app)
