"""The printed case file: what it says, as the case stood at a moment, in Dutch and English."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from casefile_story import (
    HANDOVER,
    OVERRIDE_REASON,
    SUBSET,
    font_report,
    pdf_pages,
    pdf_text,
    tell,
)

from bco.application import BCOApplication
from bco.domain.case import CallOutcome, IndexPerson
from bco.domain.errors import NotFoundError
from bco.domain.interview import InterviewStatus
from bco.reports.casefile import build_case_file
from bco.reports.output import case_file_pdf


def test_as_of_replays_only_what_happened_until_then(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    then = app.case_as_of(story.case_id, story.halfway)
    assert then.interview is not None
    assert [c.name for c in then.interview.live_contacts] == ["Jan de Vries"]
    assert then.interview.status == InterviewStatus.IN_PROGRESS
    assert then.interview.handovers == []
    assert all(e.timestamp <= story.halfway for e in then.events)
    now = app.case_as_of(story.case_id, clock.now)
    assert now.interview is not None and now.interview.version == app.get_interview(
        story.interview_id).version
    assert now.case.version == app.get_case(story.case_id).version
    before_interview = app.case_as_of(story.case_id, then.case.call_attempts[0].at)
    assert before_interview.interview is None and len(before_interview.case.call_attempts) == 1
    with pytest.raises(NotFoundError, match="not registered yet"):
        app.case_as_of(story.case_id, then.case.received_at - timedelta(days=1))


def test_as_of_stops_at_the_first_later_event_when_clocks_disagree(
        app: BCOApplication, clock) -> None:
    """Two nodes whose clocks differ: version 3 stamped after version 4. The case as of a
    moment between them is replayed up to version 2, never with a gap in its versions."""
    case_id = app.register_case(person=IndexPerson(name="Scheve Klok", phone="0612345678"),
                                disease="covid-19", onset=date(2026, 11, 22),
                                actor="anna").aggregate_id
    clock.advance(minutes=5)
    app.assign_case(case_id, "tracer", "north", actor="lead")
    clock.advance(minutes=10)
    app.log_call_attempt(case_id, CallOutcome.NO_ANSWER, actor="tracer")  # a fast clock
    clock.advance(minutes=-8)
    app.log_call_attempt(case_id, CallOutcome.REACHED, actor="tracer")  # a right one
    between = clock.now + timedelta(minutes=1)
    then = app.case_as_of(case_id, between)
    assert then.case.version == 2 and then.case.call_attempts == []
    assert [e.originator_version for e in then.events] == [1, 2]
    assert build_case_file(app, case_id, as_of=between, language="en").reference


def test_the_earlier_file_lacks_what_came_later(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    reference = f"C-{str(story.case_id)[:8]}"
    early = pdf_text(case_file_pdf(app, story.case_id, as_of=story.halfway, language="en"))
    late = pdf_text(case_file_pdf(app, story.case_id, as_of=None, language="en"))
    for text in (early, late):
        assert f"Case file {reference}" in text
        assert "Sanne de Vries" in text and "4 March 1980" in text and "06 12345678" in text
        assert "3511 AB" in text and "Speaks Dutch" in text and "COVID-19" in text
        assert "First day of symptoms Mon 23 Nov 2026" in text
        assert "25 Nov 2026 10:20 tracer Call attempt: No answer Rang out twice" in text
        assert "Assigned to tracer (team north)" in text
        # Table cells wrap, and the text of a row comes out line by line across its cells.
        assert "Jan de Vries" in text and "Category 1:" in text and "household member" in text
        assert "Which symptoms do you have? Fever, Cough" in text
        guide = app.catalog.current_version(app.catalog.chosen("covid-19", None))[0]
        assert guide.content_hash in text and f"covid-19, version {guide.version}" in text
    assert "The case as it stood on Wednesday 25 November 2026 10:52." in early
    assert "Status then: interview in progress." in early
    assert "Anything recorded after that moment is not in this case file." in early
    assert "Contacts (1)" in early
    for later in ("Piet Collega", HANDOVER, OVERRIDE_REASON, "Interview completed",
                  "Informed — advice given", "tracer2"):
        assert later not in early, later
        assert later in late, later
    assert "Contacts (2)" in late and "Status then: interviewed." in late
    # The rules give category 3 (no distance known); the tracer chose 2b, and says why.
    assert "Category 2b:" in late and "Set by the tracer," in late and "instead of" in late
    assert re.search(r"Completeness: \d+%", early) and re.search(r"Completeness: \d+%", late)
    assert "Still missing at this moment:" in early


def test_every_page_has_the_header_and_page_x_of_y(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    pages = pdf_pages(case_file_pdf(app, story.case_id, as_of=None, language="en"))
    assert len(pages) >= 2
    reference = f"C-{str(story.case_id)[:8]}"
    for number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        assert lines[0] == (f"Case file {reference} "
                            "Confidential: medical data. Do not copy or pass on.")
        assert lines[-1].endswith(f"page {number} of {len(pages)}")
        assert lines[-1].startswith("As of 25 Nov 2026 13:57 · printed 25 Nov 2026 13:57 "
                                    "(Europe/Amsterdam)")


def test_dutch_reader_gets_dutch_words_and_the_dutch_guide(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    pages = pdf_pages(case_file_pdf(app, story.case_id, as_of=story.halfway, language="nl"))
    text = " ".join(" ".join(pages).split())
    assert pages[0].splitlines()[0].startswith(f"Dossier C-{str(story.case_id)[:8]} Vertrouwelijk")
    assert pages[-1].splitlines()[-1].endswith(f"pagina {len(pages)} van {len(pages)}")
    assert "De casus zoals die er op woensdag 25 november 2026 10:52 voor stond." in text
    assert "Indexpersoon" in text and "Geboortedatum 4 maart 1980" in text
    assert "Belpoging: Geen gehoor" in text and "Verloop" in text
    assert "Welke klachten heeft u? Koorts, Hoesten" in text
    assert "Categorie 1:" in text and "huisgenoot" in text and "Buiten de bubbel" not in text
    assert "Case file" not in text and "Still missing" not in text


def test_fonts_are_embedded_and_subset(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    names, embedded = font_report(case_file_pdf(app, story.case_id, as_of=None, language="nl"))
    assert names and all(SUBSET.match(name) for name in names), names
    assert embedded >= 1


def test_a_case_without_an_interview_says_so(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    first_call = app.get_case(story.case_id).call_attempts[0].at
    built = build_case_file(app, story.case_id, as_of=first_call, language="en")
    assert built.interview is None and built.contacts == [] and built.completeness is None
    text = pdf_text(case_file_pdf(app, story.case_id, as_of=first_call, language="en"))
    assert "No interview had started at this moment." in text
    assert "Call attempt: Reached" not in text


def test_typed_markup_is_printed_as_text(app: BCOApplication, clock) -> None:
    story = tell(app, clock)
    reason = '<img src="file:///etc/passwd"> </style> & done'
    app.close_case(story.case_id, reason, actor="lead")
    text = pdf_text(case_file_pdf(app, story.case_id, as_of=None, language="en"))
    assert f"Case closed: {reason}" in text and f"Closed because {reason}" in text
