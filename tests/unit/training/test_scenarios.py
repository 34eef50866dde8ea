"""Practice scenarios are data checked as strictly as guides: every problem says file:line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bco.guides.loader import default_guides_dir, load_guides
from bco.guides.model import Guide
from bco.guides.phrasing import WEEKDAYS
from bco.training.scenarios import (
    ScenarioError,
    default_scenarios_dir,
    load_scenarios,
    parse_scenario,
)
from bco.training.walk import play

TODAY = date(2026, 11, 25)

VALID = """\
id: tiny
guide: covid-19
language: en
title: Tiny
manner: hurried
index: {name: Test Index, phone: "+31600000001"}
onset_days_ago: 2
answers:
  household_size: {value: 1}
contacts:
  - name: Sam
    cue: unprompted
    household: true
    day: 1
    category: "1"
    says: My partner Sam.
  - name: Fatima
    cue: {day: -1}
    setting: work
    facts: {duration_min: 30, distance_m: 1}
    category: 2a
    says: Oh, lunch with Fatima.
"""


@pytest.fixture(scope="module")
def guides() -> dict[str, Guide]:
    return load_guides(default_guides_dir())


def problems(text: str, guides: dict[str, Guide]) -> list[str]:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, "training/scenarios/tiny.yaml", guides)
    return refused.value.messages


def test_the_shipped_set_covers_every_guide_in_both_languages(guides: dict[str, Guide]) -> None:
    scenarios = load_scenarios(default_scenarios_dir(), guides)
    assert len(scenarios) >= 8
    assert {s.guide_id for s in scenarios.values()} == set(guides)
    for guide_id in guides:
        assert {s.language for s in scenarios.values() if s.guide_id == guide_id} == {"nl", "en"}
    assert {s.manner for s in scenarios.values()} == {"worried", "hurried", "reluctant"}
    cues = {c.cue.split(":")[0] for s in scenarios.values() for c in s.contacts}
    assert {"unprompted", "day", "setting", "household", "final"} <= cues


@pytest.mark.parametrize("path", sorted(default_scenarios_dir().glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_every_contact_of_every_scenario_is_reached_by_its_guide(
        path: Path, guides: dict[str, Guide]) -> None:
    scenario = load_scenarios(default_scenarios_dir(), guides)[path.stem]
    walk = play(scenario, guides[scenario.guide_id], TODAY)
    assert walk.problems == []
    assert set(walk.surfaced) == {c.name for c in scenario.contacts}
    assert walk.score == 100


def test_a_valid_scenario_reads(guides: dict[str, Guide]) -> None:
    scenario = parse_scenario(VALID, "tiny.yaml", guides)
    assert scenario.cue_prompt(scenario.contacts[1], date(2026, 11, 23)) == "day:2026-11-22"
    assert scenario.key_date(TODAY) == date(2026, 11, 23)


def test_a_cue_the_guide_has_not_is_refused_at_its_line(guides: dict[str, Guide]) -> None:
    text = VALID.replace("cue: {day: -1}", "cue: {setting: pub}")
    assert problems(text, guides) == [
        "training/scenarios/tiny.yaml:18: contacts[1].cue: unknown setting 'pub'; the guide has: "
        "care, carpool, home, school, shopping, sport, travel, visits, work, worship"]


def test_schema_problems_name_file_line_and_path(guides: dict[str, Guide]) -> None:
    text = VALID.replace("manner: hurried", "manner: angry").replace("says: Oh, lunch", "sayz: x")
    found = problems(text, guides)
    assert "training/scenarios/tiny.yaml:5: manner: expected one of: worried, hurried, " \
           "reluctant; got 'angry'" in found
    assert any(m.startswith("training/scenarios/tiny.yaml:22: contacts[1].sayz: unknown key")
               for m in found)


def test_guide_checks(guides: dict[str, Guide]) -> None:
    assert problems(VALID.replace("guide: covid-19", "guide: flu"), guides)[0].startswith(
        "training/scenarios/tiny.yaml:2: guide: unknown guide 'flu'")
    found = problems(VALID.replace('category: "1"', "category: nine").replace(
        "cue: {day: -1}", "cue: {day: 5}").replace("household_size: {value: 1}",
                                                   "household_size: {value: many}"), guides)
    assert any(":9: answers.household_size.value: expected a number" in m for m in found)
    assert any(":15: contacts[0].category: unknown category 'nine'" in m for m in found)
    assert any(":18: contacts[1].cue: day 5 is after the day of the call" in m for m in found)
    found = problems(VALID.replace("distance_m: 1}", "distance_m: near}"), guides)
    assert any(":20: contacts[1].facts.distance_m: fact 'distance_m' must be" in m
               for m in found)


def test_the_hardened_yaml_reader_refuses_aliases_and_duplicate_keys(
        guides: dict[str, Guide]) -> None:
    aliased = VALID.replace("title: Tiny", "title: &t Tiny\nsummary: *t")
    assert problems(aliased, guides) == [
        "training/scenarios/tiny.yaml:4: (scenario): defines the anchor &t; guides may not use "
        "anchors or aliases"]
    doubled = VALID.replace("title: Tiny", "title: Tiny\ntitle: Again")
    assert problems(doubled, guides) == [
        "training/scenarios/tiny.yaml:5: title: key 'title' appears twice"]


def test_onset_or_test_date_exactly_one(guides: dict[str, Guide]) -> None:
    assert problems(VALID.replace("onset_days_ago: 2\n", ""), guides) == [
        "training/scenarios/tiny.yaml:1: onset_days_ago: missing; give the days since the onset "
        "(or test_days_ago when there are no symptoms)"]


def test_a_dated_contact_names_their_day_only_as_a_placeholder(
        guides: dict[str, Guide]) -> None:
    """A practice's dates move with the day it is played: "that Saturday" is wrong on six days
    of seven, so a dated contact's words say {weekday} and the index fills in the real one."""
    named = VALID.replace("says: Oh, lunch with Fatima.", "says: Oh, Fatima, on Friday.")
    assert problems(named, guides) == [
        "training/scenarios/tiny.yaml:22: contacts[1].says: names the weekday 'Friday', but the "
        "contact's day falls on another weekday each day the scenario is played; write "
        "{weekday}"]
    undated = VALID.replace("says: My partner Sam.", "says: Sam, since {weekday}.").replace(
        "    day: 1\n", "")
    assert problems(undated, guides) == [
        "training/scenarios/tiny.yaml:15: contacts[0].says: {weekday} needs the contact's "
        "'day' (or a day cue)"]
    unknown = VALID.replace("says: Oh, lunch with Fatima.", "says: 'Fatima on {day}.'")
    assert problems(unknown, guides)[0].endswith(
        "contacts[1].says: unknown placeholder {day}; the only one is {weekday}")
    habitual = VALID.replace("says: My partner Sam.", "says: My partner Sam, every Sunday.")
    assert problems(habitual, guides) == [  # Sam has a day: even a habit must not say one
        "training/scenarios/tiny.yaml:16: contacts[0].says: names the weekday 'Sunday', but the "
        "contact's day falls on another weekday each day the scenario is played; write "
        "{weekday}"]
    filled = parse_scenario(VALID.replace("says: Oh, lunch with Fatima.",
                                          "says: 'Oh, that {weekday}, lunch with Fatima.'"),
                            "tiny.yaml", guides)
    key = filled.key_date(TODAY)  # Monday 23 November; Fatima's day cue -1 is the Sunday
    assert filled.says(filled.contacts[1], key) == "Oh, that Sunday, lunch with Fatima."
    assert filled.says(filled.contacts[1], key + timedelta(days=1)) == \
        "Oh, that Monday, lunch with Fatima."


def test_no_shipped_scenario_names_a_weekday_that_moves(guides: dict[str, Guide]) -> None:
    for scenario in load_scenarios(default_scenarios_dir(), guides).values():
        for contact in scenario.contacts:
            for offset in range(7):  # played on each day of a week, the words fit the date
                key = scenario.key_date(TODAY + timedelta(days=offset))
                words = scenario.says(contact, key)
                assert "{" not in words, (scenario.id, contact.name)
                if "{weekday}" in contact.says:
                    assert contact.day_offset is not None
                    day = key + timedelta(days=contact.day_offset)
                    assert WEEKDAYS[scenario.language][day.weekday()] in words
    assert any("{weekday}" in c.says for s in load_scenarios(default_scenarios_dir(),
                                                             guides).values()
               for c in s.contacts)


def test_a_contact_the_index_never_names_cannot_be_written_down(
        guides: dict[str, Guide]) -> None:
    """The feedback matches what the tracer typed against the names the index says; a contact
    whose words never say their name (or an alias) is refused at its line."""
    nameless = VALID.replace("says: Oh, lunch with Fatima.", "says: Oh, lunch with my aunt.")
    assert problems(nameless, guides) == [
        "training/scenarios/tiny.yaml:22: contacts[1].says: the index never says 'Fatima' (nor "
        "an alias) here, so the tracer cannot write them down; name them in 'says' or give "
        "'aliases'"]
    aliased = parse_scenario(nameless.replace("    category: 2a\n",
                                              "    category: 2a\n    aliases: [aunt]\n"),
                             "tiny.yaml", guides)
    assert aliased.contacts[1].names == ("Fatima", "aunt")
