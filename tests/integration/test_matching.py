"""Person matching on SQLite and PostgreSQL: a new case is proposed as the same person as an
earlier case (phone; birth date and name) or a contact (phone); the tracer links or refuses,
both recorded; a link loses nothing, and a contact who becomes a case counts as known."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from casefile_story import pdf_text

from bco.application import BCOApplication, Erasure
from bco.domain.case import IndexPerson
from bco.domain.errors import InvalidValueError, NotFoundError
from bco.projections import all_read_models, matches
from bco.projections.person_keys import PersonKeys
from bco.projections.rebuild import Rebuilder
from bco.projections.runner import ReadModelRunner
from bco.projections.timeline import case_timeline
from bco.reports.output import case_file_pdf


def register(app: BCOApplication, clock: Any, name: str, phone: str,
             birth: date | None = None) -> UUID:
    clock.advance(minutes=5)
    return app.register_case(person=IndexPerson(name=name, phone=phone, birth_date=birth),
                             disease="covid-19", onset=clock.now.date() - timedelta(days=1),
                             actor="intake").aggregate_id


def named_contact(app: BCOApplication, clock: Any, case_id: UUID, name: str,
                  phone: str) -> UUID:
    interview_id = app.start_interview(case_id, actor="tracer").aggregate_id
    return app.report_contact(interview_id, {
        "name": name, "phone": phone, "day": clock.now.date(), "household": True,
        "facts": {}}, actor="tracer").aggregate_id


@pytest.fixture
def runner(app: BCOApplication) -> ReadModelRunner:
    """The read models where the case file looks for links made to a case."""
    return ReadModelRunner(app, app.settings.views_path, all_read_models(app))


def proposals(runner: ReadModelRunner, case_id: UUID) -> list[dict[str, Any]]:
    runner.catch_up()
    with runner.reading() as db:
        return matches.proposals(db, str(case_id))


def test_the_same_person_twice_is_proposed_on_phone_and_on_name_and_birth(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    first = register(app, clock, "Élise Jansen-de Vries", "06 12345678", date(1980, 3, 4))
    again = register(app, clock, "elise de vries jansen", "06 87654321", date(1980, 3, 4))
    third = register(app, clock, "Someone Else", "+31 6 12345678")
    unrelated = register(app, clock, "Elise Jansen", "06 56789012", date(1980, 3, 4))
    assert [(p["other_case_id"], p["on_phone"], p["on_name_birth"])
            for p in proposals(runner, again)] == [(str(first), 0, 1)]
    assert [(p["other_case_id"], p["on_phone"], p["on_name_birth"])
            for p in proposals(runner, third)] == [(str(first), 1, 0)]
    assert proposals(runner, unrelated) == [] and proposals(runner, first) == []


def test_no_name_or_phone_is_kept_in_the_clear(app: BCOApplication, clock: Any,
                                               runner: ReadModelRunner) -> None:
    register(app, clock, "Sanne de Vries", "06 12345678", date(1980, 3, 4))
    runner.catch_up()
    with runner.reading() as db:  # every row of the model's tables, as text
        table_text = [f"{table.name}: {row}" for table in db.tables
                      if table.name.startswith("matches_") for row in table.rows]
    assert table_text and not any("Sanne" in line or "+3161234" in line or "1980-03-04" in line
                                  for line in table_text)


def test_a_contact_who_becomes_a_case_is_linked_and_counted(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    source = register(app, clock, "Index Person", "06 12345678")
    contact_id = named_contact(app, clock, source, "Karin Oosterhuis", "06 47658312")
    clock.advance(hours=1)
    new = register(app, clock, "Karin Oosterhuis", "0647658312")
    [proposal] = proposals(runner, new)
    assert proposal["other_case_id"] == str(source)
    assert proposal["contact_id"] == str(contact_id) and proposal["decision"] is None
    with runner.reading() as db:
        assert case_timeline(db, str(new))["known_contact"] == 1
    app.decide_match(new, source, contact_id, same=True, actor="tracer")
    app.decide_match(new, source, contact_id, same=True, actor="tracer")  # nothing twice
    assert [p["decision"] for p in proposals(runner, new)] == ["same"]
    with runner.reading() as db:
        [link] = matches.linked_from(db, str(source))
    assert link["case_id"] == str(new) and link["contact_id"] == str(contact_id)
    history = [e["type"] for e in app.case_history(new)]
    assert history == ["Case.Registered", "Case.MatchDecided"]
    source_interview = app.get_interview(app.get_case(source).interview_id)  # type: ignore[arg-type]
    assert str(contact_id) in source_interview.contacts  # nothing lost on either side


def test_a_link_to_a_contact_without_a_matching_phone_counts_as_known(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    source = register(app, clock, "Index Person", "06 12345678")
    contact_id = named_contact(app, clock, source, "Karin", "06 47658312")
    new = register(app, clock, "Karin Oosterhuis", "06 23456789")
    runner.catch_up()
    with runner.reading() as db:
        assert case_timeline(db, str(new))["known_contact"] == 0
    app.decide_match(new, source, contact_id, same=True, actor="tracer")
    runner.catch_up()
    with runner.reading() as db:
        assert case_timeline(db, str(new))["known_contact"] == 1


def test_not_the_same_person_needs_a_reason_and_is_kept(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    first = register(app, clock, "Jan Smit", "06 12345678")
    second = register(app, clock, "Jan Smit Jr", "06 12345678")
    before = app.store_position()
    with pytest.raises(InvalidValueError) as refused:
        app.decide_match(second, first, None, same=False, reason=" ", actor="tracer")
    assert refused.value.field == "reason" and app.store_position() == before
    app.decide_match(second, first, None, same=False, reason="Father and son share a phone",
                     actor="tracer")
    [decided] = proposals(runner, second)
    assert decided["decision"] == "different" and decided["decided_by"] == "tracer"
    history = app.case_history(second)
    assert history[-1]["data"]["reason"] == "Father and son share a phone"


def test_decisions_are_refused_for_unknown_cases_contacts_and_itself(
        app: BCOApplication, clock: Any) -> None:
    first = register(app, clock, "A", "06 12345678")
    second = register(app, clock, "B", "06 87654321")
    with pytest.raises(NotFoundError):
        app.decide_match(second, UUID(int=1), None, same=True, actor="tracer")
    with pytest.raises(NotFoundError):
        app.decide_match(second, first, UUID(int=2), same=True, actor="tracer")
    with pytest.raises(InvalidValueError):
        app.decide_match(second, second, None, same=True, actor="tracer")


def test_a_correction_withdraws_an_open_proposal_and_finds_new_ones(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    first = register(app, clock, "Piet Bakker", "06 12345678", date(1970, 1, 1))
    other = register(app, clock, "Kees Smit", "06 45678901", date(1990, 2, 2))
    new = register(app, clock, "Typo Person", "06 12345678")
    assert [p["other_case_id"] for p in proposals(runner, new)] == [str(first)]
    app.correct_case_details(new, {"phone": "06 34567890", "name": "Kees Smit",
                                   "birth_date": date(1990, 2, 2)}, actor="tracer")
    assert [p["other_case_id"] for p in proposals(runner, new)] == [str(other)]


def test_rebuild_gives_what_following_gave(app: BCOApplication, clock: Any,
                                           runner: ReadModelRunner) -> None:
    source = register(app, clock, "Index", "06 12345678")
    contact_id = named_contact(app, clock, source, "Karin", "06 47658312")
    new = register(app, clock, "Karin", "06 47658312")
    app.decide_match(new, source, contact_id, same=True, actor="tracer")
    runner.catch_up()
    with runner.reading() as db:
        followed = sorted(map(tuple, db.execute(f"SELECT * FROM {matches.PROPOSALS}")))
    Rebuilder(runner).rebuild()
    with runner.reading() as db:
        rebuilt = sorted(map(tuple, db.execute(f"SELECT * FROM {matches.PROPOSALS}")))
        found = db.execute(
            f"SELECT case_id, contact_id FROM {matches.KEYS} WHERE key = ?",
            [PersonKeys(app.settings.cipher_key).phone("+31647658312")]).fetchall()
    assert followed == rebuilt and len(followed) == 1
    assert set(found) == {(str(source), str(contact_id)), (str(new), "")}


def test_both_case_files_show_the_link(app: BCOApplication, clock: Any,
                                       runner: ReadModelRunner) -> None:
    source = register(app, clock, "Index Person", "06 12345678")
    contact_id = named_contact(app, clock, source, "Karin Oosterhuis", "06 47658312")
    new = register(app, clock, "Karin Oosterhuis", "06 47658312")
    clock.advance(minutes=5)
    app.decide_match(new, source, contact_id, same=True, actor="tracer")
    runner.catch_up()
    new_file = pdf_text(case_file_pdf(app, new, as_of=None, language="en"))
    assert f"named as a contact in case C-{str(source)[:8]}" in " ".join(new_file.split())
    source_file = " ".join(pdf_text(case_file_pdf(app, source, as_of=None,
                                                  language="en")).split())
    assert f"Contact Karin Oosterhuis became case C-{str(new)[:8]}" in source_file
    before = " ".join(pdf_text(case_file_pdf(app, source, as_of=clock.now - timedelta(
        minutes=1), language="en")).split())
    assert "became case" not in before


def test_nobody_past_retention_is_proposed(app: BCOApplication, clock: Any,
                                           runner: ReadModelRunner) -> None:
    """Once a case's personal data is erased, neither its index nor its contacts are
    anyone's match: the hashes go with the keys."""
    gone = register(app, clock, "Vera Oud", "06 11112222", date(1970, 1, 2))
    named_contact(app, clock, gone, "Kees Oud", "06 33334444")
    app.close_case(gone, "done", actor="tracer")
    clock.advance(days=400)
    due = app.retention_due(gone, as_of=clock.now, case_days=180, contact_days=28)
    assert due is not None
    app.erase(due, actor="retention")
    again = register(app, clock, "Vera Oud", "06 11112222", date(1970, 1, 2))
    contact_now = register(app, clock, "Kees Oud", "06 33334444")
    assert proposals(runner, again) == [] and proposals(runner, contact_now) == []
    followed = proposals(runner, again)
    Rebuilder(runner).rebuild()
    assert proposals(runner, again) == followed


def erase_index(app: BCOApplication, case_id: UUID) -> None:
    """The end of retention for a case's index, whenever it falls."""
    app.erase(Erasure(case_id, None, ("index",), ()), actor="retention")


def all_proposals(runner: ReadModelRunner) -> list[tuple[Any, ...]]:
    runner.catch_up()
    with runner.reading() as db:
        return sorted(map(tuple, db.execute(f"SELECT * FROM {matches.PROPOSALS}")))


def test_a_rebuild_after_retention_gives_what_following_gave(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    """Followed along, a case was matched on a name and birth date that a rebuild cannot
    read any more (only the phone's hash outlives retention): once erased, a person is in no
    open proposal, and a decided one keeps its decision but no match, either way."""
    first = register(app, clock, "Vera Oud", "06 11112222", date(1970, 1, 2))
    second = register(app, clock, "Vera Oud", "06 33334444", date(1970, 1, 2))
    third = register(app, clock, "Vera Oud", "06 11112222", date(1970, 1, 2))
    clock.advance(minutes=5)
    app.decide_match(second, first, None, same=False, reason="Twins", actor="tracer")
    assert sorted((p["other_case_id"], p["on_phone"], p["on_name_birth"])
                  for p in proposals(runner, third)) == sorted([(str(first), 1, 1),
                                                                (str(second), 0, 1)])
    clock.advance(minutes=5)
    erase_index(app, first)
    followed = all_proposals(runner)
    assert [(p["other_case_id"], p["on_phone"], p["on_name_birth"], p["decision"])
            for p in proposals(runner, second)] == [(str(first), 0, 0, "different")]
    assert [(p["other_case_id"], p["on_phone"], p["on_name_birth"])
            for p in proposals(runner, third)] == [(str(second), 0, 1)]
    Rebuilder(runner).rebuild()
    assert all_proposals(runner) == followed


def test_a_shared_key_cap_reached_with_someone_later_erased_rebuilds_the_same(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    """Seven people give one name and birth date: over the cap, the seventh is proposed to
    nobody. When the first is erased six remain, so the seventh is proposed to the five
    others, as a rebuild (which never reads the first one's name again) has it."""
    cases = []
    for number in range(matches.SHARED_KEY_HOLDERS + 1):
        cases.append(register(app, clock, "Jan Smit", f"06 1000000{number}", date(1980, 5, 6)))
        runner.catch_up()
    assert proposals(runner, cases[-1]) == []
    erase_index(app, cases[0])
    assert sorted(p["other_case_id"] for p in proposals(runner, cases[-1])) == sorted(
        map(str, cases[1:-1]))
    followed = all_proposals(runner)
    Rebuilder(runner).rebuild()
    assert all_proposals(runner) == followed


def test_a_removed_contact_is_nobody_s_open_proposal(
        app: BCOApplication, clock: Any, runner: ReadModelRunner) -> None:
    source = register(app, clock, "Index Person", "06 12345678")
    contact_id = named_contact(app, clock, source, "Karin Oosterhuis", "06 47658312")
    new = register(app, clock, "Karin Oosterhuis", "0647658312")
    assert [p["contact_id"] for p in proposals(runner, new)] == [str(contact_id)]
    interview_id = app.get_case(source).interview_id
    assert interview_id is not None
    app.remove_contact(interview_id, contact_id, "double", actor="tracer")
    assert proposals(runner, new) == []
    followed = all_proposals(runner)
    Rebuilder(runner).rebuild()
    assert all_proposals(runner) == followed
