"""`bco case import FILE.csv` on SQLite and PostgreSQL: good, duplicate and bad rows, a dry run
then the real run, then the same file again; a file of the wrong shape writes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bco.cli import main
from bco.config import Settings

ONSET = (date.today() - timedelta(days=2)).isoformat()
HEADER = "notification_id,name,phone,disease,onset,test_date,birth_date,email,postcode,region"
ROWS = [
    f"N-1,Sanne de Vries,06 12345678,covid-19,{ONSET},,1980-03-04,s@example.org,1234 AB,",
    f"N-2,Jan Peeters,0470 12 34 56,covid-19,,{ONSET},,,2000,BE",
    f"N-1,Sanne de Vries,06 12345678,covid-19,{ONSET},,1980-03-04,s@example.org,1234 AB,",
    f"N-3,Piet Bakker,not a phone,covid-19,{ONSET},,,,,",
    "N-4,Kees Smit,06 87654321,covid-19,2026-02-30,,,,,",
    f"N-5,Els Jansen,06 11223344,flu-x,{ONSET},,,,,",
    f"N-6,,06 11223355,covid-19,{ONSET},,,,,",
]


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return settings.to_env()


def bco(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def position(env: dict[str, str]) -> int:
    return int(json.loads(bco(env, "db", "status", "--json").output)["store_position"])


def write(tmp_path: Path, text: str | bytes, name: str = "cases.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


def run_import(env: dict[str, str], path: str, *extra: str) -> tuple[Result, list[dict]]:
    result = bco(env, "case", "import", path, "--json", *extra)
    return result, json.loads(result.stdout)


def test_dry_run_then_real_then_again(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, *ROWS]) + "\n")
    dry, planned = run_import(env, path, "--dry-run")
    assert dry.exit_code == 1 and position(env) == 0
    assert [r["result"] for r in planned] == ["would_create", "would_create", "duplicate",
                                              "refused", "refused", "refused", "refused"]
    assert [r["row"] for r in planned] == [2, 3, 4, 5, 6, 7, 8]
    refused = {r["notification_id"]: r["field"] for r in planned if r["result"] == "refused"}
    assert refused == {"N-3": "phone", "N-4": "onset", "N-5": "disease", "N-6": "name"}
    assert all(r["reason"] for r in planned if r["result"] == "refused")

    real, done = run_import(env, path)
    assert real.exit_code == 1
    assert [r["result"] for r in done] == ["created", "created", "duplicate", "refused",
                                           "refused", "refused", "refused"]
    assert done[0]["case_id"] == planned[0]["case_id"] == done[2]["case_id"]
    assert position(env) == 2
    belgian = json.loads(bco(env, "case", "show", done[1]["case_id"], "--json").output)
    assert belgian["phone"] == "+32470123456" and belgian["source"] == "csv"

    _, repeated = run_import(env, path)
    assert [r["result"] for r in repeated][:3] == ["duplicate", "duplicate", "duplicate"]
    assert position(env) == 2


def test_a_clean_file_exits_0_with_a_summary(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, ROWS[0], ROWS[1]]) + "\n")
    result = bco(env, "case", "import", path)
    assert result.exit_code == 0, result.output
    assert "2 created." in result.stdout and "Sanne" not in result.stdout


def test_the_same_id_with_other_details_in_one_file_is_refused(env: dict[str, str],
                                                               tmp_path: Path) -> None:
    other = ROWS[0].replace("Sanne de Vries", "Someone Else")
    path = write(tmp_path, "\n".join([HEADER, ROWS[0], other]) + "\n")
    for extra in (("--dry-run",), ()):
        _, report = run_import(env, path, *extra)
        assert report[1]["result"] == "refused" and report[1]["field"] == "notification_id"


@pytest.mark.parametrize(("content", "expected"), [
    (HEADER.replace(",", ";") + "\n" + ROWS[0].replace(",", ";"), "separated by semicolons"),
    (HEADER.replace(",", "\t") + "\n", "separated by tabs"),
    (HEADER.replace("phone", "telephone") + "\n" + ROWS[0], "Unknown column 'telephone'"),
    (HEADER.replace(",phone", "") + "\n", "Missing column phone"),
    ("notification_id,name,phone,disease\nN-1,A,0612345678,covid-19\n", "onset or test_date"),
    (("\n".join([HEADER, ROWS[0]]) + "\n").encode("utf-16"), "not UTF-8"),
    ("\n".join([HEADER, ROWS[0], "N-9,\"unclosed,06,covid-19"]) + "\n", "Line"),
    ("", "empty"),
])
def test_a_file_of_the_wrong_shape_is_refused_before_anything_is_written(
        env: dict[str, str], tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = write(tmp_path, content)
    result = bco(env, "case", "import", path)
    assert result.exit_code == 2 and expected in result.output, result.output
    assert position(env) == 0


def test_a_row_with_too_many_cells_is_refused_alone(env: dict[str, str],
                                                    tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, ROWS[0] + ",extra", ROWS[1]]) + "\n")
    result, report = run_import(env, path)
    assert [r["result"] for r in report] == ["refused", "created"]
    assert report[0]["field"] == "row" and result.exit_code == 1


def test_register_takes_a_region_and_refuses_an_unknown_one(env: dict[str, str]) -> None:
    common = ("case", "register", "--name", "Jan Peeters", "--phone", "0470 12 34 56",
              "--disease", "covid-19", "--onset", ONSET, "--json")
    made = bco(env, *common, "--region", "BE")
    assert made.exit_code == 0, made.output
    shown = json.loads(made.stdout)
    assert shown["region"] == "BE" and shown["phone"] == "+32470123456"
    refused = bco(env, *common, "--region", "XX")
    assert refused.exit_code == 2 and "--region" in refused.output
    assert position(env) == 1
