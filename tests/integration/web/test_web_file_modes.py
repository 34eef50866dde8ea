"""Whatever the umask, the data directory is 0700 and every file in it, and the keys, 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.projections import all_read_models, runner_for
from bco.projections.rebuild import Helper, Rebuilder
from bco.web import create_app


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A careless umask, as a service manager or shell might start BCO with."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_bco_writes_is_private(open_umask: None, web_settings: Settings,
                                          clock: Any) -> None:
    data = web_settings.data_dir
    data.chmod(0o755)
    old_log = data / "access.log"
    old_log.write_text("")
    old_log.chmod(0o644)
    app = BCOApplication(web_settings, clock=clock)
    try:
        flask_app: Flask = create_app(web_settings, app)
        flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        app.add_user("tracer", role="tracer", team="north",
                     password_hash=PasswordHasher(time_cost=1, memory_cost=1024,
                                                  parallelism=1).hash("demo-tracer-pass"),
                     actor="test")
        cases = Cases(app, flask_app, clock)
        case_id = cases.register()
        cases.assign(case_id, "tracer")
        cases.project()
        assert sign_in(flask_app, "tracer").get(f"/cases/{case_id}").status_code == 200
        flask_app.extensions["bco_runner"].stop()
    finally:
        app.close()
    names = {path.name for path in data.iterdir()}
    assert {"events.db", "views.db", "access.log", "session.key"} <= names
    assert mode(data) == 0o700
    assert {path.name: oct(mode(path)) for path in data.iterdir()
            if path.is_file() and mode(path) != 0o600} == {}


def test_db_init_makes_a_private_data_directory_and_key(open_umask: None,
                                                        tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", key_file=tmp_path / "secrets" / "events.key")
    result = CliRunner().invoke(main, ["db", "init"], env=settings.to_env())
    assert result.exit_code == 0, result.output
    assert mode(settings.data_dir) == 0o700
    assert mode(settings.key_file) == 0o600 and mode(settings.key_file.parent) == 0o700
    assert {path.name: oct(mode(path)) for path in settings.data_dir.iterdir()
            if mode(path) != 0o600} == {}


def test_a_shared_rebuild_writes_its_files_private_and_encrypted(
        open_umask: None, web_settings: Settings, clock: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The new file, its helper's part and their journals, caught while they all exist: when the
    helper has finished and before its part is copied in."""
    app = BCOApplication(web_settings, clock=clock)
    seen: dict[str, int] = {}
    finished = Helper._outcome

    def look_then_finish(helper: Helper) -> str | None:
        problem = finished(helper)
        for path in web_settings.data_dir.iterdir():
            if path.is_file():
                seen[path.name] = mode(path)
                if path.name.startswith("views.db") and path.suffix not in (".lock",
                                                                             ".follower"):
                    assert not path.read_bytes().startswith(b"SQLite format 3"), path.name
        return problem

    monkeypatch.setattr(Helper, "_outcome", look_then_finish)
    try:
        Cases(app, create_app(web_settings, app), clock).register(name="Wilhelmina Part")
        runner = runner_for(app)
        Rebuilder(runner, made_by=all_read_models).rebuild(processes=2)
    finally:
        app.close()
    assert any(".rebuild-" in name and ".part1" in name for name in seen), seen
    assert any(name.endswith(".part1") for name in seen), seen
    assert {name: oct(value) for name, value in seen.items() if value != 0o600} == {}
