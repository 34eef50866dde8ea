"""A file sent where a form expects text is refused with 422 on every form, and writes nothing."""

from __future__ import annotations

import io
from uuid import UUID, uuid4

import pytest
from flask import Flask
from web_support import Cases, sign_in

from bco.application import BCOApplication


def upload() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"not a text field\n"), "a.txt"


@pytest.fixture
def case_id(cases: Cases) -> UUID:
    found = cases.register()
    cases.assign(found, "tracer")
    cases.project()
    return found


def test_a_file_in_the_sign_in_form_is_refused(web: Flask, bco_app: BCOApplication) -> None:
    answer = web.test_client().post("/signin", data={"name": upload(), "password": "x"})
    assert answer.status_code == 422
    assert "file" in answer.get_data(as_text=True).lower()


@pytest.mark.parametrize(("path", "field"), [
    ("/cases/{case}/unreachable", "reason"),
    ("/cases/{case}/calls", "note"),
    ("/cases/{case}/take", "expected_version"),
    ("/cases/{case}/interview", "command_id"),
    ("/cases/{case}/assignment", "tracer"),
    ("/next-case", "command_id"),
    ("/interviews/{interview}/answers/household_size", "value"),
    ("/interviews/{interview}/contacts", "name"),
    ("/interviews/{interview}/pause", "summary"),
])
def test_a_file_in_any_text_field_is_422_and_writes_nothing(
        web: Flask, bco_app: BCOApplication, case_id: UUID, path: str, field: str) -> None:
    client = sign_in(web, "lead")
    before = bco_app.store_position()
    target = path.format(case=case_id, interview=uuid4())
    answer = client.post(target, data={"command_id": "c-1", field: upload()},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == "file_not_expected"
    assert bco_app.store_position() == before
