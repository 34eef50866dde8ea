"""The one rule every CSV of BCO follows for cells a spreadsheet would run."""

from __future__ import annotations

import pytest

from bco.reports.spreadsheet_cells import defused


@pytest.mark.parametrize("risky", ["=1+1", "+31612345678", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(risky: str) -> None:
    assert defused(risky) == "'" + risky


@pytest.mark.parametrize("plain", ["", "Jan de Vries", "06 12345678", "'quoted", "a=b"])
def test_other_text_is_left_as_it_is(plain: str) -> None:
    assert defused(plain) == plain
