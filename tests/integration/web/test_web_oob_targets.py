"""Every out-of-band piece a save sends back has its place on the screen: htmx reports one
without a target as an error in the console (`htmx:oobErrorNoTarget`, issue 12 item 11)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask.testing import FlaskClient
from interview_support import HX, start_interview

from bco.application import BCOApplication

Clients = Callable[[str], FlaskClient]
OOB = re.compile(r'<[a-z]+[^>]*\bid="([^"]+)"[^>]*\bhx-swap-oob="true"')
ID = re.compile(r'\bid="([^"]+)"')


def oob_targets_missing(client: FlaskClient, interview_id: UUID, path: str,
                        data: dict[str, Any]) -> list[str]:
    """The out-of-band ids a save answers with that the screen it was made on lacks."""
    screen = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    answer = client.post(f"/interviews/{interview_id}{path}", data=data, headers=HX)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    on_screen = set(ID.findall(screen))
    return [i for i in OOB.findall(answer.get_data(as_text=True)) if i not in on_screen]


def test_every_save_redraws_only_what_is_on_the_screen(
        bco_app: BCOApplication, client_for: Clients, clock: Any) -> None:
    interview_id = start_interview(bco_app, clock, tracer="tracer")
    client = client_for("tracer")
    version = lambda: str(bco_app.get_interview(interview_id).version)  # noqa: E731
    assert oob_targets_missing(client, interview_id, "/answers/household_size",
                               {"value": "2", "expected_version": version()}) == []
    assert oob_targets_missing(client, interview_id, "/contacts",
                               {"name": "Joris", "prompt": "household_members",
                                "household": "1"}) == []
    # "That is everyone (1 listed)": a contacts question has no answer form to redraw
    assert oob_targets_missing(client, interview_id, "/answers/household_members", {}) == []
    contact_id = bco_app.get_interview(interview_id).live_contacts[0].contact_id
    assert oob_targets_missing(client, interview_id, f"/contacts/{contact_id}",
                               {"name": "Joris", "phone": "0612345678",
                                "expected_version": version()}) == []
    assert oob_targets_missing(client, interview_id, "/answers/went_to_work",
                               {"value": "yes", "expected_version": version()}) == []
