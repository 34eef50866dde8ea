"""A guide folder whose COVID-19 guide also asks for a phone number (no shipped guide does)."""

from __future__ import annotations

from pathlib import Path

from bco.guides.loader import default_guides_dir

CALLBACK_TIME = "      - id: callback_time\n        type: text\n"


def guides_with_a_phone_question(folder: Path) -> Path:
    """The shipped COVID-19 guide, asking for a call-back number instead of a call-back time."""
    text = (default_guides_dir() / "covid-19.yaml").read_text(encoding="utf-8")
    assert CALLBACK_TIME in text
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "covid-19.yaml").write_text(
        text.replace(CALLBACK_TIME, CALLBACK_TIME.replace("text", "phone")), encoding="utf-8")
    return folder
