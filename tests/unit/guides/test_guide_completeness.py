"""Completeness: a score and the missing items, each pointing at the step that fixes it."""

from __future__ import annotations

import dataclasses
from datetime import date

from bco.domain.personal import REMOVED
from bco.guides.completeness import assess, completeness
from bco.guides.model import Guide
from bco.guides.state import ContactFacts, InterviewState

ONSET = date(2026, 11, 20)
TODAY = date(2026, 11, 21)


def complete_state() -> InterviewState:
    """An interview of the example guide where nothing is missing."""
    return InterviewState(
        answers={"identity_confirmed": True, "has_symptoms": True, "onset_date": "2026-11-20",
                 "household_size": 1, "went_to_work": True, "who_informs": "index"},
        contacts=(
            ContactFacts(name="Sam", day=date(2026, 11, 21), setting="home", household=True,
                         phone="+31612345678", prompt="household_size"),
            ContactFacts(name="Kim", day=date(2026, 11, 19), setting="work", phone="+3120",
                         facts={"duration_min": 30}, prompt="day:2026-11-19"),
        ),
        done=frozenset({"day:2026-11-20", "day:2026-11-21", "setting:home", "setting:work",
                        "final"}),
        onset=ONSET,
    )


def test_nothing_missing_scores_100(example: Guide) -> None:
    result = completeness(example, complete_state(), TODAY)
    assert result.missing == []
    assert result.score == 100


def test_missing_items_point_at_their_steps(example: Guide) -> None:
    result = completeness(example, InterviewState(onset=ONSET), TODAY, "en")
    steps = {m.item: m.step for m in result.missing}
    assert steps["question:identity_confirmed"] == "identity_confirmed"
    assert steps["day:2026-11-19"] == "day:2026-11-19"
    assert "day:2026-11-22" not in steps, "days after today cannot be walked yet"
    assert steps["setting:work"] == "setting:work"
    assert steps["household"] == "household_size"
    assert steps["consistency:work-without-contacts"] == "went_to_work"
    assert steps["final"] == "final"
    assert 0 <= result.score < 100


def test_household_gap_points_at_the_household_probe(example: Guide) -> None:
    state = InterviewState(answers={"household_size": 3},
                           contacts=(ContactFacts(name="Sam", household=True),), onset=ONSET)
    (gap,) = [m for m in completeness(example, state, TODAY, "en").missing
              if m.item == "household"]
    assert gap.step == "household"
    assert gap.text == "3 housemates mentioned, 1 recorded as contacts."


def test_contact_details_are_required(example: Guide) -> None:
    state = InterviewState(contacts=(ContactFacts(name="Sam", id="c-1"),), onset=ONSET)
    missing = {m.item: m for m in completeness(example, state, TODAY, "nl").missing}
    assert missing["contact:c-1:reach"].step == "contact:c-1"
    assert "contact:c-1:day" in missing and "contact:c-1:category" in missing
    assert "contact:c-1:name" not in missing
    assert missing["contact:c-1:reach"].text.startswith("Contact Sam: telefoon")


def test_a_contact_erased_after_retention_has_no_items_to_fill(example: Guide) -> None:
    """Its details cannot be asked for any more: the interview scores as if the rest were all
    there is, and a contact named after a reopen still has its own items."""
    whole = complete_state()
    erased = ContactFacts(name=str(REMOVED), id="c-1", erased=True)  # no reach, day, category
    kept = dataclasses.replace(whole, contacts=(*whole.contacts, erased))
    result = completeness(example, kept, TODAY, "en")
    assert (result.score, result.missing) == (100, [])
    named_later = dataclasses.replace(kept, contacts=(*kept.contacts,
                                                      ContactFacts(name="Noor", id="c-2")))
    assert {m.item for m in completeness(example, named_later, TODAY).missing} == {
        "contact:c-2:reach", "contact:c-2:day", "contact:c-2:category"}
    # what was recorded of it still counts: the erasure lifts the score, never lowers it
    thin = InterviewState(contacts=(ContactFacts(name="Sam", id="c-3", phone="+3120"),),
                          onset=ONSET)
    gone = dataclasses.replace(thin, contacts=(dataclasses.replace(
        thin.contacts[0], name=str(REMOVED), erased=True),))
    assert assess(example, gone, TODAY).score >= assess(example, thin, TODAY).score
    assert [gap for gap in assess(example, gone, TODAY).gaps
            if gap.item.startswith("contact:")] == []


def test_a_reason_instead_of_a_phone_number_is_enough(example: Guide) -> None:
    state = InterviewState(onset=ONSET, contacts=(
        ContactFacts(name="Passer-by", unreachable_reason="name unknown, met on the bus"),))
    items = {m.item for m in completeness(example, state, TODAY).missing}
    assert "contact:0:reach" not in items


def test_a_tracer_override_settles_the_category(example: Guide) -> None:
    state = InterviewState(onset=ONSET, contacts=(ContactFacts(name="Sam", category="high"),))
    items = {m.item for m in completeness(example, state, TODAY).missing}
    assert "contact:0:category" not in items


def test_without_dates_the_window_is_missing(example: Guide) -> None:
    missing = {m.item: m.step for m in completeness(example, InterviewState(), TODAY).missing}
    assert missing["dates"] == "onset_date"


def test_a_waiting_question_points_at_the_answer_it_waits_for(covid: Guide) -> None:
    missing = {m.item: m.step for m in completeness(covid, InterviewState(onset=ONSET),
                                                    TODAY).missing}
    assert missing["question:onset_date"] == "has_symptoms"
    assert "question:callback_time" not in missing, "an optional question is never missing"
    texts = {m.item: m.text for m in completeness(covid, InterviewState(onset=ONSET), TODAY,
                                                  "en").missing}
    assert texts["question:onset_date"].startswith("Depends on an earlier answer: On which day")
    assert texts["question:has_symptoms"].startswith("Question not answered yet: ")


def test_filling_gaps_raises_the_score(example: Guide) -> None:
    empty = completeness(example, InterviewState(onset=ONSET), TODAY).score
    partial = completeness(example, InterviewState(
        answers={"identity_confirmed": True}, done=frozenset({"final"}), onset=ONSET), TODAY).score
    assert empty < partial < 100


def mixed(contacts: tuple[ContactFacts, ...]) -> InterviewState:
    """The complete interview, but the index informs some contacts and the service others."""
    state = complete_state()
    return InterviewState(answers={**state.answers, "who_informs": "mixed"}, contacts=contacts,
                          done=state.done, onset=ONSET)


def test_with_a_mixed_answer_every_contact_needs_its_own_informer(example: Guide) -> None:
    example = dataclasses.replace(example, inform_question="who_informs")
    sam, kim = complete_state().contacts
    result = completeness(example, mixed((dataclasses.replace(sam, id="c-1"),
                                          dataclasses.replace(kim, id="c-2"))), TODAY, "en")
    assert result.score < 100
    assert [(m.item, m.step) for m in result.missing] == [
        ("contact:c-1:informs", "contact:c-1"), ("contact:c-2:informs", "contact:c-2")]
    assert result.missing[0].text.startswith("Contact Sam: nobody chosen yet to inform")
    chosen = mixed((dataclasses.replace(sam, informs="index"),
                    dataclasses.replace(kim, informs="authority")))
    assert completeness(example, chosen, TODAY).score == 100


def test_before_the_index_says_who_informs_each_contact_waits_for_that_answer(
        example: Guide) -> None:
    example = dataclasses.replace(example, inform_question="who_informs")
    state = complete_state()
    unanswered = InterviewState(answers={k: v for k, v in state.answers.items()
                                         if k != "who_informs"},
                                contacts=state.contacts, done=state.done, onset=ONSET)
    steps = {m.item: m.step for m in completeness(example, unanswered, TODAY).missing}
    assert steps == {"question:who_informs": "who_informs", "contact:0:informs": "who_informs",
                     "contact:1:informs": "who_informs"}
    assert completeness(example, state, TODAY).score == 100, "'index' settles it for everyone"


def test_a_new_contact_adds_its_own_items_and_names_them(example: Guide) -> None:
    state = InterviewState(answers={"identity_confirmed": True}, onset=ONSET)
    before = assess(example, state, TODAY)
    added = dataclasses.replace(state, contacts=(ContactFacts(name="Noor", id="c-9"),))
    after = assess(example, added, TODAY)
    assert {gap.item for gap in after.opened_since(before)} == {
        "contact:c-9:reach", "contact:c-9:day", "contact:c-9:category"}


def test_the_score_counts_only_what_was_asked(covid: Guide) -> None:
    assert completeness(covid, InterviewState(), TODAY).score == 0
    eight = tuple(ContactFacts(name=f"C{n}", id=f"c-{n}", day=ONSET, phone="+31612345678",
                               category="2a" if n < 2 else None) for n in range(8))
    state = InterviewState(answers={"who_informs": "authority"}, contacts=eight, onset=ONSET)
    missing = {m.item for m in completeness(covid, state, TODAY).missing}
    assert {f"contact:c-{n}:category" for n in range(2, 8)} <= missing
