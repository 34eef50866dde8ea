"""The self-report link in the domain, without I/O: what a link takes, and when it stops."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from bco.domain.errors import InvalidTransitionError, InvalidValueError
from bco.domain.invitation import (
    MAX_PROPOSALS,
    SELF_REPORTED,
    Invitation,
    ProposalStatus,
    invitation_hash,
    invitation_id,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def issued(hours: int = 72) -> Invitation:
    return Invitation.issue(hashed=invitation_hash("a-random-token"), case_id=uuid4(),
                            expires_at=NOW + timedelta(hours=hours), language="nl", now=NOW,
                            actor="tracer")


def propose(link: Invitation, name: str = "Noor", **details: object) -> UUID:
    contact_id = uuid4()
    link.propose_contact(contact_id, {"name": name, **details}, region="NL", today=TODAY,
                         now=NOW)
    return contact_id


def test_the_id_comes_from_the_hash_and_only_the_hash_opens_it() -> None:
    link = issued()
    assert link.id == invitation_id(invitation_hash("a-random-token"))
    assert invitation_hash("a-random-token") != "a-random-token"
    assert link.opens_with(invitation_hash("a-random-token"))
    assert not link.opens_with(invitation_hash("a-random-tokem"))


def test_an_entry_is_a_contact_with_provenance_and_checked_like_a_tracers() -> None:
    link = issued()
    contact_id = propose(link, phone="06 12345678", day=date(2026, 11, 24), household=True,
                         facts={"duration_min": 20}, informs="index")
    [entry] = link.entered
    assert entry.contact.contact_id == contact_id and entry.contact.phone == "+31612345678"
    assert entry.contact.provenance == SELF_REPORTED and entry.proposed_at == NOW
    for bad in ({"name": ""}, {"name": "A", "phone": "1"}, {"name": "A", "email": "a@b.nl"},
                {"name": "A", "day": date(2026, 12, 1)}, {"name": "\x1b[2J"}):
        with pytest.raises(InvalidValueError):
            link.propose_contact(uuid4(), bad, region="NL", today=TODAY, now=NOW)
    assert len(link.entered) == 1


def test_a_link_stops_when_it_expires_or_is_revoked() -> None:
    link = issued(hours=1)
    assert link.usable(NOW) and not link.usable(NOW + timedelta(hours=1))
    with pytest.raises(InvalidTransitionError, match="expired"):
        link.propose_contact(uuid4(), {"name": "Noor"}, region="NL", today=TODAY,
                             now=NOW + timedelta(hours=1))
    link.revoke("wrong number", now=NOW, actor="tracer")
    with pytest.raises(InvalidTransitionError, match="withdrawn"):
        link.walk_day(TODAY, now=NOW)
    with pytest.raises(InvalidValueError):
        Invitation.issue(hashed="x", case_id=uuid4(), expires_at=NOW, language="nl", now=NOW,
                         actor="tracer")


def test_a_link_takes_a_bounded_list() -> None:
    link = issued()
    for number in range(MAX_PROPOSALS):
        propose(link, f"Person {number}")
    with pytest.raises(InvalidValueError, match="the most a link takes"):
        propose(link, "One too many")


def test_each_entry_is_decided_once() -> None:
    link = issued()
    kept, dropped, taken_back = propose(link), propose(link, "Bram"), propose(link, "Ayla")
    link.withdraw(taken_back, now=NOW)
    link.confirm(kept, uuid4(), now=NOW, actor="tracer")
    with pytest.raises(InvalidValueError):
        link.reject(dropped, "  ", now=NOW, actor="tracer")
    link.reject(dropped, "seen before the window", now=NOW, actor="tracer")
    with pytest.raises(InvalidTransitionError):
        link.confirm(dropped, uuid4(), now=NOW, actor="tracer")
    with pytest.raises(InvalidTransitionError):
        link.withdraw(kept, now=NOW)
    statuses = {p.contact.name: (p.status, p.reason) for p in link.proposals.values()}
    assert statuses == {"Noor": (ProposalStatus.CONFIRMED, None),
                        "Bram": (ProposalStatus.REJECTED, "seen before the window"),
                        "Ayla": (ProposalStatus.WITHDRAWN, None)}
    assert [p.contact.name for p in link.entered] == ["Noor", "Bram"] and link.pending == []
