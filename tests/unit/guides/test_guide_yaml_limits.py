"""Hostile guide files are refused with `file:line:` messages, before YAML expands anything."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from bco.cli.guides import guides
from bco.guides.errors import GuideError
from bco.guides.loader import parse_guide


def laughs(levels: int, fan_out: int) -> str:
    """Each level lists the previous one `fan_out` times: fan_out**levels strings in all."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * fan_out)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def refusal(text: str) -> str:
    with pytest.raises(GuideError) as refused:
        parse_guide(text, "hostile.yaml")
    assert len(refused.value.messages) == 1
    return refused.value.messages[0]


def test_nested_aliases_are_refused_before_they_are_expanded() -> None:
    """A small bomb (10**5 strings when expanded) must cost almost no memory to refuse."""
    tracemalloc.start()
    try:
        message = refusal(laughs(5, 10))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message.startswith("hostile.yaml:1: ") and "anchor" in message
    assert peak < 2_000_000


def test_the_billion_laughs_file_is_refused_too() -> None:
    assert "anchor" in refusal(laughs(9, 10))


@pytest.mark.parametrize(("text", "line", "words"), [
    ("id: x\nname: *nowhere\n", 2, "alias"),
    ("id: x\nlist: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nested more than"),
    ("id: !!python/object/apply:os.system ['true']\n", 1, "tag"),
    ("id: !custom x\n", 1, "tag"),
    ("id: x\nversion: " + "9" * 5001 + "\n", 2, "number of 5001 characters"),
    ("id: x\nwhen: 2026-02-30\n", 2, "2026-02-30 is not a date that exists"),
    ("x" * (600 * 1024), 1, "bytes; a guide may be at most"),
])
def test_hostile_yaml_gets_one_line_naming_file_and_line(text: str, line: int,
                                                         words: str) -> None:
    message = refusal(text)
    assert message.startswith(f"hostile.yaml:{line}: (guide): ")
    assert words in message


def test_guides_check_reports_them_without_a_traceback(tmp_path: Path) -> None:
    files = []
    for name, text in {"bomb.yaml": laughs(9, 10), "deep.yaml": "a: " + "[" * 5000,
                       "date.yaml": "id: 2026-02-30\n"}.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(guides, ["check", *files])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    problems = [line for line in result.output.splitlines() if ":1: (guide): " in line]
    assert len(problems) == 3
