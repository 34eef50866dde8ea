"""Exports: a views.db of N cases with contacts in seconds, and the export streams measured on it.

`fill_export_views(settings, cases)` runs one real case story (registered, assigned, reached,
interviewed with three contacts, one informed) through the Exports and People read models'
own handlers, then copies the rows it made for N cases with their own ids, names, phones and
positions: 100,000 cases with 300,000 contacts in a few seconds, where replaying their events
would take minutes. The file is for reading (exports, the export API); its event store is
empty, so do not register cases on it.

`python -m benchmarks.exports [--cases N] [--small N]` measures `export_cases` per format
against a plain SELECT loop writing JSON lines from the same tables, and the peak RSS growth
of a process streaming N cases against one streaming the small count.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bco.config import Settings
from bco.domain.case import CallOutcome
from bco.domain.interview import InformOutcome
from bco.guides.loader import load_guides
from bco.guides.model import Guide
from bco.projections import exports, people
from bco.projections.readmodel import POSITIONS, Batch
from bco.projections.viewsdb import connect_file, views_key
from bco.reports.exports import FORMATS, export_cases, export_contacts
from benchmarks.workspace import ROOT, GuideRef, new_case, new_interview, sqlite_settings

CONTACTS_PER_CASE = 3
POSITIONS_PER_CASE = 10  # room for the case's and its contacts' own positions
ROWS_PER_TRANSACTION = 20_000
TABLES = (exports.CASES, exports.CONTACTS, people.CASES, people.CONTACTS)


def template_rows(guides: Mapping[str, Guide]) -> dict[str, list[dict[str, Any]]]:
    """The rows one interviewed case with three contacts gives, by the read models' handlers."""
    guide = guides.get("covid-19") or next(iter(guides.values()))
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    case = new_case(now)
    case.assign("tracer01", "team1", now=now + timedelta(minutes=20), actor="lead")
    case.log_call_attempt(CallOutcome.REACHED, now=now + timedelta(hours=1), actor="tracer01")
    interview = new_interview(GuideRef(guide.id, str(guide.version), guide.content_hash),
                              case, now=now + timedelta(hours=1), tracer="tracer01")
    typed = [q for q in guide.questions.values() if q.type in ("number", "yesno")][:3]
    for question in typed:
        interview.record_answer(question.id, 2 if question.type == "number" else True,
                                now=now + timedelta(hours=1), actor="tracer01")
    contact_ids = [uuid.uuid4() for _ in range(CONTACTS_PER_CASE)]
    for number, contact_id in enumerate(contact_ids):
        interview.report_contact(contact_id, {
            "name": f"Contact {number}", "phone": "+31612345678", "relation": "colleague",
            "household": number == 0, "day": now.date() - timedelta(days=1),
            "setting": "home" if number == 0 else "work", "informs": "authority",
            "facts": {}}, region="NL", now=now + timedelta(hours=1, minutes=5), actor="tracer01")
    done = now + timedelta(hours=2)
    interview.complete(now=done, actor="tracer01")
    case.interview_completed(now=done, actor="tracer01")
    interview.log_inform_outcome(contact_ids[0], InformOutcome.INFORMED,
                                 now=done + timedelta(hours=3), actor="authority")
    events = [*case.collect_events(), *interview.collect_events()]
    conn = sqlite3.connect(":memory:", isolation_level=None)
    models = [exports.Exports(guides), people.People()]
    for model in models:
        model.create(Database(conn))
    batch = Batch(conn, {})
    for position, event in enumerate(events, start=1):
        batch.position = position
        for model in models:
            model.apply(batch, event)
    for model in models:
        model.finish_batch(batch)
    batch.flush()
    rows = {}
    for table in TABLES:
        cursor = conn.execute(f"SELECT * FROM [{table}]")
        names = [d[0] for d in cursor.description]
        rows[table] = [dict(zip(names, row, strict=True)) for row in cursor]
    conn.close()
    return rows


def fill_export_views(settings: Settings, cases: int, *, first: int = 0) -> None:
    """Add `cases` cases (numbered from `first`) with their contacts to settings.views_path."""
    guides = load_guides(ROOT / "interview_guides")
    template = template_rows(guides)
    path = settings.views_path
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect_file(path, views_key(settings), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    db = Database(conn)
    for model in (exports.Exports(guides), people.People()):
        model.create(db)
    db.table(POSITIONS).create({"name": str, "position": int, "error": str, "error_event": int},
                               pk="name", not_null={"position"}, if_not_exists=True)
    for table, shaped in template.items():
        columns = list(shaped[0])
        insert = (f"INSERT INTO [{table}] ({', '.join(columns)}) "
                  f"VALUES ({', '.join('?' for _ in columns)})")
        for begin in range(first, first + cases, ROWS_PER_TRANSACTION):
            end = min(first + cases, begin + ROWS_PER_TRANSACTION)
            conn.execute("BEGIN")
            conn.executemany(insert, _copies(table, shaped, begin, end))
            conn.execute("COMMIT")
    last = (first + cases) * POSITIONS_PER_CASE
    for name in (exports.Exports.name, people.People.name):
        conn.execute(f"INSERT OR REPLACE INTO [{POSITIONS}] (name, position) VALUES (?, ?)",
                     [name, last])
    conn.close()


def _copies(table: str, shaped: list[dict[str, Any]], begin: int,
            end: int) -> Iterator[list[Any]]:
    """The template's rows for cases begin..end-1, with their own ids, details and positions."""
    columns = list(shaped[0])
    at = {name: columns.index(name) for name in columns}
    for number in range(begin, end):
        case_id = f"00000000-0000-4000-8001-{number:012x}"  # as uuid.UUID would write them
        for index, template in enumerate(shaped):
            row = [template[c] for c in columns]
            row[at["case_id"]] = case_id
            if "interview_id" in at:
                row[at["interview_id"]] = f"00000000-0000-4000-8002-{number:012x}"
            if "reference" in at:
                row[at["reference"]] = exports.case_reference(case_id)
            if "contact_id" in at:
                row[at["contact_id"]] = f"00000000-0000-4000-8003-{number * 8 + index:012x}"
            if "position" in at:
                offset = POSITIONS_PER_CASE if table == exports.CASES else index + 1
                row[at["position"]] = number * POSITIONS_PER_CASE + offset
            if "name" in at:
                name = f"{template['name']} {number}"
                row[at["name"]], row[at["name_key"]] = name, name.lower()
                row[at["phone"]] = f"+316{(number * 8 + index) % 100_000_000:08d}"
                row[at["email"]] = template["email"] and f"p{number}.{index}@example.org"
            yield row


# -- measuring -----------------------------------------------------------------------------


def stream_rate(settings: Settings, fmt: str, *, contacts: bool = False,
                pseudonymised: bool = False) -> tuple[float, int]:
    """Seconds to stream every case (or contact) in one format, and the bytes it made."""
    export = export_contacts if contacts else export_cases
    started = time.perf_counter()
    made = sum(len(chunk) for chunk in export(settings, fmt=fmt, since=None,
                                              pseudonymised=pseudonymised).chunks)
    return time.perf_counter() - started, made


def plain_loop(settings: Settings) -> tuple[float, int]:
    """The baseline: one SELECT over the same tables, a JSON line per row, nothing else."""
    started = time.perf_counter()
    conn = connect_file(settings.views_path, views_key(settings))
    cursor = conn.execute(
        f"SELECT e.*, p.name, p.phone, p.email, p.birth_date, p.postcode "
        f"FROM [{exports.CASES}] e LEFT JOIN [{people.CASES}] p ON p.case_id = e.case_id")
    names = [d[0] for d in cursor.description]
    made = 0
    for row in cursor:
        made += len((json.dumps(dict(zip(names, row, strict=True))) + "\n").encode())
    conn.close()
    return time.perf_counter() - started, made


def rss_growth(settings: Settings, fmt: str) -> float:
    """MiB a fresh process's resident set grows by while streaming every case in `fmt`."""
    script = (
        "import sys; from pathlib import Path; from bco.config import Settings\n"
        "from bco.reports.exports import export_cases\n"
        "def kib(key):\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith(key): return int(line.split()[1])\n"
        "settings = Settings(data_dir=Path(sys.argv[1]), pseudonym_key_file=Path(sys.argv[3]))\n"
        "export = export_cases(settings, fmt=sys.argv[2], since=None, pseudonymised=False)\n"
        "next(export.chunks)\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "before = kib('VmRSS:')\n"
        "for chunk in export.chunks: pass\n"
        "print((kib('VmHWM:') - before) / 1024)\n")
    done = subprocess.run(
        [sys.executable, "-c", script, str(settings.data_dir), fmt,
         str(settings.pseudonym_key_file)],
        check=True, capture_output=True, text=True, cwd=ROOT)
    return float(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Print cases/s per format, the ratio to the plain loop, and RSS growth small → big."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.exports")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bco-exports-") as scratch:
        small = sqlite_settings(Path(scratch) / "small")
        big = sqlite_settings(Path(scratch) / "big")
        started = time.perf_counter()
        fill_export_views(small, options.small)
        fill_export_views(big, options.cases)
        print(f"filled {options.small:,} and {options.cases:,} cases "
              f"({CONTACTS_PER_CASE} contacts each) in {time.perf_counter() - started:.1f} s")
        plain, _ = min(plain_loop(big) for _ in range(3))
        print(f"{'plain SELECT → JSON lines':28} {options.cases / plain:>10,.0f} cases/s")
        for fmt in FORMATS:
            for pseudonymised in (False, True):
                seconds, made = min(stream_rate(big, fmt, pseudonymised=pseudonymised)
                                    for _ in range(3))
                label = f"cases {fmt}{' pseudonymised' if pseudonymised else ''}"
                print(f"{label:28} {options.cases / seconds:>10,.0f} cases/s  "
                      f"ratio {plain / seconds:.2f}  {made / 2**20:,.0f} MiB")
        for fmt in FORMATS:
            seconds, _ = stream_rate(big, fmt, contacts=True)
            print(f"{'contacts ' + fmt:28} {options.cases * CONTACTS_PER_CASE / seconds:>10,.0f}"
                  " contacts/s")
        for fmt in FORMATS:
            growth = rss_growth(big, fmt) - rss_growth(small, fmt)
            print(f"{'RSS growth ' + fmt:28} {growth:>+10.1f} MiB "
                  f"({options.small:,} → {options.cases:,} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
