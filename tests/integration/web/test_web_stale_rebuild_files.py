"""What a killed rebuild left beside views.db is removed when the server starts (issue 15),
not only at the next rebuild; the files of a rebuild that still runs are left alone."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bco.application import BCOApplication
from bco.config import Settings
from bco.web import create_app

SECRET = "Sanne de Vries 0612345678"


def gone_pid() -> int:
    """The id of a process that ran and was killed with SIGKILL, as a rebuild can be."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    return child.pid


def free_port() -> int:
    """A port in 5130-5139 that nothing listens on now."""
    for port in range(5130, 5140):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 5130-5139")


def leave_rebuild_files(views: Path) -> tuple[list[Path], list[Path]]:
    """Files of a killed rebuild, and of one still running (this test's own process)."""
    dead = gone_pid()
    killed = [views.parent / f"{views.name}.rebuild-{dead}{suffix}"
              for suffix in ("", ".part1", ".part1-wal", ".part2-journal")]
    running = [views.parent / f"{views.name}.rebuild-{os.getpid()}{suffix}"
               for suffix in ("", ".part1")]
    for stray in [*killed, *running]:
        stray.write_text(SECRET)
    return killed, running


def test_the_web_app_removes_a_killed_rebuilds_files_as_it_starts(
        web_settings: Settings, bco_app: BCOApplication,
        caplog: pytest.LogCaptureFixture) -> None:
    killed, running = leave_rebuild_files(web_settings.views_path)
    with caplog.at_level(logging.WARNING, logger="bco.web.readmodels"):
        create_app(web_settings, bco_app)  # what gunicorn's worker calls as it boots
    assert [p.name for p in killed if p.exists()] == []
    assert all(p.read_text() == SECRET for p in running)
    assert f"Removed {len(killed)} file(s) a killed rebuild left" in caplog.text


@contextmanager
def served(settings: Settings, **env: str) -> Iterator[None]:
    """`bco serve` (gunicorn) on a port of its own, answering /healthz."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bco", "serve", "--threads", "2"],
                              env={**os.environ, **settings.to_env(), "BCO_PORT": str(port),
                                   "BCO_RUN_PROJECTIONS_IN_WEB": "false", **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                            timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "bco serve did not answer in 30 s"
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def test_bco_serve_removes_them_before_it_answers(web_settings: Settings,
                                                  bco_app: BCOApplication) -> None:
    """The real server: `bco serve` (gunicorn) on a port of its own."""
    bco_app.close()
    killed, running = leave_rebuild_files(web_settings.views_path)
    with served(web_settings):
        assert [p.name for p in killed if p.exists()] == []
        assert all(p.read_text() == SECRET for p in running)


def test_bco_serve_opens_no_control_socket(web_settings: Settings, bco_app: BCOApplication,
                                           tmp_path: Path) -> None:
    """gunicorn's control socket is one path per user: a second node on the machine would
    take it over, and it would let anyone with the user's rights reconfigure the server."""
    bco_app.close()
    home = tmp_path / "home"
    home.mkdir()
    with served(web_settings, HOME=str(home), XDG_RUNTIME_DIR=str(home)):
        assert sorted(p.name for p in home.rglob("*")) == []
