"""Text cells that a spreadsheet shows and never runs, for every CSV that BCO writes.

Excel and LibreOffice evaluate a cell that starts with one of FORMULA_STARTS as a formula
(CSV injection): a contact named "=HYPERLINK(…)" must reach a health authority as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(text: str) -> str:
    """The text with a leading quote when a spreadsheet would run it; otherwise unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
