"""`bco serve`: the web app on one machine, behind gunicorn rather than a development server."""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from bco.cli.context import CliContext, mapped_errors
from bco.config import Settings


class _Gunicorn(BaseApplication):
    """One worker process with threads: presence and the read-model runner live in it."""

    def __init__(self, settings: Settings, threads: int) -> None:
        self.settings = settings
        self.threads = threads
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings.host}:{self.settings.port}")
        self.cfg.set("workers", 1)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.threads)
        self.cfg.set("timeout", 60)
        self.cfg.set("accesslog", None)  # request lines are not needed and stay off disk
        self.cfg.set("errorlog", "-")
        # gunicorn's runtime control socket (~/.gunicorn/gunicorn.ctl) is one path for every
        # server of the user: a second node on the machine would take it over, and nothing
        # here needs to reconfigure a running server
        self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from bco.web import create_app

        return create_app(self.settings)


@click.command("serve")
@click.option("--host", help="Address to listen on (default BCO_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default BCO_PORT, 5000).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Requests served at once.")
@click.pass_obj
@mapped_errors
def serve(ctx: CliContext, host: str | None, port: int | None, threads: int) -> None:
    """Serve BCO on this machine (one process; several machines share one PostgreSQL)."""
    settings = ctx.settings.with_overrides(
        host=host or ctx.settings.host, port=port or ctx.settings.port)
    ctx.app  # noqa: B018 - open the store now, so a missing key stops here with its message
    ctx.close()
    click.echo(f"BCO is at http://{settings.host}:{settings.port}/  (Ctrl-C stops it)")
    _Gunicorn(settings, threads).run()
