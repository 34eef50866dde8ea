"""The probing-yield chart names each prompt once, summed over the guides that ask it."""

from __future__ import annotations

from bco.web.dashboard_charts import best_prompts


def row(guide: str, prompt: str, asked: int, contacts: int) -> dict[str, object]:
    return {"guide_id": guide, "prompt": prompt, "asked": asked, "contacts": contacts}


def test_a_prompt_in_several_guides_is_one_bar_with_the_guides_summed() -> None:
    rows = [row("covid-19", "setting:school", 10, 5), row("measles", "setting:school", 10, 9),
            row("covid-19", "day", 4, 1), row("measles", "final", 8, 0),
            row("covid-19", "household", 0, 0)]
    assert best_prompts(rows) == [
        ("setting:school", ["covid-19", "measles"], 0.7),
        ("day", ["covid-19"], 0.25),
    ]
