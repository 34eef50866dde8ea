"""How a typed search term is read: a reference, a birth date in either order, a phone, a name."""

from __future__ import annotations

import pytest

from bco.projections.people import birth_day, reference_prefix, search_kind


@pytest.mark.parametrize(("typed", "prefix"), [
    ("C-1c58eac0", "1c58eac0"), ("c-1C58", "1c58"), (" C 1c58eac0 ", "1c58eac0"),
    ("1c58eac0", "1c58eac0"),
    ("1c58eac0-1234-4abc-8def-0123456789ab", "1c58eac0-1234-4abc-8def-0123456789ab"),
    ("C-1c5", None), ("C-1c58eac0a", None), ("cafe", None), ("Sanne", None),
    ("0612345678", None),
])
def test_references(typed: str, prefix: str | None) -> None:
    assert reference_prefix(typed) == prefix


@pytest.mark.parametrize(("typed", "day"), [
    ("1980-03-04", "1980-03-04"), ("4-3-1980", "1980-03-04"), ("04/03/1980", "1980-03-04"),
    ("4.3.1980", "1980-03-04"), ("31-2-1980", None), ("1980-13-01", None), ("4-3-80", None),
])
def test_birth_days_in_either_order(typed: str, day: str | None) -> None:
    assert birth_day(typed) == day


@pytest.mark.parametrize(("typed", "kind"), [
    ("C-1c58eac0", "reference"), ("s@example.org", "email"), ("4-3-1980", "birth_date"),
    ("06 12345678", "phone"), ("+31 6 1234 5678", "phone"), ("van Dam", "name"),
    ("Sanne 2", "name"),
])
def test_kinds(typed: str, kind: str) -> None:
    assert search_kind(typed) == kind
