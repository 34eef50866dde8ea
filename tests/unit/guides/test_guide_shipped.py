"""Every guide in interview_guides/ validates in both languages; new files are picked up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bco.guides.loader import default_guides_dir, guide_files, load_guide
from bco.guides.model import Guide

SHIPPED = guide_files(default_guides_dir())


def test_the_four_diseases_are_shipped(shipped: dict[str, Guide]) -> None:
    assert {"covid-19", "covid-19-vl", "measles", "tuberculosis"} <= set(shipped)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_guide_validates(path: Path) -> None:
    guide = load_guide(path)
    assert guide.id == path.stem
    assert {"nl", "en"} <= set(guide.languages)
    assert len(guide.content_hash) == 64


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_text_differs_per_language(path: Path) -> None:
    guide = load_guide(path)
    texts = [q.text for q in guide.questions.values()]
    texts += [s.text for section in guide.sections for s in section.scripts]
    texts += [s.prompt for s in guide.settings] + [guide.probing.final]
    for text in texts:
        dutch, english = text.in_language("nl"), text.in_language("en")
        assert dutch and english and dutch != english


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_guide_covers_what_a_call_needs(path: Path) -> None:
    guide = load_guide(path)
    script_ids = {s.id for section in guide.sections for s in section.scripts}
    assert {"greeting", "identity-check", "why-we-call", "what-happens-next"} <= script_ids
    assert "who_informs" in guide.questions
    assert guide.empathy
    assert {"home", "work", "visits", "travel", "care"} <= guide.setting_ids


def test_tuberculosis_walks_settings_not_days(shipped: dict[str, Guide]) -> None:
    tb = shipped["tuberculosis"]
    assert tb.probing.days is None
    assert tb.completeness.weight("days") == 0
    assert tb.completeness.weight("settings") > 0


def test_content_hash_follows_the_file_bytes(tmp_path: Path) -> None:
    original = default_guides_dir() / "measles.yaml"
    copy = tmp_path / "measles.yaml"
    copy.write_bytes(original.read_bytes() + b"\n# a comment changes the hash\n")
    assert load_guide(copy).content_hash != load_guide(original).content_hash
