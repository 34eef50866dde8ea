"""`bco serve`: the web app on one machine."""

from __future__ import annotations

import click

from bco.cli.context import CliContext, mapped_errors


@click.command("serve")
@click.option("--host", help="Address to listen on (default BCO_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default BCO_PORT, 5000).")
@click.pass_obj
@mapped_errors
def serve(ctx: CliContext, host: str | None, port: int | None) -> None:
    """Serve BCO in this process (for one machine; use gunicorn for more)."""
    from bco.web import create_app

    settings = ctx.settings.with_overrides(
        host=host or ctx.settings.host, port=port or ctx.settings.port)
    web = create_app(settings, ctx.app)
    click.echo(f"BCO is at http://{settings.host}:{settings.port}/")
    web.run(host=settings.host, port=settings.port, debug=False, use_reloader=False)
