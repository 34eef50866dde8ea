"""Guides that stop short: a question that can reveal contacts needs a follow-up recording them;
missing-item wording and the contact details required are the guide's own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import example_guide_text
from story_player import Memory, Story, play
from test_guide_errors import line_of, refuse
from test_guide_stories import ONSET, TODAY, housemate, told_and_surfaced

from bco.cli.guides import guides
from bco.guides.completeness import completeness
from bco.guides.contact_category import contact_category
from bco.guides.loader import default_guides_dir
from bco.guides.model import Guide
from bco.guides.state import ContactFacts, InterviewState

VL = default_guides_dir() / "covid-19-vl.yaml"
FOLLOW_UP = """      - id: close_bubble_contacts
        type: contacts
        show_if: {question: close_bubble_outside_home, equals: true}
"""


def test_check_names_a_question_whose_contacts_nothing_records(tmp_path: Path) -> None:
    text = VL.read_text(encoding="utf-8").replace(FOLLOW_UP, """      - id: close_bubble_contacts
        type: contacts
        show_if: {question: close_bubble_outside_home, equals: false}
""")
    path = tmp_path / "vl.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(guides, ["check", str(path)])
    assert result.exit_code == 1
    line = line_of(text, "- id: close_bubble_outside_home") + 2  # its reveals_contacts line
    assert (f"{path}:{line}: sections[4].questions[2].reveals_contacts: a yes can reveal "
            "contacts, but nothing records them") in result.output


def test_a_consistency_probe_on_the_yes_is_a_follow_up(tmp_path: Path) -> None:
    source = example_guide_text()
    assert "reveals_contacts: true" in source
    text = source.replace("when: {question: went_to_work, equals: true}",
                          "when: {question: went_to_work, equals: false}")
    messages = refuse(tmp_path, text)
    assert [m.split(": ")[1] for m in messages] == ["sections[1].questions[1].reveals_contacts"]
    assert "consistency probe whose 'when' uses 'went_to_work'" in messages[0]


@pytest.mark.parametrize(("old", "new", "path", "says"), [
    ("        type: number\n        text:\n          nl: Met hoeveel",
     "        type: number\n        reveals_contacts: true\n"
     "        text:\n          nl: Met hoeveel",
     "sections[1].questions[0].reveals_contacts", "only yes/no questions take reveals_contacts"),
])
def test_reveals_contacts_is_for_yes_no_questions(tmp_path: Path, old: str, new: str,
                                                  path: str, says: str) -> None:
    messages = refuse(tmp_path, example_guide_text().replace(old, new, 1))
    assert any(f": {path}: {says}" in m for m in messages), messages


@pytest.mark.parametrize(("defaults", "key", "says"), [
    ("{in_bubble: true, shoe_size: 42}", "shoe_size", "unknown fact 'shoe_size'"),
    ("{in_bubble: 'yes'}", "in_bubble", "fact 'in_bubble' is boolean; got 'yes'"),
])
def test_contact_defaults_name_declared_facts(tmp_path: Path, defaults: str, key: str,
                                              says: str) -> None:
    text = VL.read_text(encoding="utf-8").replace("contact_defaults: {in_bubble: true}",
                                                  f"contact_defaults: {defaults}")
    messages = refuse(tmp_path, text)
    assert any(f"sections[4].questions[3].contact_defaults.{key}: {says}" in m
               for m in messages), messages


def test_everyone_named_under_the_bubble_question_is_in_the_bubble(
        shipped: dict[str, Guide]) -> None:
    guide = shipped["covid-19-vl"]
    kissed = {"high_risk_exposure": True}
    inside = ContactFacts(name="Oma Jet", prompt="close_bubble_contacts", facts=kissed)
    outside = ContactFacts(name="Oma Jet", prompt="setting:visits", facts=kissed)
    recorded_out = ContactFacts(name="Oma Jet", prompt="close_bubble_contacts",
                                facts={**kissed, "in_bubble": False})
    assert contact_category(guide, inside).category == "high-risk-in-bubble"
    assert contact_category(guide, outside).category == "high-risk-outside-bubble"
    assert contact_category(guide, recorded_out).category == "high-risk-outside-bubble"


def test_the_flemish_bubble_outside_the_home_is_followed_up(shipped: dict[str, Guide]) -> None:
    """A grandmother seen every week comes up only when the bubble question gets its yes."""
    story = Story(
        onset=ONSET, today=TODAY,
        told=(housemate("Sam", date(2026, 11, 21), "high-risk-in-bubble"),),
        answers={"identity_confirmed": True, "good_moment": True, "has_symptoms": True,
                 "household_size": 1, "close_bubble_outside_home": True},
        memories=(
            Memory("close_bubble_contacts", "Oma Jet", day=date(2026, 11, 19),
                   facts={"high_risk_exposure": True}),
            Memory("household", "Lotte", day=date(2026, 11, 21), category="high-risk-in-bubble"),
        ),
    )
    transcript = told_and_surfaced(shipped["covid-19-vl"], story)
    (jet,) = [c for c in transcript.state.contacts if c.name == "Oma Jet"]
    assert contact_category(shipped["covid-19-vl"], jet).category == "high-risk-in-bubble"
    unanswered = play(shipped["covid-19-vl"], Story(
        onset=ONSET, today=TODAY, told=story.told, memories=(),
        answers={**story.answers, "close_bubble_outside_home": False}))
    assert "close_bubble_contacts" not in unanswered.asked


@pytest.mark.parametrize(("guide_id", "language", "names", "never"), [
    ("measles", "nl", ["BMR", "kwetsbaar", "zwanger"], "duur, afstand"),
    ("measles", "en", ["MMR", "vulnerable", "pregnant"], "duration, distance"),
    ("covid-19", "nl", ["1,5 meter", "aangehoest"], "BMR"),
    ("tuberculosis", "en", ["hours", "under five"], "MMR"),
])
def test_the_category_gap_says_what_this_disease_needs(
        shipped: dict[str, Guide], guide_id: str, language: str, names: list[str],
        never: str) -> None:
    state = InterviewState(onset=ONSET, contacts=(
        ContactFacts(name="Mees", id="c-1", day=ONSET, phone="+31612345678"),))
    (gap,) = [m for m in completeness(shipped[guide_id], state, TODAY, language).missing
              if m.item == "contact:c-1:category"]
    assert gap.text.startswith("Contact Mees: ")
    assert all(word in gap.text for word in names), gap.text
    assert never not in gap.text


def test_tuberculosis_needs_no_day_of_last_contact_covid_does(
        shipped: dict[str, Guide]) -> None:
    contact = ContactFacts(name="Dirk", id="c-1", phone="+31612345678", category="ring-2",
                           informs="authority")
    state = InterviewState(onset=ONSET, contacts=(contact,))
    tb = {m.item for m in completeness(shipped["tuberculosis"], state, TODAY).missing}
    assert "contact:c-1:day" not in tb and "contact:c-1" not in str(sorted(tb))
    covid = InterviewState(onset=ONSET, contacts=(
        ContactFacts(name="Dirk", id="c-1", phone="+31612345678", category="2a"),))
    assert "contact:c-1:day" in {m.item for m in
                                 completeness(shipped["covid-19"], covid, TODAY).missing}


def test_every_shipped_question_that_reveals_contacts_is_followed_up(
        shipped: dict[str, Guide]) -> None:
    flagged = {g.id: sorted(q.id for q in g.questions.values() if q.reveals_contacts)
               for g in shipped.values()}
    assert "close_bubble_outside_home" in flagged["covid-19-vl"]
    assert all(flagged.values()), flagged
