"""Broken guides are refused with file, line, path and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import example_guide_text

from bco.guides.loader import GuideError, load_guide, load_guides


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line where `needle` first appears."""
    return text[: text.index(needle)].count("\n") + 1


def refuse(tmp_path: Path, text: str) -> list[str]:
    """Write `text` as a guide and return the messages it is refused with."""
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GuideError) as raised:
        load_guide(path)
    return raised.value.messages


# (replace this, with that, the line to point at, the path, what the message must say)
BROKEN = [
    ("show_if: {question: has_symptoms, equals: true}", "show_if: {question: has_symptoms}",
     "show_if: {question: has_symptoms}", "sections[0].questions[2].show_if",
     "expected an object with 'question' and one of 'equals'/'in'/"),
    ("show_if: {question: has_symptoms, equals: true}",
     "show_if: {question: household_size, at_least: 1}", "show_if: {question: household_size",
     "sections[0].questions[2].show_if.question", "which is asked later"),
    ("show_if: {question: has_symptoms, equals: true}", "show_if: {question: nope, equals: 1}",
     "show_if: {question: nope", "sections[0].questions[2].show_if.question",
     "unknown question 'nope'"),
    ("show_if: {question: has_symptoms, equals: true}",
     "show_if: {question: has_symptoms, equals: 'yes'}", "show_if: {question: has_symptoms",
     "sections[0].questions[2].show_if.equals", "expected true or false"),
    ("- id: went_to_work", "- id: has_symptoms", "- id: has_symptoms\n        type: yesno\n"
     "        reveals_contacts: true\n", "sections[1].questions[1].id",
     "duplicate question id 'has_symptoms'"),
    ("          en: Do you have symptoms?\n", "", "text:\n          nl: Heeft u klachten?",
     "sections[0].questions[1].text", "missing required key 'en'"),
    ("{fact: duration_min, at_least: 15}", "{fact: minutes, at_least: 15}",
     "{fact: minutes", "categories.rules[1].when.fact", "undeclared fact 'minutes'"),
    ("{fact: household, equals: true}", "{fact: household, at_least: 1}",
     "{fact: household, at_least", "categories.rules[0].when.at_least",
     "at_least needs a number fact"),
    ("version: 1", "version: one", "version: one", "version", "expected a whole number"),
    ("disease: Example infection", "disease: Example infection\ncolour: red", "colour: red",
     "colour", "unknown key 'colour'"),
    ("        type: yesno\n        text:\n          nl: Heeft",
     "        type: boolean\n        text:\n          nl: Heeft", "type: boolean",
     "sections[0].questions[1].type", "expected one of: text, date, choice"),
    ("probes: [days, settings, consistency, final]", "probes: [settings, consistency, final]",
     "sections:", "sections", "no section lists 'days' under probes"),
    ("unless_contacts_in: work", "unless_contacts_in: gym", "unless_contacts_in: gym",
     "probing.consistency[0].unless_contacts_in", "unknown setting 'gym'"),
    ("languages: [nl, en]", "languages: [nl]", "languages: [nl]", "languages",
     "a list of language codes that includes nl and en"),
    ("category: high\n      when: {fact: household",
     "category: severe\n      when: {fact: household", "category: severe",
     "categories.rules[0].category", "unknown category 'severe'"),
]


@pytest.mark.parametrize(("old", "new", "at", "path", "expected"), BROKEN,
                         ids=[case[4][:30] for case in BROKEN])
def test_broken_guide_message(tmp_path: Path, old: str, new: str, at: str, path: str,
                              expected: str) -> None:
    source = example_guide_text()
    assert old in source
    text = source.replace(old, new, 1)
    messages = refuse(tmp_path, text)
    prefix = f"{tmp_path / 'broken.yaml'}:{line_of(text, at)}: {path}: "
    matching = [m for m in messages if m.startswith(prefix)]
    assert matching, f"no message starts with {prefix!r}: {messages}"
    assert any(expected in m for m in matching), messages


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    text = example_guide_text().replace("version: 1", "version: [1", 1)
    messages = refuse(tmp_path, text)
    assert len(messages) == 1
    assert ": (guide): not valid YAML" in messages[0]


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = example_guide_text().replace("version: 1", "version: 1\nversion: 2", 1)
    (message,) = refuse(tmp_path, text)
    assert message.endswith(f":{line_of(text, 'version: 2')}: version: key 'version' appears twice")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (message,) = refuse(tmp_path, "")
    assert "the file is empty" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = example_guide_text().replace("version: 1", "version: one", 1)
    text = text.replace("disease: Example infection", "disease: 7", 1)
    messages = refuse(tmp_path, text)
    assert {m.split(": ")[1] for m in messages} >= {"version", "disease"}


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(example_guide_text(), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(example_guide_text(), encoding="utf-8")
    with pytest.raises(GuideError) as raised:
        load_guides(tmp_path)
    assert "guide id 'example' is also used by" in raised.value.messages[0]


def test_guide_error_is_a_value_error() -> None:
    assert issubclass(GuideError, ValueError)


@pytest.mark.parametrize(("question", "says"), [
    ("nope", "unknown question 'nope'"),
    ("onset_date", "question 'onset_date' is date; expected a choice question"),
])
def test_inform_question_must_be_a_choice_with_index_and_authority(
        tmp_path: Path, question: str, says: str) -> None:
    shipped = (Path(__file__).parents[3] / "interview_guides" / "covid-19.yaml").read_text()
    text = shipped.replace("inform_question: who_informs", f"inform_question: {question}")
    messages = refuse(tmp_path, text)
    assert any("inform_question" in m and says in m for m in messages), messages


def test_inform_question_without_an_authority_option_is_refused(tmp_path: Path) -> None:
    shipped = (Path(__file__).parents[3] / "interview_guides" / "covid-19.yaml").read_text()
    text = shipped.replace("- {value: authority,", "- {value: ggd,")
    messages = refuse(tmp_path, text)
    assert any("has no option authority" in m for m in messages), messages
