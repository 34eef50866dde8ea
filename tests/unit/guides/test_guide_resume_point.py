"""Where the tracer goes on (issue 12, item 3): the first open required item in guide order,
after the lines leading into its section; never an optional question or a line left unmarked
in a section already passed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from conftest import example_guide_text

from bco.guides.engine import all_steps, next_steps, resume_point
from bco.guides.loader import load_guide
from bco.guides.model import Guide
from bco.guides.progress import measure
from bco.guides.state import InterviewState

TODAY = date(2026, 11, 27)
ONSET = TODAY - timedelta(days=2)


def resume(guide: Guide, state: InterviewState) -> str | None:
    progress = measure(guide, state, TODAY)
    step = resume_point(guide, state, progress, all_steps(guide, state, TODAY, "en",
                                                          progress=progress))
    return None if step is None else step.id


def test_a_fresh_interview_starts_with_its_first_line(covid: Guide) -> None:
    assert resume(covid, InterviewState()) == "script:greeting"


def test_an_optional_question_and_unmarked_lines_do_not_hold_it_up(covid: Guide) -> None:
    state = InterviewState(answers={
        "identity_confirmed": True, "good_moment": True, "has_symptoms": True,
        "onset_date": ONSET.isoformat(), "vulnerable_self": False}, onset=ONSET)
    assert next_steps(covid, state, TODAY, "en")[0].id == "script:why-we-call"
    # the purpose lines and 'which symptoms' (optional) stay open; the source section is next,
    # untouched, so its opening line comes first
    assert resume(covid, state) == "script:source-intro"
    started = InterviewState(answers={**state.answers, "known_case_contact": False}, onset=ONSET)
    assert resume(covid, started) == "gathering"


def test_an_optional_question_a_required_one_waits_on_is_asked(tmp_path: Path) -> None:
    """The onset date (required) is shown only after 'any symptoms?': with that question
    optional, it is still where to go on, as nothing decides the onset question otherwise."""
    text = example_guide_text().replace(
        "      - id: has_symptoms\n        type: yesno\n",
        "      - id: has_symptoms\n        type: yesno\n        required: false\n")
    assert "required: false" in text
    path = tmp_path / "gated.yaml"
    path.write_text(text, encoding="utf-8")
    guide = load_guide(path)
    state = InterviewState(answers={"identity_confirmed": True},
                           done=frozenset({"script:greeting"}))
    assert resume(guide, state) == "has_symptoms"
    answered = InterviewState(answers={"identity_confirmed": True, "has_symptoms": False},
                              done=frozenset({"script:greeting"}))
    assert resume(guide, answered) == "household_size"


def test_nothing_required_left_means_no_resume_point(covid: Guide) -> None:
    """Walk the engine's proposals to the end (lines marked said last): the resume point is
    every time one of the proposals, and None once only optional steps are left."""
    state = InterviewState(onset=ONSET)
    for _ in range(200):
        point = resume(covid, state)
        proposals = [s.id for s in next_steps(covid, state, TODAY, "en")]
        if point is None:
            break
        assert point in proposals
        step = next(s for s in next_steps(covid, state, TODAY, "en") if s.id == point)
        if step.kind == "question":
            value: object = {"yesno": False, "number": 0, "date": ONSET.isoformat(),
                             "choice": step.options[0][0] if step.options else "x",
                             "multichoice": [], "contacts": 0}.get(step.type or "", "x")
            state = InterviewState(answers={**state.answers, step.id: value},
                                   done=state.done, onset=ONSET)
        else:
            state = InterviewState(answers=state.answers, done=state.done | {step.id},
                                   onset=ONSET)
    assert resume(covid, state) is None
    left = next_steps(covid, state, TODAY, "en")
    assert all(s.kind == "script" or not s.required for s in left), left
