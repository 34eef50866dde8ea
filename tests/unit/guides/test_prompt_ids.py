"""Prompt ids are written and read in one place, in the fixed form events and read models keep."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bco.guides import prompt_ids
from bco.guides.model import Guide
from bco.guides.prompt_ids import PromptId
from bco.guides.state import known_step_ids, probe_id_known

ids = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20)


def test_the_fixed_forms() -> None:
    assert prompt_ids.for_day(date(2026, 11, 2)) == "day:2026-11-02"
    assert prompt_ids.for_setting("work") == "setting:work"
    assert prompt_ids.for_consistency("work-without-contacts") == (
        "consistency:work-without-contacts")
    assert prompt_ids.for_script("greeting") == "script:greeting"
    assert (prompt_ids.HOUSEHOLD, prompt_ids.FINAL) == ("household", "final")


@given(day=st.dates())
def test_a_day_reads_back(day: date) -> None:
    assert prompt_ids.parse(prompt_ids.for_day(day)) == PromptId("day", day.isoformat(), day)


@given(ref=ids)
def test_named_prompts_read_back(ref: str) -> None:
    assert prompt_ids.parse(prompt_ids.for_setting(ref)) == PromptId("setting", ref)
    assert prompt_ids.parse(prompt_ids.for_consistency(ref)) == PromptId("consistency", ref)
    assert prompt_ids.parse(prompt_ids.for_script(ref)) == PromptId("script", ref)


@pytest.mark.parametrize(("text", "read"), [
    ("household", PromptId("household")),
    ("final", PromptId("final")),
    ("day:2026-02-30", PromptId("day", "2026-02-30", None)),  # no such day
    ("day:20261120", PromptId("day", "20261120", None)),  # not the fixed form
    ("has_symptoms", None),  # a question id
    ("colleague:work", None),
    ("", None),
    (None, None),
])
def test_what_is_not_a_well_formed_prompt(text: str | None, read: PromptId | None) -> None:
    assert prompt_ids.parse(text) == read


def test_every_step_a_guide_can_mark_done_reads_as_a_prompt(shipped: dict[str, Guide]) -> None:
    for guide in shipped.values():
        for step_id in known_step_ids(guide):
            parsed = prompt_ids.parse(step_id)
            assert parsed is not None, step_id
            assert probe_id_known(guide, step_id)
        assert probe_id_known(guide, "day:2026-11-20") is (guide.probing.days is not None)
        assert not probe_id_known(guide, "day:2026-02-30")
