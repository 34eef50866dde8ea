"""`bco audit`: the access log by case (id or reference), reader and day, as lines or JSON,
what stands out, and the index's access report as PDF."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from uuid import UUID

import pdfplumber
from click.testing import CliRunner, Result

from bco.application import BCOApplication
from bco.audit.store import AccessEntry
from bco.cli import main
from bco.config import Settings
from bco.domain.case import IndexPerson


def bco(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=settings.to_env(), catch_exceptions=False)


def read(clock: Any, account: str, case_id: UUID | None, **changes: Any) -> AccessEntry:
    values: dict[str, Any] = {
        "at": clock.now, "account": account, "role": "tracer", "action": "case",
        "purpose": "tracer.case_page", "address": "10.1.2.3", "case_id": case_id,
        "relation": "assigned"}
    values.update(changes)
    return AccessEntry(**values)


def register(app: BCOApplication, name: str, language: str = "nl") -> UUID:
    return app.register_case(
        person=IndexPerson(name=name, phone="06 12121212", birth_date=date(1990, 1, 2),
                           language=language),
        disease="covid-19", test_date=date(2026, 11, 24), actor="intake").aggregate_id


def test_the_log_by_case_reader_and_day(app: BCOApplication, clock: Any,
                                        settings: Settings) -> None:
    first, second = register(app, "Eerste Persoon"), register(app, "Tweede Persoon")
    app.access_log.append([read(clock, "tracer", first), read(clock, "tracer2", second)])
    clock.advance(days=2)
    app.access_log.append([
        read(clock, "ggd-export", None, role="authority", action="export-cases", records=2,
             purpose="exports.cases", relation="", detail="csv, personal, everything")])
    everything = bco(settings, "audit")
    assert everything.exit_code == 0, everything.output
    lines = everything.output.splitlines()
    assert len(lines) == 3 and "tracer (tracer)" in lines[0] and "records=2" in lines[2]
    assert f"C-{str(first)[:8]}" in lines[0] and "from=10.1.2.3" in lines[0]
    assert "Persoon" not in everything.output
    by_reference = bco(settings, "audit", "--case", f"C-{str(second)[:8]}", "--json")
    assert by_reference.exit_code == 0, by_reference.output
    [only] = json.loads(by_reference.output)["entries"]
    assert (only["account"], only["case_id"], only["relation"]) == (
        "tracer2", str(second), "assigned")
    by_user = json.loads(bco(settings, "audit", "--user", "ggd-export", "--json").output)
    assert [(e["action"], e["records"]) for e in by_user["entries"]] == [("export-cases", 2)]
    since = (clock.now - timedelta(days=1)).astimezone(settings.zone).date().isoformat()
    recent = json.loads(bco(settings, "audit", "--since", since, "--json").output)
    assert [e["account"] for e in recent["entries"]] == ["ggd-export"]
    assert "No reads" in bco(settings, "audit", "--user", "nobody").output


def test_bad_options_are_refused_in_one_line(app: BCOApplication, settings: Settings) -> None:
    done = bco(settings, "audit", "--since", "yesterday")
    assert done.exit_code == 2 and "--since" in done.output and "YYYY-MM-DD" in done.output
    done = bco(settings, "audit", "--report", "x.pdf")
    assert done.exit_code == 2 and "--report" in done.output and "--case" in done.output


def test_unusual_reads_and_bursts(app: BCOApplication, clock: Any, settings: Settings) -> None:
    cases = [register(app, f"Persoon {n}") for n in range(4)]
    for case_id in cases:
        app.access_log.append([read(clock, "tracer2", case_id, relation="pool")])
        clock.advance(minutes=1)
    quiet = settings.with_overrides(audit_burst_reads=3, audit_burst_minutes=10)
    found = json.loads(bco(quiet, "audit", "--unusual", "--json").output)
    [burst] = found["bursts"]
    assert (burst["account"], burst["cases"]) == ("tracer2", 4)
    assert len(found["outside"]) == 4
    text = bco(quiet, "audit", "--unusual").output
    assert "burst: tracer2 (tracer) read 4 cases" in text and text.count("outside:") == 4


def test_the_index_access_report_is_written_and_its_printing_logged(
        app: BCOApplication, clock: Any, settings: Settings, tmp_path: Path) -> None:
    case_id = register(app, "Rapport Persoon", language="en")
    app.access_log.append([read(clock, "tracer", case_id)])
    target = tmp_path / "report.pdf"
    done = bco(settings, "--as", "privacy-officer", "audit", "--case", str(case_id),
               "--report", str(target))
    assert done.exit_code == 0, done.output
    with pdfplumber.open(BytesIO(target.read_bytes())) as document:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in document.pages)
    assert "Who looked at your data" in text and "Rapport Persoon" in text
    assert "contact tracer 1" in text and "Opened the case page" in text
    last = app.access_log.entries()[-1]
    assert (last.account, last.action, last.case_id) == ("privacy-officer", "access-report",
                                                         case_id)


def test_reads_on_the_command_line_are_logged_under_the_as_name(
        app: BCOApplication, settings: Settings, tmp_path: Path) -> None:
    case_id = register(app, "Opdracht Regel")
    assert bco(settings, "--as", "beheer", "case", "show", str(case_id)).exit_code == 0
    assert bco(settings, "case", "history", str(case_id)).exit_code == 0
    done = bco(settings, "casefile", str(case_id), "-o", str(tmp_path / "one.pdf"))
    assert done.exit_code == 0, done.output
    done = bco(settings, "casefile", "--all", "-o", str(tmp_path / "all.zip"))
    assert done.exit_code == 0, done.output
    entries = app.access_log.entries()
    assert [(e.account, e.role, e.action, e.case_id, e.purpose) for e in entries] == [
        ("beheer", "cli", "cli-case", case_id, "bco case show"),
        ("cli", "cli", "cli-case", case_id, "bco case history"),
        ("cli", "cli", "casefile", case_id, "bco casefile"),
        ("cli", "cli", "casefile", case_id, "bco casefile")]
    assert "Opdracht" not in repr(entries)
