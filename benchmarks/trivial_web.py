"""The baseline web app for `http_answer`: Flask behind the same gunicorn, doing nothing.

It reads the same form the answer endpoint reads and returns a fragment of similar size, so the
ratio is what BCO adds (session, CSRF, loading, saving, re-rendering) over Flask and gunicorn.
"""

from __future__ import annotations

from flask import Flask, request

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/answer")
def answer() -> str:
    return f"<span>{request.form.get('value', '')}</span>"
