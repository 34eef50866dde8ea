"""A CSV file of notifications, read and checked as a whole before any row is registered:
a file with the wrong encoding, delimiter or columns is refused with what was expected, so
an import never stops halfway because of the file's shape."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from bco.intake import DATES, FIELDS, REQUIRED, Notification

DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class CsvRefused(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True)
class RowRefused:
    """One row that cannot become a notification: the column and why."""

    field: str
    reason: str
    notification_id: str = ""


@dataclass(frozen=True)
class Row:
    """A data row by its line number in the file, read or refused."""

    line: int
    read: Notification | RowRefused


def read_notifications(raw: bytes) -> list[Row]:
    """Every data row of the file, or CsvRefused naming what the file should look like."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRefused(
            f"The file is not UTF-8 (byte {exc.start} cannot be read). Save it as UTF-8 "
            "('CSV UTF-8' in a spreadsheet) and import it again.") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CsvRefused("The file is empty; the first line must name the columns: "
                         + ",".join(FIELDS) + ".")
    header_line = lines[0]
    if "," not in header_line:
        for delimiter, name in DELIMITERS.items():
            if delimiter in header_line:
                raise CsvRefused(f"The columns are separated by {name}; expected commas "
                                 f"(,), e.g. {','.join(REQUIRED)},onset.")
    reader = csv.reader(io.StringIO(text), delimiter=",", strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        _check_header(header)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(Row(reader.line_num, _row(header, cells)))
    except csv.Error as exc:
        raise CsvRefused(f"Line {reader.line_num} is not valid CSV ({exc}); quote a cell "
                         'that holds a comma or a quote with double quotes (").') from None
    return rows


def _check_header(header: list[str]) -> None:
    expected = f"expected columns: {','.join(FIELDS)} (required: {', '.join(REQUIRED)}, " \
               "and onset or test_date)"
    unknown = [name for name in header if name not in FIELDS]
    if unknown:
        raise CsvRefused(f"Unknown column{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(n) for n in unknown)}; {expected}.")
    doubled = sorted({name for name in header if header.count(name) > 1})
    if doubled:
        raise CsvRefused(f"Column {', '.join(doubled)} appears twice; {expected}.")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CsvRefused(f"Missing column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}; {expected}.")
    if "onset" not in header and "test_date" not in header:
        raise CsvRefused(f"Missing column onset or test_date; {expected}.")


def _row(header: list[str], cells: list[str]) -> Notification | RowRefused:
    values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
    notification_id = values.get("notification_id", "")
    if len(cells) != len(header):
        return RowRefused("row", f"{len(cells)} cells where the header has {len(header)}; "
                                 "quote cells that hold a comma", notification_id)
    for name in REQUIRED:
        if not values.get(name):
            return RowRefused(name, f"{name} is empty; it is required", notification_id)
    dates: dict[str, date | None] = {}
    for name in DATES:
        try:
            dates[name] = date.fromisoformat(values[name]) if values.get(name) else None
        except ValueError:
            return RowRefused(name, f"'{values[name][:40]}' is not a date; write it as "
                                    "YYYY-MM-DD", notification_id)
    return Notification(
        notification_id=notification_id, name=values["name"], phone=values["phone"],
        disease=values["disease"], onset=dates["onset"], test_date=dates["test_date"],
        birth_date=dates["birth_date"], email=values.get("email") or None,
        postcode=values.get("postcode") or None, language=values.get("language") or "nl",
        region=values.get("region") or "")
