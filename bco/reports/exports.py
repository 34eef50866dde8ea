"""Case and contact exports for health authorities: NDJSON, CSV or FHIR, streamed, incremental.

An export reads one snapshot of the read models: its cursor (where the snapshot ends) is
fixed before the first row, and `chunks` yields the rows changed after `since` up to that
cursor, a few hundred rows per chunk, so memory stays flat whatever the count. The next pull
passes the cursor back as `since` and gets exactly what changed in between.

- NDJSON: one JSON object per line, and a last line `{"cursor": "…"}` (the only line
  without `case_id`/`contact_id`).
- CSV: UTF-8 with a byte-order mark (so spreadsheets read it as UTF-8), a header row, and
  text cells that begin with `=`, `+`, `-`, `@`, tab or carriage return prefixed with `'`
  so no spreadsheet runs them as formulas. The cursor travels in `Export.cursor` only.
- FHIR R4: one Bundle of type collection; its `link` "next" carries the cursor.

Pseudonymised exports give keyed-hash pseudonyms (`name_pseudonym`, `phone_pseudonym`,
`email_pseudonym`, `postcode_pseudonym`) and `birth_year` instead of the details themselves.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bco.config import Settings
from bco.projections import exports as records
from bco.projections.runner import BUSY_TIMEOUT_MS
from bco.projections.viewsdb import connect_file, views_key
from bco.reports import fhir
from bco.reports.pseudonyms import Pseudonymiser, birth_year, pseudonym_key
from bco.reports.spreadsheet_cells import FORMULA_STARTS

FORMATS = ("ndjson", "csv", "fhir")
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
               "fhir": "application/fhir+json"}
ROWS_PER_CHUNK = 500
CURSOR_TEXT = re.compile(r"(cases|contacts):(0|[1-9][0-9]{0,17})")

Record = dict[str, Any]
Query = Callable[[sqlite3.Connection, int, int],
                 tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]]


class CursorError(ValueError):
    """The `since` parameter is not a cursor an earlier export of this kind ended with."""


@dataclass
class RowCount:
    """Records sent so far: the access log notes how many an export handed out."""

    sent: int = 0

    def through(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for row in rows:
            self.sent += 1
            yield row


@dataclass(frozen=True)
class Export:
    """What the API streams: its media type, the cursor for the next pull, and the bytes."""

    media_type: str
    cursor: str
    chunks: Iterator[bytes]
    records: RowCount = field(default_factory=RowCount)


def export_cases(settings: Settings, *, fmt: str, since: str | None,
                 pseudonymised: bool) -> Export:
    """Cases changed after `since` (every case without it), with the index's details."""
    return _export(settings, "cases", fmt, since, pseudonymised)


def export_contacts(settings: Settings, *, fmt: str, since: str | None,
                    pseudonymised: bool) -> Export:
    """Contacts changed after `since` (every contact without it), removed ones flagged."""
    return _export(settings, "contacts", fmt, since, pseudonymised)


def encode_cursor(stream: str, position: int) -> str:
    """Opaque to clients; names its stream so a cases cursor is refused for contacts."""
    return base64.urlsafe_b64encode(f"{stream}:{position}".encode()).decode().rstrip("=")


def decode_cursor(stream: str, cursor: str | None) -> int:
    """The position a cursor stands for; 0 (everything) without one."""
    if cursor is None:
        return 0
    problem = CursorError(
        f"since: '{cursor[:40]}' is not a cursor of the {stream} export; pass the cursor an "
        f"earlier {stream} export ended with, or leave 'since' out to get everything.")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    found = CURSOR_TEXT.fullmatch(text)
    if found is None or found.group(1) != stream or encode_cursor(stream, int(
            found.group(2))) != cursor:
        raise problem
    return int(found.group(2))


def _export(settings: Settings, stream: str, fmt: str, since: str | None,
            pseudonymised: bool) -> Export:
    if fmt not in FORMATS:
        raise ValueError(f"format: '{fmt}' is not an export format; use one of "
                         f"{', '.join(FORMATS)}.")
    start = decode_cursor(stream, since)
    shape = _pseudonymised(Pseudonymiser(pseudonym_key(settings)), stream) \
        if pseudonymised else _plain(stream)
    conn = _snapshot(settings)
    try:
        until = max(start, records.snapshot_position(conn))
    except BaseException:
        conn.close()
        raise
    cursor = encode_cursor(stream, until)
    source: Query = records.case_records if stream == "cases" else records.contact_records
    sent = RowCount()

    def query(conn: sqlite3.Connection, since: int, until: int
              ) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
        columns, rows = source(conn, since, until)
        return columns, sent.through(rows)

    write = {"ndjson": _ndjson, "csv": _csv, "fhir": _fhir}[fmt]
    chunks = _streamed(conn, write(conn, query, start, until, shape, stream, cursor))
    return Export(media_type=MEDIA_TYPES[fmt], cursor=cursor, chunks=chunks, records=sent)


def _snapshot(settings: Settings) -> sqlite3.Connection:
    """A read transaction on views.db: every row the export reads is from one moment."""
    path = settings.views_path
    if not path.exists():
        raise FileNotFoundError(
            f"No read models at {path}; run 'bco projections run' (or start the server) first.")
    conn = connect_file(path, views_key(settings), isolation_level=None,
                        check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    conn.execute("BEGIN")
    return conn


def _streamed(conn: sqlite3.Connection, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, ending the read transaction when they end or the client goes away."""
    try:
        yield from chunks
    finally:
        conn.close()


# -- the shape of one record ---------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """Exported column names, and a joined row's values in their order, as SQLite gives them
    (flags 0/1, answers as JSON text), so each format converts a row in one pass."""

    columns: tuple[str, ...]
    values: Callable[[tuple[Any, ...]], tuple[Any, ...]]

    def flags(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c in BOOLEAN_COLUMNS)


BOOLEAN_COLUMNS = ("household", "removed")


def _plain(stream: str) -> Shape:
    names = (*records.CASE_COLUMNS, *records.CASE_PERSON) if stream == "cases" else (
        *records.CONTACT_COLUMNS, *records.CONTACT_PERSON)

    def values(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return row
    return Shape(names, values)


def _pseudonymised(pseudonym: Pseudonymiser, stream: str) -> Shape:
    kinds = records.CASE_PERSON if stream == "cases" else records.CONTACT_PERSON
    base = len(records.CASE_COLUMNS if stream == "cases" else records.CONTACT_COLUMNS)
    hashed = [(base + i, kind) for i, kind in enumerate(kinds) if kind != "birth_date"]
    born = base + kinds.index("birth_date") if "birth_date" in kinds else None
    names = (*(records.CASE_COLUMNS if stream == "cases" else records.CONTACT_COLUMNS),
             *(f"{kind}_pseudonym" for _, kind in hashed),
             *(("birth_year",) if born is not None else ()))

    def values(row: tuple[Any, ...]) -> tuple[Any, ...]:
        hidden = tuple(pseudonym(kind, row[i]) for i, kind in hashed)
        return (*row[:base], *hidden, *((birth_year(row[born]),) if born is not None else ()))
    return Shape(names, values)


def _rows(conn: sqlite3.Connection, query: Query, since: int, until: int,
          shape: Shape) -> Iterator[tuple[Any, ...]]:
    _columns, rows = query(conn, since, until)
    return map(shape.values, rows)


def _json_records(conn: sqlite3.Connection, query: Query, since: int, until: int,
                  shape: Shape) -> Iterator[Record]:
    """Records with flags as booleans and answers as an object, as JSON readers expect."""
    names = shape.columns
    flags = [names[i] for i in shape.flags()]
    answers = "answers" in names
    loads = json.loads
    for values in _rows(conn, query, since, until, shape):
        record = dict(zip(names, values, strict=True))
        for key in flags:
            record[key] = record[key] == 1
        if answers:
            text = record["answers"]
            record["answers"] = {} if text == "{}" or text is None else loads(text)
        yield record


# -- formats -------------------------------------------------------------------------------


def _ndjson(conn: sqlite3.Connection, query: Query, since: int, until: int, shape: Shape,
            stream: str, cursor: str) -> Iterator[bytes]:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines: list[str] = []
    for record in _json_records(conn, query, since, until, shape):
        lines.append(dumps(record))
        if len(lines) >= ROWS_PER_CHUNK:
            lines.append("")
            yield "\n".join(lines).encode()
            lines = []
    lines.append(dumps({"cursor": cursor}))
    lines.append("")
    yield "\n".join(lines).encode()


def csv_row(values: tuple[Any, ...], flags: tuple[int, ...] = ()) -> list[Any]:
    """Cells no spreadsheet runs as a formula (a leading `'`), with flags read true/false."""
    cells = [("'" + v if v.__class__ is str and v.startswith(FORMULA_STARTS) else v)
             for v in values]  # spreadsheet_cells.defused, inline: called per cell of exports
    for index in flags:
        cells[index] = "true" if cells[index] else "false"
    return cells


def _csv(conn: sqlite3.Connection, query: Query, since: int, until: int, shape: Shape,
         stream: str, cursor: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(shape.columns)
    flags = shape.flags()
    for count, values in enumerate(_rows(conn, query, since, until, shape), start=1):
        writer.writerow(csv_row(values, flags))
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _fhir(conn: sqlite3.Connection, query: Query, since: int, until: int, shape: Shape,
          stream: str, cursor: str) -> Iterator[bytes]:
    pseudonymised = "name_pseudonym" in shape.columns
    next_query = (f"?format=fhir&since={cursor}"
                  + ("&pseudonymised=true" if pseudonymised else ""))
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    yield fhir.bundle_opening(cursor, now, next_query).encode()
    names = shape.columns
    entries: list[str] = []
    separator = ""
    for values in _rows(conn, query, since, until, shape):
        record = dict(zip(names, values, strict=True))
        if stream == "cases":
            entries += (fhir.patient_entry(record), fhir.condition_entry(record))
        else:
            entries.append(fhir.related_person_entry(record))
        if len(entries) >= ROWS_PER_CHUNK:
            yield (separator + ",".join(entries)).encode()
            separator, entries = ",", []
    if entries:
        yield (separator + ",".join(entries)).encode()
    yield fhir.BUNDLE_CLOSING.encode()
