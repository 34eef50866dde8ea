"""The engine proposes what the tracer says, asks and probes next, in order."""

from __future__ import annotations

from datetime import date

import pytest

from bco.guides.engine import all_steps, next_steps
from bco.guides.model import Guide
from bco.guides.progress import measure
from bco.guides.state import ContactFacts, InterviewState

ONSET = date(2026, 11, 20)
TODAY = date(2026, 11, 21)


def ids(guide: Guide, state: InterviewState, today: date = TODAY,
        language: str = "en") -> list[str]:
    return [step.id for step in next_steps(guide, state, today, language)]


def test_a_fresh_interview_starts_with_the_greeting(example: Guide) -> None:
    steps = next_steps(example, InterviewState(onset=ONSET), TODAY, "nl")
    assert steps[0].id == "script:greeting"
    assert steps[0].kind == "script"
    assert steps[0].text.startswith("Goedendag")
    assert steps[1].id == "identity_confirmed"
    assert steps[1].options == ((True, "Ja"), (False, "Nee"))


def test_full_order_of_a_fresh_interview(example: Guide) -> None:
    assert ids(example, InterviewState(onset=ONSET)) == [
        "script:greeting", "identity_confirmed", "has_symptoms", "household_size",
        "went_to_work", "day:2026-11-19", "day:2026-11-20", "day:2026-11-21",
        "setting:home", "setting:work", "final", "who_informs", "script:next-steps",
    ]


def test_answered_questions_are_never_proposed_again(example: Guide) -> None:
    state = InterviewState(answers={"identity_confirmed": True, "has_symptoms": False},
                           onset=ONSET)
    proposed = ids(example, state)
    assert "identity_confirmed" not in proposed and "has_symptoms" not in proposed
    assert "script:greeting" not in proposed, "a section's opening line goes once it is done"


def test_conditional_question_appears_once_its_condition_holds(example: Guide) -> None:
    assert "onset_date" not in ids(example, InterviewState(onset=ONSET))
    yes = InterviewState(answers={"has_symptoms": True}, onset=ONSET)
    no = InterviewState(answers={"has_symptoms": False}, onset=ONSET)
    assert "onset_date" in ids(example, yes)
    assert "onset_date" not in ids(example, no)


def test_days_after_today_are_not_probed(example: Guide) -> None:
    state = InterviewState(onset=ONSET)
    assert [i for i in ids(example, state, date(2026, 11, 19)) if i.startswith("day:")] == [
        "day:2026-11-19"
    ]
    assert [i for i in ids(example, state, date(2026, 11, 18)) if i.startswith("day:")] == []


def test_a_day_is_walked_once_its_prompt_was_answered_not_by_a_contact_date(
        example: Guide) -> None:
    state = InterviewState(
        contacts=(ContactFacts(name="Sam", day=date(2026, 11, 19)),
                  ContactFacts(name="Kim", day=date(2026, 11, 18), prompt="day:2026-11-21")),
        done=frozenset({"day:2026-11-20"}), onset=ONSET,
    )
    assert [i for i in ids(example, state) if i.startswith("day:")] == ["day:2026-11-19"]


def test_day_probe_names_the_day_in_the_language(example: Guide) -> None:
    state = InterviewState(onset=ONSET)
    (dutch,) = [s for s in next_steps(example, state, TODAY, "nl") if s.id == "day:2026-11-20"]
    (english,) = [s for s in next_steps(example, state, TODAY, "en") if s.id == "day:2026-11-20"]
    assert "vrijdag 20 november" in dutch.text
    assert "Friday 20 November" in english.text
    assert (english.trigger, english.day) == ("day", date(2026, 11, 20))


def test_covid_walks_days_newest_first(covid: Guide) -> None:
    days = [i for i in ids(covid, InterviewState(onset=ONSET), date(2026, 11, 22))
            if i.startswith("day:")]
    assert days == ["day:2026-11-22", "day:2026-11-21", "day:2026-11-20", "day:2026-11-19",
                    "day:2026-11-18"]


def test_household_probe_when_fewer_housemates_recorded(example: Guide) -> None:
    state = InterviewState(
        answers={"household_size": 2},
        contacts=(ContactFacts(name="Sam", household=True),), onset=ONSET,
    )
    (probe,) = [s for s in next_steps(example, state, TODAY, "en") if s.id == "household"]
    assert probe.trigger == "household"
    assert "You mentioned 2 housemates; I have 1" in probe.text
    enough = InterviewState(answers={"household_size": 1}, onset=ONSET, contacts=(
        ContactFacts(name="Sam", household=True, prompt="household"),))
    assert "household" not in ids(example, enough)
    told = InterviewState(answers={"household_size": 1},
                          contacts=(ContactFacts(name="Sam", household=True),), onset=ONSET)
    assert "household" in ids(example, told), "a count met in free recall is not the check"
    answered = InterviewState(answers={"household_size": 2}, done=frozenset({"household"}),
                              onset=ONSET)
    assert "household" not in ids(example, answered)


def test_setting_answered_yes_without_contacts_triggers_a_consistency_probe(
    example: Guide,
) -> None:
    worked = InterviewState(answers={"went_to_work": True}, onset=ONSET)
    steps = {s.id: s for s in next_steps(example, worked, TODAY, "en")}
    probe = steps["consistency:work-without-contacts"]
    assert (probe.trigger, probe.setting) == ("consistency", "work")
    colleague = InterviewState(answers={"went_to_work": True}, onset=ONSET,
                               contacts=(ContactFacts(name="Kim", setting="work"),))
    assert "consistency:work-without-contacts" not in ids(example, colleague)
    stayed_home = InterviewState(answers={"went_to_work": False}, onset=ONSET)
    assert "consistency:work-without-contacts" not in ids(example, stayed_home)


def test_a_contact_surfacing_under_a_setting_prompt_marks_it_asked(example: Guide) -> None:
    state = InterviewState(onset=ONSET,
                           contacts=(ContactFacts(name="Kim", prompt="setting:work"),))
    proposed = ids(example, state)
    assert "setting:work" not in proposed and "setting:home" in proposed


def test_final_pass_and_end_lines_go_once_done(example: Guide) -> None:
    state = InterviewState(onset=ONSET, done=frozenset({"final", "script:next-steps"}))
    proposed = ids(example, state)
    assert "final" not in proposed and "script:next-steps" not in proposed


def test_without_dates_there_are_no_day_probes_until_onset_is_answered(example: Guide) -> None:
    assert not [i for i in ids(example, InterviewState()) if i.startswith("day:")]
    answered = InterviewState(answers={"has_symptoms": True, "onset_date": "2026-11-20"})
    assert "day:2026-11-19" in ids(example, answered)


def test_tuberculosis_probes_settings_not_days(shipped: dict[str, Guide]) -> None:
    proposed = ids(shipped["tuberculosis"], InterviewState(onset=ONSET), date(2026, 12, 1))
    assert not [i for i in proposed if i.startswith("day:")]
    assert "setting:shared_housing" in proposed


def test_question_steps_carry_type_section_options_and_why(covid: Guide) -> None:
    steps = {s.id: s for s in next_steps(covid, InterviewState(onset=ONSET), TODAY, "nl")}
    informs = steps["who_informs"]
    assert (informs.kind, informs.type, informs.section) == ("question", "choice", "closing")
    assert [v for v, _ in informs.options] == ["index", "authority", "mixed"]
    assert informs.why and "anoniem" in informs.why
    shape = informs.to_json()
    assert shape["options"][1] == {"value": "authority",
                                   "label": "De GGD belt ze, zonder mijn naam"}


def test_unknown_language_is_refused(example: Guide) -> None:
    with pytest.raises(ValueError, match="choose one of: nl, en"):
        next_steps(example, InterviewState(), TODAY, "fr")


def test_all_steps_shows_every_section_with_status(example: Guide) -> None:
    state = InterviewState(answers={"has_symptoms": False, "household_size": 0}, onset=ONSET)
    sections = all_steps(example, state, TODAY, "en")
    assert [s.id for s in sections] == ["opening", "household", "recall", "closing"]
    status = {v.step.id: v.status for s in sections for v in s.steps}
    assert status["has_symptoms"] == "answered"
    assert status["onset_date"] == "skipped"
    assert status["day:2026-11-22"] == "later"
    assert status["household"] == "not_needed"
    assert status["consistency:work-without-contacts"] == "waiting"
    answered = next(v for s in sections for v in s.steps if v.step.id == "household_size")
    assert answered.to_json()["answer"] == 0


def test_the_onset_the_index_gives_places_the_window(covid: Guide) -> None:
    """A case notified with a test date only: the onset answered in the interview moves the
    infectious window back, so the days before the test are walked too."""
    test_date = date(2026, 11, 19)
    notified = InterviewState(answers={"has_symptoms": True}, test_date=test_date)
    answered = InterviewState(answers={"has_symptoms": True, "onset_date": "2026-11-15"},
                              test_date=test_date)
    corrected = InterviewState(answers={"has_symptoms": True, "onset_date": "2026-11-15"},
                               onset=date(2026, 11, 18), test_date=test_date)
    assert measure(covid, notified, TODAY).windows.infectious.start == date(2026, 11, 17)
    for state in (answered, corrected):
        window = measure(covid, state, TODAY).windows
        assert (window.anchor, window.infectious.start) == ("onset", date(2026, 11, 13))
    assert "day:2026-11-13" in ids(covid, answered)


def test_an_opening_line_stops_holding_up_next_once_the_section_is_under_way(
        example: Guide) -> None:
    """The tracer answered a question of the section without marking its opening line said:
    'Next' moves on to what is still open instead of waiting on the line."""
    state = InterviewState(answers={"identity_confirmed": True}, onset=ONSET)
    assert ids(example, state)[0] == "has_symptoms"
    opening = next(section for section in all_steps(example, state, TODAY, "en")
                   if any(view.step.id == "script:greeting" for view in section.steps))
    greeting = next(view for view in opening.steps if view.step.id == "script:greeting")
    assert greeting.status == "not_needed"
    said = InterviewState(answers={"identity_confirmed": True}, onset=ONSET,
                          done=frozenset({"script:greeting"}))
    assert next(view.status for section in all_steps(example, said, TODAY, "en")
                for view in section.steps if view.step.id == "script:greeting") == "done"
