"""One case told through commands, with a moment half-way, for the case-file tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any
from uuid import UUID

import pdfplumber
from pdfminer.pdftypes import resolve1

from bco.application import BCOApplication
from bco.domain.case import IndexPerson

HANDOVER = "Index had to hang up; work and sport still to go through."
OVERRIDE_REASON = "Glass screen"  # short: a table cell wraps longer text across lines


@dataclass(frozen=True)
class Story:
    case_id: UUID
    interview_id: UUID
    halfway: datetime  # after the household contact, before the handover and the colleague
    colleague_id: UUID


def tell(app: BCOApplication, clock: Any) -> Story:
    """Received, called twice, interviewed with a break, a colleague added, informed."""
    case_id = app.register_case(
        person=IndexPerson(name="Sanne de Vries", phone="06 12345678",
                           birth_date=date(1980, 3, 4), postcode="3511 AB",
                           email="sanne@example.org"),
        disease="covid-19", onset=date(2026, 11, 23),
        received_at=clock.now - timedelta(hours=3), actor="intake").aggregate_id
    clock.advance(minutes=10)
    app.assign_case(case_id, "tracer", "north", actor="lead")
    clock.advance(minutes=10)
    app.log_call_attempt(case_id, "no_answer", note="Rang out twice", actor="tracer")
    clock.advance(minutes=30)
    app.log_call_attempt(case_id, "reached", actor="tracer")
    interview_id = app.start_interview(case_id, actor="tracer").aggregate_id
    clock.advance(minutes=2)
    app.record_answer(interview_id, "identity_confirmed", True, actor="tracer")
    app.record_answer(interview_id, "has_symptoms", True, actor="tracer")
    app.record_answer(interview_id, "symptoms", ["fever", "cough"], actor="tracer")
    app.record_answer(interview_id, "household_size", 1, actor="tracer")
    app.report_contact(interview_id, {
        "name": "Jan de Vries", "phone": "06 11112222", "household": True, "relation": "partner",
        "day": date(2026, 11, 24), "setting": "home"}, actor="tracer")
    halfway = clock.now
    clock.advance(minutes=5)
    app.pause_interview(interview_id, HANDOVER, actor="tracer")
    clock.advance(hours=1)
    app.resume_interview(interview_id, actor="tracer2")
    colleague_id = app.report_contact(interview_id, {
        "name": "Piet Collega", "phone": "06 33334444", "day": date(2026, 11, 23),
        "setting": "work", "facts": {"duration_min": 30}}, actor="tracer2").aggregate_id
    app.update_contact(interview_id, colleague_id, {
        "category_override": "3", "override_reason": OVERRIDE_REASON}, actor="tracer2")
    app.record_answer(interview_id, "who_informs", "authority", actor="tracer2")
    app.complete_interview(interview_id, actor="tracer2")
    clock.advance(hours=2)
    app.log_inform_outcome(interview_id, colleague_id, "informed", actor="authority")
    return Story(case_id, interview_id, halfway, colleague_id)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, in reading order."""
    with pdfplumber.open(BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def pdf_text(pdf: bytes) -> str:
    """All text, with line breaks and runs of spaces as single spaces (cells wrap)."""
    return " ".join(" ".join(pdf_pages(pdf)).split())


def font_report(pdf: bytes) -> tuple[set[str], int]:
    """The font names used by the text, and how many fonts carry an embedded font file."""
    with pdfplumber.open(BytesIO(pdf)) as document:
        names = {char["fontname"] for page in document.pages for char in page.chars}
        embedded = 0
        for page in document.pages:
            fonts = resolve1(page.page_obj.resources.get("Font", {}))
            for ref in fonts.values():
                embedded += _has_font_file(resolve1(ref))
    return names, embedded


def _has_font_file(font: Any) -> int:
    descendants = [resolve1(d) for d in resolve1(font.get("DescendantFonts", []))]
    for item in [font, *descendants]:
        descriptor = resolve1(item.get("FontDescriptor", {}))
        if any(key in descriptor for key in ("FontFile", "FontFile2", "FontFile3")):
            return 1
    return 0


SUBSET = re.compile(r"^[A-Z]{6}\+DejaVu")
