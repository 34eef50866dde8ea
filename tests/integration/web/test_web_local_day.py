"""A contact's day of last contact is checked against the local day, as the screen shows it:
at 00:30 in Amsterdam (23:30 UTC) "today" is the new day, not yesterday (found by the browser
tests of issue 12, which failed every night between midnight local time and midnight UTC)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from interview_support import HX, start_interview

from bco.application import BCOApplication


def test_a_contact_seen_today_after_local_midnight_is_accepted(
        bco_app: BCOApplication, client_for: Callable[[str], FlaskClient], clock: Any) -> None:
    clock.now = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 5 December, 00:30 in Amsterdam
    interview_id = start_interview(bco_app, clock, tracer="tracer")
    local_today = clock.now.astimezone(bco_app.settings.zone).date()
    assert local_today.isoformat() == "2026-12-05"
    client = client_for("tracer")
    added = client.post(f"/interviews/{interview_id}/contacts", headers=HX,
                        data={"name": "Joris", "day": local_today.isoformat()})
    assert added.status_code == 200, added.get_data(as_text=True)
    contact = bco_app.get_interview(interview_id).live_contacts[0]
    assert contact.day == local_today
    changed = bco_app.update_contact(interview_id, contact.contact_id,
                                     {"day": local_today - timedelta(days=1)}, actor="tracer")
    assert changed.position is not None
    bco_app.update_contact(interview_id, contact.contact_id, {"day": local_today},
                           actor="tracer")
    assert bco_app.get_interview(interview_id).live_contacts[0].day == local_today
