"""The web reads read models only through the projections' query functions: no SQL of its own."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "bco" / "web"
DATABASE_CALLS = {"execute", "executemany", "executescript", "query", "rows_where", "table"}
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "PRAGMA ")


def database_access(path: Path) -> list[str]:
    """Calls that run SQL or open a table, and strings with SQL keywords (upper case, as here)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DATABASE_CALLS):
            found.append(f"{path.name}:{node.lineno} .{node.func.attr}(")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and any(word in node.value for word in SQL_WORDS)):
            found.append(f"{path.name}:{node.lineno} {node.value[:40]!r}")
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
              and node.value.id == "db"):
            found.append(f"{path.name}:{node.lineno} db[...]")
    return found


def test_no_sql_in_the_web_layer() -> None:
    modules = sorted(WEB.rglob("*.py"))
    assert modules
    assert [hit for path in modules for hit in database_access(path)] == []


def test_the_check_sees_sql_where_there_is_some(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('db.execute("SELECT 1")\nrows = db["worklist"]\n'
                      'db.table("worklist").rows_where("open = 1")\n', encoding="utf-8")
    assert len(database_access(sample)) == 5
