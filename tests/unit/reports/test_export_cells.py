"""CSV cells, cursors and pseudonyms, without a store."""

from __future__ import annotations

import pytest

from bco.reports.exports import CursorError, csv_cell, decode_cursor, encode_cursor
from bco.reports.pseudonyms import Pseudonymiser, birth_year


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_a_spreadsheet_would_run_gets_a_quote(start: str) -> None:
    assert csv_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@pytest.mark.parametrize(("value", "cell"), [
    ("Sam", "Sam"), ("a=b", "a=b"), (" =x", " =x"), (-3, -3), (None, None), (True, "true"),
    ({"q": "=x"}, '{"q": "=x"}'), ({"q": 1}, '{"q": 1}'),
])
def test_other_cells_are_left_as_they_read(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_a_cursor_reads_back_and_names_its_stream() -> None:
    cursor = encode_cursor("cases", 123456)
    assert decode_cursor("cases", cursor) == 123456 and "123456" not in cursor
    assert decode_cursor("cases", None) == 0
    with pytest.raises(CursorError, match=r"since: .* not a cursor of the contacts export"):
        decode_cursor("contacts", cursor)


@pytest.mark.parametrize("cursor", ["", "=", "!!", "Y2FzZXM6MDE", "Y2FzZXM6", "4pyT",
                                    "Y2FzZXM6MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"])
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(CursorError, match=r"^since: "):
        decode_cursor("cases", cursor)


def test_pseudonyms_depend_on_key_and_kind_not_on_spelling() -> None:
    one, other = Pseudonymiser(b"k1"), Pseudonymiser(b"k2")
    assert one("name", "Sanne  de Vries") == one("name", "sanne de vries")
    assert one("email", "S@Example.org") == one("email", "s@example.org")
    assert one("postcode", "1234 ab") == one("postcode", "1234AB")
    assert one("name", "x") != other("name", "x")
    assert one("name", "1234AB") != one("postcode", "1234AB")
    assert one("phone", None) is None and one("phone", " ") is None
    assert birth_year("1990-06-01") == 1990 and birth_year(None) is None
