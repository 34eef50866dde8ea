"""Case file to PDF: Jinja for the words, CSS @page for the layout, WeasyPrint for the print.

WeasyPrint may fetch only `data:` URLs and files in this package's templates folder: a case
file must never reach out to the network or read other files, whatever text ends up in it.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML, URLFetcher

from bco.domain.personal import REMOVED
from bco.removed_marker import translate_in_sentences
from bco.reports.casefile import LANGUAGES, CaseFile

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The web's catalog: one Dutch translation of every screen and printed word.
CATALOG = Path(__file__).resolve().parent.parent / "web" / "translations"


class ConfinedFetcher(URLFetcher):
    """Fetches `data:` URLs and files under the templates folder; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(TEMPLATES):
                raise ValueError(f"A case file may not read {url}")
        return super().fetch(url, headers)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for `language` (English is the source text)."""
    if language == "en":
        return NullTranslations()
    return Translations.load(str(CATALOG), [language])


@cache
def environment(language: str) -> Environment:
    """A Jinja environment per language, with `_()` as in the web's templates."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    removed = translations(language).gettext(REMOVED)
    # Data erased after retention reads as the marker, in the case file's language, printed
    # alone or inside a sentence.
    env.finalize = lambda value: removed if value == REMOVED else value
    translate_in_sentences(env, lambda: removed)
    env.filters["css_string"] = css_string
    env.globals["page_of"] = page_of
    return env


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string for the running header, safe inside <style>."""
    escaped = "".join(f"\\{ord(ch):X} " if ch in '\\"<>\n' else ch for ch in str(text))
    return Markup(f'"{escaped}"')


def page_of(text: str) -> Markup:
    """'page {page} of {pages}' in any language as CSS content with the page counters."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", str(text)):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


@cache
def stylesheet() -> CSS:
    return CSS(filename=str(TEMPLATES / "casefile.css"), url_fetcher=ConfinedFetcher())


def render_html(case_file: CaseFile, *, zone: ZoneInfo, phone_region: str) -> str:
    """The case file as HTML in its reader's language, times in the service's zone."""
    language = case_file.language if case_file.language in LANGUAGES else "nl"

    def when(moment: datetime | None, pattern: str = "d MMM yyyy HH:mm") -> str:
        if moment is None:
            return ""
        return format_datetime(moment, pattern, tzinfo=zone, locale=language)

    def day(value: Any, pattern: str = "EEE d MMM yyyy") -> str:
        return format_date(value, pattern, locale=language) if value else ""

    template = environment(language).get_template("casefile.html")
    return template.render(
        f=case_file, c=case_file.case, when=when, day=day, zone=zone.key,
        phone=lambda number: phone_text(number, phone_region), lang=language)


def render_pdf(case_file: CaseFile, *, zone: ZoneInfo, phone_region: str) -> bytes:
    """The case file as PDF bytes, fonts embedded and subset."""
    html = render_html(case_file, zone=zone, phone_region=phone_region)
    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=ConfinedFetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet()])
    return pdf


def phone_text(number: str | None, region: str) -> str:
    """A phone number as people read it: national form at home, international abroad."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    home = phonenumbers.region_code_for_number(parsed) == region
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(phonenumbers.format_number(parsed, style))
