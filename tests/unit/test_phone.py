"""Phone numbers are stored in E.164 or refused with a reason."""

from __future__ import annotations

import pytest

from bco.domain.errors import InvalidPhoneError
from bco.domain.phone import normalise_phone


@pytest.mark.parametrize(("raw", "expected"), [
    ("06 12345678", "+31612345678"),
    ("+31 (0)6-1234 5678", "+31612345678"),
    ("0031612345678", "+31612345678"),
    ("+32 470 12 34 56", "+32470123456"),
    ("020 555 1234", "+31205551234"),
])
def test_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw, "NL") == expected


def test_region_decides_numbers_without_country_code() -> None:
    assert normalise_phone("0470 12 34 56", "BE") == "+32470123456"


@pytest.mark.parametrize(("raw", "reason"), [
    ("", "required"), ("abc", "not a phone number"), ("+99 12345", "not a phone number"),
    ("06 123", "number of digits"), ("06 98765432", "not a valid number"),
])
def test_refused_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneError, match=reason):
        normalise_phone(raw, "NL")
