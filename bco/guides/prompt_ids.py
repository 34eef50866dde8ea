"""Prompt ids: the one place that writes and reads the names of probes and scripted lines.

They are fixed, because events record the prompts done and the prompt each contact surfaced
under, and read models count each prompt's yield: `day:YYYY-MM-DD`, `setting:<id>`,
`household`, `consistency:<id>`, `final`, and `script:<id>` for a line to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, cast

PromptKind = Literal["day", "setting", "household", "consistency", "final", "script"]

HOUSEHOLD = "household"
FINAL = "final"
_SINGLE: tuple[PromptKind, ...] = ("household", "final")
_NAMED: tuple[PromptKind, ...] = ("day", "setting", "consistency", "script")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def for_day(day: date) -> str:
    return f"day:{day.isoformat()}"


def for_setting(setting_id: str) -> str:
    return f"setting:{setting_id}"


def for_consistency(rule_id: str) -> str:
    return f"consistency:{rule_id}"


def for_script(script_id: str) -> str:
    return f"script:{script_id}"


@dataclass(frozen=True)
class PromptId:
    """What a prompt id names: its kind, the setting, rule or script id, or the day."""

    kind: PromptKind
    ref: str = ""
    day: date | None = None  # a day prompt's date; None when it is not a real YYYY-MM-DD date


def parse(prompt_id: str | None) -> PromptId | None:
    """Read a prompt id; None for anything else, such as a question id or nothing."""
    if not prompt_id:
        return None
    if prompt_id in _SINGLE:
        return PromptId(cast(PromptKind, prompt_id))
    kind, colon, ref = prompt_id.partition(":")
    if not colon or kind not in _NAMED:
        return None
    day = None
    if kind == "day" and _DAY.fullmatch(ref):
        try:
            day = date.fromisoformat(ref)
        except ValueError:
            day = None
    return PromptId(cast(PromptKind, kind), ref, day)
