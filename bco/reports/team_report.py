"""The team report: one printed page with a period's KPIs, clocks and charts, drawn from the
same HTML the dashboard uses and printed with the case file's confined WeasyPrint setup."""

from __future__ import annotations

from functools import cache

from weasyprint import CSS, HTML

from bco.reports.pdf import TEMPLATES, ConfinedFetcher


@cache
def stylesheet() -> CSS:
    return CSS(filename=str(TEMPLATES / "team_report.css"), url_fetcher=ConfinedFetcher())


def render_team_report(html: str) -> bytes:
    """The report's HTML (made by the web in the reader's language) as PDF bytes."""
    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=ConfinedFetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet()])
    return pdf
