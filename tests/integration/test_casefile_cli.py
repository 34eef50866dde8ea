"""`bco casefile`: one PDF, or a zip of many; bad arguments refused; never a half-written file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest
from casefile_story import pdf_text, tell
from click.testing import CliRunner, Result

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.domain.case import IndexPerson
from bco.reports.output import write_atomically


def bco(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=settings.to_env(), catch_exceptions=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_one_case_file_now_and_as_it_stood(app: BCOApplication, clock, settings: Settings,
                                           tmp_path: Path) -> None:
    story = tell(app, clock)
    now = tmp_path / "now.pdf"
    done = bco(settings, "casefile", str(story.case_id), "--language", "en", "-o", str(now))
    assert done.exit_code == 0, done.output
    assert f"Wrote {now}" in done.output
    text = pdf_text(now.read_bytes())
    assert "Sanne de Vries" in text and "Piet Collega" in text
    earlier = tmp_path / "earlier.pdf"
    local = story.halfway.astimezone(settings.zone).strftime("%Y-%m-%dT%H:%M:%S")
    done = bco(settings, "casefile", str(story.case_id), "--as-of", local, "-o", str(earlier))
    assert done.exit_code == 0, done.output
    text = pdf_text(earlier.read_bytes())
    assert "Jan de Vries" in text and "Piet Collega" not in text
    assert "woensdag 25 november 2026 10:52" in text  # Dutch unless asked otherwise
    assert leftovers(tmp_path) == []


def test_all_case_files_in_one_zip_narrowed_by_status_and_since(
        app: BCOApplication, clock, settings: Settings, tmp_path: Path) -> None:
    story = tell(app, clock)
    other = app.register_case(person=IndexPerson(name="Ali Bakker", phone="0687654321"),
                              disease="covid-19", test_date=clock.now.date(),
                              actor="intake").aggregate_id
    closed = app.register_case(person=IndexPerson(name="Els Smit", phone="0622223333"),
                               disease="covid-19", test_date=clock.now.date(),
                               actor="intake").aggregate_id
    app.close_case(closed, "Duplicate notification", actor="lead")
    clock.advance(days=2)
    app.log_call_attempt(other, "no_answer", actor="tracer")
    everything = tmp_path / "all.zip"
    done = bco(settings, "casefile", "--all", "-o", str(everything))
    assert done.exit_code == 0, done.output
    assert "3 case files" in done.output
    with zipfile.ZipFile(everything) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == {f"C-{i}.pdf" for i in (story.case_id, other, closed)}
        assert "Ali Bakker" in pdf_text(archive.read(f"C-{other}.pdf"))
    only_closed = tmp_path / "closed.zip"
    assert bco(settings, "casefile", "--all", "--status", "closed", "-o",
               str(only_closed)).exit_code == 0
    with zipfile.ZipFile(only_closed) as archive:
        assert archive.namelist() == [f"C-{closed}.pdf"]
        assert "Duplicate notification" in pdf_text(archive.read(f"C-{closed}.pdf"))
    recent = tmp_path / "recent.zip"
    day = clock.now.astimezone(settings.zone).date().isoformat()
    assert bco(settings, "casefile", "--all", "--since", day, "-o", str(recent)).exit_code == 0
    with zipfile.ZipFile(recent) as archive:
        assert archive.namelist() == [f"C-{other}.pdf"]
    assert leftovers(tmp_path) == []


def test_all_as_of_leaves_out_cases_not_registered_then(
        app: BCOApplication, clock, settings: Settings, tmp_path: Path) -> None:
    story = tell(app, clock)
    clock.advance(days=1)
    app.register_case(person=IndexPerson(name="Ali Bakker", phone="0687654321"),
                      disease="covid-19", test_date=clock.now.date(), actor="intake")
    out = tmp_path / "then.zip"
    done = bco(settings, "casefile", "--all", "--as-of", "2026-11-25", "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "1 case file; 1 not registered yet at --as-of left out" in done.output
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [f"C-{story.case_id}.pdf"]


@pytest.mark.parametrize(("args", "names"), [
    (["--as-of", "yesterday"], "--as-of"),
    (["--as-of", "2026-02-30"], "--as-of"),
    (["--as-of", "2999-01-01T10:00"], "--as-of"),
    (["--language", "fr"], "--language"),
    (["--status", "closed"], "--status"),
    (["--since", "2026-11-25"], "--since"),
])
def test_bad_arguments_exit_2_naming_the_option(app: BCOApplication, clock, settings: Settings,
                                                tmp_path: Path, args: list[str],
                                                names: str) -> None:
    story = tell(app, clock)
    out = tmp_path / "out.pdf"
    done = bco(settings, "casefile", str(story.case_id), *args, "-o", str(out))
    assert done.exit_code == 2, done.output
    assert names in done.output and "Traceback" not in done.output
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("args", [[], ["--all", "00000000-0000-4000-8000-000000000000"]])
def test_one_id_or_all(settings: Settings, tmp_path: Path, args: list[str]) -> None:
    done = bco(settings, "casefile", *args, "-o", str(tmp_path / "x.pdf"))
    assert done.exit_code == 2 and "Give one case ID, or --all" in done.output
    done = bco(settings, "casefile", "--all", "--since", "25-11-2026",
               "-o", str(tmp_path / "x.zip"))
    assert done.exit_code == 2 and "--since" in done.output


def test_an_unknown_case_leaves_the_old_file_as_it_was(settings: Settings,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    out.write_bytes(b"the file from yesterday")
    done = bco(settings, "casefile", "00000000-0000-4000-8000-000000000000", "-o", str(out))
    assert done.exit_code == 1 and "No case with id" in done.output
    assert out.read_bytes() == b"the file from yesterday" and leftovers(tmp_path) == []


def test_a_failure_half_way_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "all.zip"

    def fails_half_way(stream: BinaryIO) -> None:
        stream.write(b"PK half a zip")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fails_half_way)
    assert not target.exists() and leftovers(tmp_path) == []
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fails_half_way)
    assert target.read_bytes() == b"old" and leftovers(tmp_path) == []
    write_atomically(target, lambda stream: None)
    assert target.read_bytes() == b"" and leftovers(tmp_path) == []
