"""The simulated index and the feedback, without I/O: who is named at which prompt, and what
the trainee is told they missed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.practice import Practice
from bco.domain.review import Review
from bco.guides.loader import default_guides_dir, load_guides
from bco.guides.model import Guide
from bco.guides.state import ContactFacts, InterviewState
from bco.training.feedback import assess, matches, pair_up
from bco.training.index import opening, reply
from bco.training.scenarios import Scenario, default_scenarios_dir, load_scenarios

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def guides() -> dict[str, Guide]:
    return load_guides(default_guides_dir())


@pytest.fixture(scope="module")
def birthday(guides: dict[str, Guide]) -> Scenario:
    return load_scenarios(default_scenarios_dir(), guides)["covid-19-birthday-en"]


def test_the_index_names_a_contact_only_at_their_cue(guides: dict[str, Guide],
                                                     birthday: Scenario) -> None:
    guide = guides["covid-19"]
    onset = birthday.key_date(TODAY)
    assert [c.name for c in opening(birthday, birthday.key_date(TODAY)).named] == ["Sam Vos"]
    saturday = reply(birthday, guide, "day:2026-11-21", onset)
    assert [c.name for c in saturday.named] == ["Karin Bakker"]
    friday = reply(birthday, guide, "day:2026-11-20", onset)
    assert friday.named == () and friday.text == birthday.nobody
    answer = reply(birthday, guide, "household_size", onset)
    assert answer.text == "Just my partner, Sam." and answer.named == ()
    assert reply(birthday, guide, "script:greeting", onset).text is None


def test_an_alias_the_index_uses_matches_too(guides: dict[str, Guide]) -> None:
    """"Noa" for "Baby Noa", "grandmother" for "Oma Bakri": written down as the index says it."""
    scenarios = load_scenarios(default_scenarios_dir(), guides)
    noa = next(c for c in scenarios["measles-waiting-room-nl"].contacts if c.name == "Baby Noa")
    oma = next(c for c in scenarios["tuberculosis-hostel-en"].contacts if c.name == "Oma Bakri")
    assert matches("Noa", noa) and matches("baby noa", noa) and not matches("Sem", noa)
    assert matches("Grandmother", oma) and matches("grandma Bakri", oma)
    assert not matches("grandfather", oma)
    paired = dict((t.name, f) for t, f in pair_up(scenarios["tuberculosis-hostel-en"],
                                                  (ContactFacts(name="grandmother"),)))
    assert paired["Oma Bakri"] == ContactFacts(name="grandmother")


def test_names_match_as_the_index_says_them(birthday: Scenario) -> None:
    karin = next(c for c in birthday.contacts if c.name == "Karin Bakker")
    assert matches("Karin", karin) and matches("karin bakker", karin)
    assert not matches("Karen", karin) and not matches("", karin)
    typed = (ContactFacts(name="Karin"), ContactFacts(name="Karin Bakker"))
    paired = dict((true.name, found) for true, found in pair_up(birthday, typed))
    assert paired["Karin Bakker"] == ContactFacts(name="Karin Bakker")  # the exact one first


def test_feedback_names_what_was_missed_and_where(guides: dict[str, Guide],
                                                  birthday: Scenario) -> None:
    guide = guides["covid-19"]
    state = InterviewState(
        contacts=(ContactFacts(name="Sam", household=True, setting="home"),
                  ContactFacts(name="Jeroen", prompt="setting:sport",
                               facts={"duration_min": 60, "distance_m": 1})),
        done=frozenset({"script:greeting", "setting:sport", "day:2026-11-20"}),
        onset=date(2026, 11, 22))
    feedback = assess(birthday, guide, state, TODAY, "en", seconds=754)
    assert feedback.found == ("Sam Vos", "Jeroen Smit") and feedback.true_count == 4
    assert [(m.name, m.prompt) for m in feedback.missed] == [
        ("Karin Bakker", "day:2026-11-21"), ("Els de Groot", "final")]
    assert "Saturday 21 November" in (feedback.missed[0].prompt_text or "")
    assert all(c.right for c in feedback.categories) and not any(
        c.differs for c in feedback.categories)
    typed = InterviewState(contacts=(ContactFacts(name="Sam"), ContactFacts(
        name="Jeroen", prompt="setting:sport", facts={"duration_min": 60, "distance_m": 3})),
        onset=date(2026, 11, 22))
    wrong = {c.name: c.differs for c in assess(birthday, guide, typed, TODAY, "en", 1).categories}
    assert wrong == {"Sam Vos": ("household",), "Jeroen Smit": ("distance_m",)}
    skipped = dict(feedback.skipped_prompts)
    assert "day:2026-11-21" in skipped and "day:2026-11-20" not in skipped
    assert "setting:sport" not in skipped and "final" in skipped
    lines = dict(feedback.skipped_lines)
    assert "script:greeting" not in lines and "script:identity-check" in lines
    assert feedback.to_result()["seconds"] == 754


def test_a_prompt_put_to_the_index_is_asked_and_a_name_it_brought_back_was_not_noted(
        guides: dict[str, Guide], birthday: Scenario) -> None:
    """Prompts put in the side panel count as asked; a contact missed at such a prompt was
    named by the index and not written down, which the feedback says apart from a prompt
    never put."""
    state = InterviewState(contacts=(ContactFacts(name="Sam", household=True, setting="home"),),
                           onset=date(2026, 11, 22))
    asked = frozenset({"day:2026-11-21", "setting:sport", "setting:work"})
    feedback = assess(birthday, guides["covid-19"], state, TODAY, "en", 60, asked=asked)
    missed = {m.name: m.asked for m in feedback.missed}
    assert missed == {"Karin Bakker": True, "Jeroen Smit": True, "Els de Groot": False}
    skipped = dict(feedback.skipped_prompts)
    assert not asked & set(skipped) and "final" in skipped and "day:2026-11-20" in skipped
    assert feedback.to_result()["missed"][0]["asked"] is True


def test_the_index_answers_a_question_not_in_the_story_plainly(
        guides: dict[str, Guide], birthday: Scenario) -> None:
    """"I can't think of anyone else" answers a prompt for people, not a yes/no question."""
    guide, onset = guides["covid-19"], birthday.key_date(TODAY)
    travel = reply(birthday, guide, "travel_abroad", onset)
    assert travel.text == "No." and not travel.about_people
    assert reply(birthday, guide, "setting:work", onset).about_people
    free_text = next(q for q in guide.questions.values()
                     if q.type == "text" and q.id not in birthday.answers)
    unscripted = reply(birthday, guide, free_text.id, onset)
    assert unscripted.text is None and not unscripted.about_people
    saturday = reply(birthday, guide, "day:2026-11-21", onset)
    assert saturday.text is not None and "That Saturday was my sister Karin" in saturday.text


def test_a_finished_practice_takes_no_more_prompts() -> None:
    practice = Practice.start(trainee="tracer", team="north", scenario_id="s", guide_id="g",
                              case_id=uuid4(), interview_id=uuid4(), now=NOW)
    practice.ask("final", now=NOW, actor="tracer")
    practice.ask("final", now=NOW, actor="tracer")  # asked again: nothing new
    assert practice.asked == ["final"]
    with pytest.raises(InvalidValueError):
        practice.ask("x" * 200, now=NOW, actor="tracer")
    practice.finish({"found": []}, now=NOW, actor="tracer")
    with pytest.raises(InvalidTransitionError):
        practice.ask("household", now=NOW, actor="tracer")


def test_a_review_scores_every_item_from_the_scale() -> None:
    review = Review.open(interview_id=uuid4(), case_id=uuid4(), tracer="tracer", now=NOW,
                         actor="lead")
    allowed = {"identity_checked": (0, 1, 2), "bubble_probed": (0, 1, 2)}
    with pytest.raises(InvalidValueError) as refused:
        review.score(rubric_id="r", rubric_version=1, allowed=allowed,
                     scores={"identity_checked": 2, "bubble_probed": 3}, feedback="",
                     now=NOW, actor="lead")
    assert refused.value.field == "bubble_probed"
    with pytest.raises(InvalidValueError):
        review.score(rubric_id="r", rubric_version=1, allowed=allowed,
                     scores={"identity_checked": True, "bubble_probed": 1}, feedback="",
                     now=NOW, actor="lead")
    with pytest.raises(InvalidTransitionError):
        review.score(rubric_id="r", rubric_version=1, allowed=allowed,
                     scores={"identity_checked": 2, "bubble_probed": 1}, feedback="",
                     now=NOW, actor="tracer")
    assert review.reviews == []
    review.score(rubric_id="r", rubric_version=1, allowed=allowed,
                 scores={"identity_checked": 2, "bubble_probed": 1}, feedback="  Goed.  ",
                 now=NOW, actor="lead")
    assert review.reviews[0]["scores"] == {"identity_checked": 2, "bubble_probed": 1}
    assert review.reviews[0]["feedback"] == "Goed."
