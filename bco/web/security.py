"""Session secret from a 0600 file, and the headers every response carries."""

from __future__ import annotations

import os
import secrets

from flask import Flask, Response

from bco.config import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

HSTS = "max-age=31536000"


def session_secret(settings: Settings) -> str:
    """Read the session signing key, creating it (mode 0600) on first start."""
    path = settings.secret_key_file
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secret + "\n")
        return secret


def init_app(app: Flask, settings: Settings) -> None:
    secure = settings.secure_cookies

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if secure:
            # Cookies only over HTTPS: so the browser never tries this site over plain HTTP.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        # Pages show health data: never keep them in a shared or browser cache.
        if response.mimetype in ("text/html", "application/json"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
