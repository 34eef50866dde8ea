"""The self-report link on SQLite and PostgreSQL: issue, use, expire, revoke, confirm, reject."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from bco.application import BCOApplication
from bco.config import Settings
from bco.domain.case import Case, IndexPerson
from bco.domain.errors import InvalidTransitionError, InvalidValueError, NotFoundError
from bco.domain.invitation import SELF_REPORTED, ProposalStatus, invitation_hash, invitation_id

PERSON = IndexPerson(name="Sanne de Vries", phone="06 12345678", language="en")
ONSET = date(2026, 11, 23)  # the fake clock's day is 2026-11-25


def case_with_link(app: BCOApplication) -> tuple:
    case_id = app.register_case(person=PERSON, disease="covid-19", onset=ONSET,
                                actor="intake").aggregate_id
    app.assign_case(case_id, "tracer", "north", actor="lead")
    issued = app.invite_index(case_id, actor="tracer")
    return case_id, issued


def test_a_link_keeps_only_the_hash_and_opens_the_case_window(app: BCOApplication) -> None:
    case_id, issued = case_with_link(app)
    assert issued.url.endswith(f"/r/{issued.token}")
    assert str(case_id) not in issued.url
    assert issued.expires_at == app.clock() + timedelta(hours=app.settings.invite_hours)
    history = app.case_history(case_id)
    assert issued.token not in repr(history)
    issued_event = next(e for e in history if e["type"] == "Invitation.Issued")
    assert issued_event["data"]["hashed"] == invitation_hash(issued.token)
    link = app.open_link(issued.token)
    assert link is not None and link.state == "open"
    assert link.invitation.id == invitation_id(invitation_hash(issued.token))
    # The window runs from two days before onset up to today, newest first (the guide's order).
    assert link.days == (date(2026, 11, 25), date(2026, 11, 24), date(2026, 11, 23),
                         date(2026, 11, 22), date(2026, 11, 21))


def test_guessed_and_malformed_tokens_open_nothing(app: BCOApplication) -> None:
    _case_id, issued = case_with_link(app)
    assert app.open_link(issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")) is None
    assert app.open_link("x") is None
    assert app.open_link("a" * 5000) is None
    with pytest.raises(NotFoundError):
        app.propose_contact("nope" * 10, {"name": "Noor"})


def test_entries_are_kept_and_checked_against_the_guide(app: BCOApplication) -> None:
    _case_id, issued = case_with_link(app)
    app.propose_contact(issued.token, {
        "name": "Noor", "phone": "06 87654321", "day": date(2026, 11, 24), "setting": "work",
        "facts": {"duration_min": 30, "distance_m": 1.0}, "informs": "index"})
    before = app.store_position()
    for bad, field in (({"name": ""}, "name"), ({"name": "A", "phone": "12"}, "phone"),
                       ({"name": "A", "day": date(2026, 11, 1)}, "day"),
                       ({"name": "A", "setting": "moon"}, "setting"),
                       ({"name": "A", "facts": {"duration_min": "long"}}, "fact_duration_min"),
                       ({"name": "x" * 300}, "name")):
        with pytest.raises(InvalidValueError) as caught:
            app.propose_contact(issued.token, bad)
        assert caught.value.field == field
    assert app.store_position() == before
    link = app.open_link(issued.token)
    assert link is not None
    [entered] = link.invitation.entered
    assert entered.contact.phone == "+31687654321"
    assert entered.contact.provenance == SELF_REPORTED


def test_an_expired_link_says_so_and_takes_nothing(app: BCOApplication, clock) -> None:
    _case_id, issued = case_with_link(app)
    clock.advance(hours=app.settings.invite_hours)
    link = app.open_link(issued.token)
    assert link is not None and link.state == "expired"
    with pytest.raises(InvalidTransitionError):
        app.propose_contact(issued.token, {"name": "Noor"})


def test_a_revoked_or_replaced_link_stops_working(app: BCOApplication) -> None:
    case_id, first = case_with_link(app)
    second = app.invite_index(case_id, actor="tracer")
    assert app.open_link(first.token).state == "revoked"  # type: ignore[union-attr]
    assert app.open_link(second.token).state == "open"  # type: ignore[union-attr]
    app.revoke_invitations(case_id, reason="sent to the wrong number", actor="tracer")
    assert app.open_link(second.token).state == "revoked"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError):
        app.propose_contact(second.token, {"name": "Noor"})


def test_a_closed_case_finishes_its_link(app: BCOApplication) -> None:
    case_id, issued = case_with_link(app)
    app.close_case(case_id, "index died", actor="tracer")
    link = app.open_link(issued.token)
    assert link is not None and link.state == "finished" and not link.usable
    before = app.store_position()
    with pytest.raises(InvalidTransitionError):
        app.propose_contact(issued.token, {"name": "Noor"})
    with pytest.raises(InvalidTransitionError):
        app.walk_day(issued.token, ONSET)
    with pytest.raises(InvalidTransitionError):
        app.invite_index(case_id, actor="tracer")
    assert app.store_position() == before


def test_a_link_stays_used_up_when_the_interview_is_reopened(app: BCOApplication,
                                                             clock) -> None:
    case_id, issued = case_with_link(app)
    interview_id = app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    app.complete_interview(interview_id, actor="tracer")
    clock.advance(minutes=5)
    app.reopen_interview(interview_id, "forgot the sports club", actor="tracer")
    assert app.open_link(issued.token).state == "finished"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError):
        app.propose_contact(issued.token, {"name": "Late"})
    clock.advance(minutes=5)
    fresh = app.invite_index(case_id, actor="tracer")  # the reopened interview may send one
    assert app.open_link(fresh.token).state == "open"  # type: ignore[union-attr]
    app.propose_contact(fresh.token, {"name": "Coach"})


def test_links_per_case_are_limited(app: BCOApplication) -> None:
    case_id, _issued = case_with_link(app)
    for _ in range(4):
        app.invite_index(case_id, actor="tracer")
    with pytest.raises(InvalidTransitionError, match="24 hours"):
        app.invite_index(case_id, actor="tracer")


def test_tracer_confirms_one_and_rejects_one_and_history_shows_who_said_what(
        app: BCOApplication, clock) -> None:
    case_id, issued = case_with_link(app)
    noor = app.propose_contact(issued.token, {"name": "Noor", "day": date(2026, 11, 24),
                                              "household": True}).aggregate_id
    bram = app.propose_contact(issued.token, {"name": "Bram", "day": date(2026, 11, 23)}
                               ).aggregate_id
    app.walk_day(issued.token, date(2026, 11, 24))
    clock.advance(hours=2)
    interview_id = app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    with pytest.raises(InvalidTransitionError, match="2 contact"):
        app.complete_interview(interview_id, actor="tracer")
    link_id = invitation_id(invitation_hash(issued.token))
    app.confirm_proposal(interview_id, link_id, noor, {"phone": "06 11112222"}, actor="tracer")
    with pytest.raises(InvalidValueError):
        app.reject_proposal(interview_id, link_id, bram, " ", actor="tracer")
    app.reject_proposal(interview_id, link_id, bram, "not seen in the window", actor="tracer")
    with pytest.raises(InvalidTransitionError):
        app.confirm_proposal(interview_id, link_id, bram, actor="tracer")
    interview = app.get_interview(interview_id)
    [contact] = interview.live_contacts
    assert (contact.name, contact.phone, contact.household) == ("Noor", "+31611112222", True)
    assert contact.provenance == SELF_REPORTED
    assert contact.proposed_at is not None and contact.proposed_at < clock.now
    statuses = {str(p.contact.contact_id): p.status
                for p in app.open_link(issued.token).invitation.proposals.values()}  # type: ignore[union-attr]
    assert statuses == {str(noor): ProposalStatus.CONFIRMED, str(bram): ProposalStatus.REJECTED}
    history = app.case_history(case_id)
    proposed = [e for e in history if e["type"] == "Invitation.ContactProposed"]
    assert {e["actor"] for e in proposed} == {"index (self-report link)"}
    reported = next(e for e in history if e["type"] == "Interview.ContactReported")
    assert reported["actor"] == "tracer" and reported["data"]["provenance"] == SELF_REPORTED
    rejected = next(e for e in history if e["type"] == "Invitation.ProposalRejected")
    assert rejected["data"]["reason"] == "not seen in the window"
    app.complete_interview(interview_id, actor="tracer")
    assert app.open_link(issued.token).state == "finished"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError):
        app.propose_contact(issued.token, {"name": "Late"})
    with pytest.raises(InvalidTransitionError):
        app.invite_index(case_id, actor="tracer")


def test_a_proposal_of_another_case_cannot_be_confirmed(app: BCOApplication) -> None:
    _case_id, issued = case_with_link(app)
    entry = app.propose_contact(issued.token, {"name": "Noor"}).aggregate_id
    other_case, _other = case_with_link(app)
    interview_id = app.start_interview(other_case, actor="tracer").aggregate_id
    with pytest.raises(NotFoundError):
        app.confirm_proposal(interview_id, invitation_id(invitation_hash(issued.token)), entry,
                             actor="tracer")
    with pytest.raises(InvalidValueError):
        app.withdraw_proposal(issued.token, uuid4())
    app.withdraw_proposal(issued.token, entry)
    assert app.open_link(issued.token).invitation.entered == []  # type: ignore[union-attr]


def test_the_case_file_shows_who_said_what(app: BCOApplication, clock) -> None:
    from casefile_story import pdf_text

    from bco.reports.output import case_file_pdf

    case_id, _first = case_with_link(app)
    issued = app.invite_index(case_id, actor="tracer")  # the first link stops
    noor = app.propose_contact(issued.token, {"name": "Noor", "day": date(2026, 11, 24)}
                               ).aggregate_id
    ayla = app.propose_contact(issued.token, {"name": "Ayla", "phone": "06 12121212"}
                               ).aggregate_id
    bram = app.propose_contact(issued.token, {"name": "Bram"}).aggregate_id
    app.walk_day(issued.token, date(2026, 11, 24))
    clock.advance(hours=1)
    interview_id = app.start_interview(case_id, actor="tracer", reached=True).aggregate_id
    link_id = invitation_id(invitation_hash(issued.token))
    app.confirm_proposal(interview_id, link_id, noor, actor="tracer")
    app.confirm_proposal(interview_id, link_id, ayla, {"phone": "06 34343434",
                                                       "relation": "sister"}, actor="tracer")
    app.reject_proposal(interview_id, link_id, bram, "a duplicate of Bram de Wit",
                        actor="tracer")
    text = " ".join(pdf_text(case_file_pdf(app, case_id, as_of=None, language="en")).split())
    assert "Self-report link sent to the index" in text
    assert "Self-report link stopped: a new link was sent" in text
    assert "The index went through Tue 24 Nov 2026 on the link" in text
    assert "The index entered Noor through the link (self-reported)" in text
    assert "Self-reported contact Noor confirmed" in text
    assert "Noor confirmed with" not in text  # taken over as the index entered it
    assert ("Self-reported contact Ayla confirmed with the tracer's corrections: Phone, "
            "Relation") in text
    assert "Self-reported contact Bram rejected: a duplicate of Bram de Wit" in text
    assert "Self-reported by the" in text and "confirmed by the tracer" in text
    dutch = " ".join(pdf_text(case_file_pdf(app, case_id, as_of=None, language="nl")).split())
    assert "Link voor zelfrapportage gestopt: er is een nieuwe link gestuurd" in dutch
    assert "a new link was sent" not in dutch
    assert "index (via de" in dutch and "De index vulde Noor in via de link" in dutch
    assert "report link)" not in dutch  # the actor in the reader's language too (cells wrap)
    assert "bevestigd met correcties van de contactonderzoeker: Telefoon, Relatie" in dutch


def test_links_survive_snapshots_and_older_snapshots_have_none(settings: Settings,
                                                                clock) -> None:
    small = settings.with_overrides(snapshot_interval=2, aggregate_cache_size=0)
    first = BCOApplication(small, clock=clock)
    try:
        case_id, _issued = case_with_link(first)
        for _ in range(2):
            first.invite_index(case_id, actor="tracer")
        first.log_call_attempt(case_id, "no_answer", actor="tracer")
    finally:
        first.close()
    again = BCOApplication(small, clock=clock)
    try:
        assert again.snapshots is not None
        assert list(again.snapshots.get(case_id))  # the case was read from a snapshot
        case = again.get_case(case_id)
        assert len(case.invitations) == 3
        assert [i.revoked_at is None for i in again.case_invitations(case)] == [
            False, False, True]
    finally:
        again.close()
    old = Case.__new__(Case)  # a snapshot from before links restores no such attribute
    assert old.invitations == ()


def test_what_the_link_took_is_erased_with_the_case(app: BCOApplication, clock) -> None:
    from bco.domain.personal import REMOVED

    case_id, issued = case_with_link(app)
    app.propose_contact(issued.token, {"name": "Noor", "phone": "06 87654321"})
    app.close_case(case_id, "no interview possible", actor="tracer")
    clock.advance(days=400)
    due = app.retention_due(case_id, as_of=clock.now, case_days=365, contact_days=30)
    assert due is not None
    app.erase(due, actor="retention")
    fresh = BCOApplication(app.settings, clock=clock)
    try:
        [entry] = fresh.case_invitations(fresh.get_case(case_id))[0].proposals.values()
        assert entry.contact.name == REMOVED and entry.contact.phone == REMOVED
    finally:
        fresh.close()
