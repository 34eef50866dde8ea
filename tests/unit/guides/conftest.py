"""Shared guides for the guide tests: the shipped ones and a small example to break on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from bco.guides.loader import default_guides_dir, load_guide, load_guides
from bco.guides.model import Guide

README_PATH = Path(__file__).resolve().parents[3] / "README.md"


def example_guide_text() -> str:
    """Return the example guide from the README, so the docs stay valid."""
    text = README_PATH.read_text(encoding="utf-8")
    start = text.index("```yaml\n") + len("```yaml\n")
    return text[start:text.index("```", start)]


@pytest.fixture(scope="session")
def shipped() -> dict[str, Guide]:
    """Every guide in interview_guides/."""
    return load_guides(default_guides_dir())


@pytest.fixture(scope="session")
def covid(shipped: dict[str, Guide]) -> Guide:
    """The Dutch COVID-19 guide."""
    return shipped["covid-19"]


@pytest.fixture
def example(tmp_path: Path) -> Guide:
    """The small example guide from the docs."""
    path = tmp_path / "example.yaml"
    path.write_text(example_guide_text(), encoding="utf-8")
    return load_guide(path)
