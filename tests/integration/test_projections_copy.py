"""A new node starts from a peer's copy of the read models and replays only what came after."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from projection_scenarios import views_contents

from bco.application import BCOApplication
from bco.cli import main
from bco.config import Settings
from bco.demo import load_demo
from bco.projections import all_read_models, runner_for
from bco.projections.rebuild import Rebuilder
from bco.projections.runner import ReadModelRunner
from bco.projections.views_copy import ViewsCopyError, copy_views
from bco.projections.viewsdb import connect_file, views_key


def node(app: BCOApplication, views: Path) -> Rebuilder:
    """Another node's read models over the same store: its own views.db."""
    return Rebuilder(ReadModelRunner(app, views, all_read_models(app)), made_by=all_read_models)


def test_a_node_started_from_a_copy_equals_one_that_followed_all_along(
        app: BCOApplication, clock: Any, tmp_path: Path) -> None:
    load_demo(app, cases=20, now=clock(), seed=5)
    peer = runner_for(app)
    peer.catch_up()
    peer.start()  # the copy is made while the peer follows new events
    try:
        load_demo(app, cases=30, now=clock(), seed=5)  # the first 20 again: 10 new
        copied = copy_views(peer.views_path, peer.key, tmp_path / "peer.db")
        load_demo(app, cases=40, now=clock(), seed=5)
        assert peer.wait_for(app.store_position(), timeout=30)
    finally:
        peer.stop()
    assert stat.S_IMODE((tmp_path / "peer.db").stat().st_mode) == 0o600
    assert set(copied) == {model.name for model in peer.read_models}

    replayed: list[int] = []
    joining = node(app, tmp_path / "node2" / "views.db")
    joining.join(tmp_path / "peer.db", progress=replayed.append)
    after_copy = app.recorder.select_notifications(start=min(copied.values()) + 1,
                                                   limit=1_000_000)
    assert sum(replayed) == len(after_copy) > 0  # ids can have gaps on PostgreSQL
    assert views_contents(joining.views_path, app.settings) == views_contents(
        peer.views_path, app.settings)
    assert {s.lag for s in joining.runner.status()} == {0}
    assert not list(joining.views_path.parent.glob("views.db.rebuild-*"))


def test_a_copy_of_another_store_or_no_copy_is_refused_and_nothing_changes(
        sqlite_settings: Settings, clock: Any, tmp_path: Path) -> None:
    sqlite_settings.data_dir.mkdir(parents=True)
    app = BCOApplication(sqlite_settings, clock=clock)
    empty = BCOApplication(replace(sqlite_settings, data_dir=tmp_path / "empty"), clock=clock)
    try:
        load_demo(app, cases=5, now=clock(), seed=5)
        peer = runner_for(app)
        peer.catch_up()
        copy_views(peer.views_path, peer.key, tmp_path / "peer.db")
        with pytest.raises(ViewsCopyError, match="exists already"):
            copy_views(peer.views_path, peer.key, tmp_path / "peer.db")
        with pytest.raises(ViewsCopyError, match="No read models at"):
            copy_views(tmp_path / "none.db", peer.key, tmp_path / "new.db")
        assert not (tmp_path / "new.db").exists()

        (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
        whole = (tmp_path / "peer.db").read_bytes()
        (tmp_path / "cut.db").write_bytes(whole[:len(whole) // 2])  # a transfer cut short
        other_key = connect_file(tmp_path / "other.db", "x'" + "ab" * 32 + "'")
        other_key.execute("CREATE TABLE projection_positions (name, position)")
        other_key.close()
        joining = node(empty, empty.settings.views_path)
        runner_for(empty).catch_up()  # the node's own read models, to be left as they are
        before = views_contents(empty.settings.views_path, empty.settings)
        for copy, refusal in [
            (tmp_path / "missing.db", "No file at"),
            (tmp_path / "junk.db", "does not open with this store's key"),
            (tmp_path / "other.db", "does not open with this store's key"),
            (tmp_path / "cut.db", "damaged or incomplete"),
            (tmp_path / "peer.db", f"has read event {app.store_position()}, and this store "
                                   "holds 0 events"),
        ]:
            with pytest.raises(ViewsCopyError, match=refusal):
                joining.join(copy)
        assert views_contents(empty.settings.views_path, empty.settings) == before
        assert sorted(p.name for p in empty.settings.data_dir.glob("views.db*")) == [
            "views.db", "views.db.lock"]
    finally:
        app.close()
        empty.close()


def test_copy_and_rebuild_from_it_on_the_command_line(settings: Settings,
                                                      tmp_path: Path) -> None:
    def bco(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), env=settings.to_env())

    assert bco("db", "init").exit_code == 0
    assert bco("demo", "--cases", "8").exit_code == 0
    assert bco("projections", "run").exit_code == 0
    copied = bco("--as", "operator", "projections", "copy", str(tmp_path / "peer.db"))
    assert copied.exit_code == 0, copied.output
    assert "Copied the read models at event" in copied.output
    logged = json.loads(bco("audit", "--user", "operator", "--json").output)["entries"]
    assert [(e["action"], e["case_id"], e["purpose"]) for e in logged] == [
        ("cli-views-copy", None, "bco projections copy")]
    assert str(tmp_path / "peer.db") in logged[0]["detail"]
    followed = views_contents(settings.views_path, settings)
    assert bco("case", "register", "--name", "Na De Kopie", "--phone", "06 12345678",
               "--disease", "covid-19", "--onset", "2026-11-20").exit_code == 0

    settings.views_path.unlink()  # the new node has none yet
    joined = bco("projections", "rebuild", "--from", str(tmp_path / "peer.db"))
    assert joined.exit_code == 0, joined.output
    assert "replayed the 1 event written since it was made" in joined.output
    now = views_contents(settings.views_path, settings)
    assert now != followed and sum(map(len, now.values())) > sum(map(len, followed.values()))

    again = bco("projections", "copy", str(tmp_path / "peer.db"))
    assert again.exit_code == 1 and "exists already" in again.output
    both = bco("projections", "rebuild", "--only", "worklist", "--from", "x.db")
    assert both.exit_code == 2 and "not both" in both.output
    missing = bco("projections", "rebuild", "--from", str(tmp_path / "nope.db"))
    assert missing.exit_code == 1 and "bco projections copy FILE" in missing.output
    assert "Traceback" not in missing.output
    assert views_key(settings) is not None
    assert not (tmp_path / "peer.db").read_bytes().startswith(b"SQLite format 3")  # encrypted
