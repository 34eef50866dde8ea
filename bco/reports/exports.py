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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bco.config import Settings
from bco.projections import exports as records
from bco.projections.runner import BUSY_TIMEOUT_MS
from bco.reports import fhir
from bco.reports.pseudonyms import Pseudonymiser, birth_year, pseudonym_key

FORMATS = ("ndjson", "csv", "fhir")
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
               "fhir": "application/fhir+json"}
ROWS_PER_CHUNK = 500
CSV_RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
CURSOR_TEXT = re.compile(r"(cases|contacts):(0|[1-9][0-9]{0,17})")

Record = dict[str, Any]
Query = Callable[[sqlite3.Connection, int, int],
                 tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]]


class CursorError(ValueError):
    """The `since` parameter is not a cursor an earlier export of this kind ended with."""


@dataclass(frozen=True)
class Export:
    """What the API streams: its media type, the cursor for the next pull, and the bytes."""

    media_type: str
    cursor: str
    chunks: Iterator[bytes]


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
    query: Query = records.case_records if stream == "cases" else records.contact_records
    write = {"ndjson": _ndjson, "csv": _csv, "fhir": _fhir}[fmt]
    chunks = _streamed(conn, write(conn, query, start, until, shape, stream, cursor))
    return Export(media_type=MEDIA_TYPES[fmt], cursor=cursor, chunks=chunks)


def _snapshot(settings: Settings) -> sqlite3.Connection:
    """A read transaction on views.db: every row the export reads is from one moment."""
    path = settings.views_path
    if not path.exists():
        raise FileNotFoundError(
            f"No read models at {path}; run 'bco projections run' (or start the server) first.")
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
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
    """Column names as exported, and how a joined row becomes a record."""

    columns: tuple[str, ...]
    record: Callable[[tuple[str, ...], tuple[Any, ...]], Record]


BOOLEAN_COLUMNS = ("household", "removed")


def _plain(stream: str) -> Shape:
    names = (*records.CASE_COLUMNS, *records.CASE_PERSON) if stream == "cases" else (
        *records.CONTACT_COLUMNS, *records.CONTACT_PERSON)

    def record(columns: tuple[str, ...], row: tuple[Any, ...]) -> Record:
        return _typed(dict(zip(columns, row, strict=True)))
    return Shape(names, record)


def _pseudonymised(pseudonym: Pseudonymiser, stream: str) -> Shape:
    kinds = records.CASE_PERSON if stream == "cases" else records.CONTACT_PERSON
    hashed = tuple(kind for kind in kinds if kind != "birth_date")
    base = records.CASE_COLUMNS if stream == "cases" else records.CONTACT_COLUMNS
    names = (*base, *(f"{kind}_pseudonym" for kind in hashed),
             *(("birth_year",) if "birth_date" in kinds else ()))

    def record(columns: tuple[str, ...], row: tuple[Any, ...]) -> Record:
        found = dict(zip(columns, row, strict=True))
        out = _typed({key: found[key] for key in base})
        for kind in hashed:
            out[f"{kind}_pseudonym"] = pseudonym(kind, found[kind])
        if "birth_date" in kinds:
            out["birth_year"] = birth_year(found["birth_date"])
        return out
    return Shape(names, record)


def _typed(record: Record) -> Record:
    """Flags as booleans and answers as an object, as JSON readers expect them."""
    for key in BOOLEAN_COLUMNS:
        if key in record:
            record[key] = bool(record[key])
    answers = record.get("answers")
    if answers is not None:
        record["answers"] = json.loads(answers)
    return record


def _records(conn: sqlite3.Connection, query: Query, since: int, until: int,
             shape: Shape) -> Iterator[Record]:
    columns, rows = query(conn, since, until)
    make = shape.record
    for row in rows:
        yield make(columns, row)


# -- formats -------------------------------------------------------------------------------


def _ndjson(conn: sqlite3.Connection, query: Query, since: int, until: int, shape: Shape,
            stream: str, cursor: str) -> Iterator[bytes]:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines: list[str] = []
    for record in _records(conn, query, since, until, shape):
        lines.append(dumps(record))
        if len(lines) >= ROWS_PER_CHUNK:
            lines.append("")
            yield "\n".join(lines).encode()
            lines = []
    lines.append(dumps({"cursor": cursor}))
    lines.append("")
    yield "\n".join(lines).encode()


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: formulas are defused, flags read true/false."""
    if isinstance(value, str):
        return "'" + value if value.startswith(CSV_RISKY_STARTS) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return csv_cell(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return value


def _csv(conn: sqlite3.Connection, query: Query, since: int, until: int, shape: Shape,
         stream: str, cursor: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(shape.columns)
    for count, record in enumerate(_records(conn, query, since, until, shape), start=1):
        writer.writerow([csv_cell(value) for value in record.values()])
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
    parts = [fhir.bundle_opening(cursor, now, next_query)]
    first = True
    for record in _records(conn, query, since, until, shape):
        resources = ((fhir.patient(record), fhir.condition(record)) if stream == "cases"
                     else (fhir.related_person(record),))
        for resource in resources:
            parts.append(fhir.entry(resource) if first else "," + fhir.entry(resource))
            first = False
        if len(parts) >= ROWS_PER_CHUNK:
            yield "".join(parts).encode()
            parts = []
    parts.append(fhir.BUNDLE_CLOSING)
    yield "".join(parts).encode()
