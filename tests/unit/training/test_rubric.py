"""The coaching rubric is data, read as strictly as guides: problems say file:line."""

from __future__ import annotations

import pytest

from bco.config import Settings
from bco.training.rubric import RubricError, load_rubric, parse_rubric, rubric_path

ISSUE_ITEMS = ["identity_checked", "window_explained", "every_day_walked",
               "every_setting_asked", "bubble_probed", "who_informs_agreed",
               "next_steps_explained"]


def shipped_text() -> str:
    return rubric_path(Settings().training_dir).read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(RubricError) as refused:
        parse_rubric(text, "training/rubric.yaml")
    return refused.value.messages


def test_the_shipped_rubric_has_the_items_the_issue_names() -> None:
    rubric = load_rubric(rubric_path(Settings().training_dir))
    assert [item.id for item in rubric.items] == ISSUE_ITEMS
    assert rubric.values == (0, 1, 2) and rubric.best == 2
    assert all(set(item.label) == {"nl", "en"} for item in rubric.items)
    assert rubric.allowed()["bubble_probed"] == (0, 1, 2)


def test_a_missing_language_is_refused_at_its_line() -> None:
    text = shipped_text().replace("    label: {nl: Elke dag doorgelopen, en: Every day walked}",
                                  "    label: {nl: Elke dag doorgelopen}")
    line = text.splitlines().index("    label: {nl: Elke dag doorgelopen}") + 1
    assert problems(text) == [f"training/rubric.yaml:{line}: items[2].label: missing required "
                              "key 'en'; expected the text in Dutch and English: "
                              "{nl: ..., en: ...}"]


def test_a_repeated_item_and_an_alias_are_refused() -> None:
    text = shipped_text().replace("  - id: window_explained", "  - id: identity_checked")
    lines = text.splitlines()
    line = lines.index("  - id: identity_checked", lines.index("  - id: identity_checked") + 1) + 1
    assert problems(text) == [f"training/rubric.yaml:{line}: items[1].id: 'identity_checked' "
                              "appears twice"]
    aliased = shipped_text().replace("title:\n", "title: &t\n")
    assert "may not use anchors or aliases" in problems(aliased)[0]
