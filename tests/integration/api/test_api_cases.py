"""The case list and one case in full, as an authority's program reads them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote
from uuid import UUID

from api_support import Api
from flask import Flask


def test_the_list_filters_by_status_disease_team_and_change(api: Api) -> None:
    waiting = api.register()
    api.clock.advance(minutes=1)  # same-moment changes come in case id order
    interviewed = api.register()
    api.interview(interviewed, ["Karin Oosterhuis"])
    api.clock.advance(hours=2)
    since = api.clock.now
    changed = api.register(disease="measles")
    api.project()

    def ids(query: str) -> list[str]:
        return [case["id"] for case in api.json(f"/api/cases{query}")["cases"]]

    assert ids("") == [str(waiting), str(interviewed), str(changed)]
    assert ids("?status=in_progress") == [str(interviewed)]
    assert ids("?status=new") == [str(waiting), str(changed)]
    assert ids("?disease=measles") == [str(changed)]
    assert ids("?team=north") == [str(interviewed)]
    assert ids(f"?updated_since={quote(since.isoformat())}") == [str(changed)]
    assert ids(f"?updated_since={since.replace(tzinfo=None).isoformat()}") == [str(changed)]
    first = api.json("/api/cases?disease=measles")["cases"][0]
    assert first["reference"] == f"C-{str(changed)[:8]}" and first["team"] is None
    assert "name" not in first and "phone" not in first


def test_paging_with_the_cursor_gives_every_case_once_and_a_changed_case_again(
        api: Api) -> None:
    registered = []
    for _ in range(5):
        registered.append(str(api.register()))
        api.clock.advance(minutes=1)
    api.project()
    page = api.json("/api/cases?limit=2")
    seen = [case["id"] for case in page["cases"]]
    api.app.assign_case(UUID(registered[0]), "tracer", "north", actor="lead")  # seen already
    api.project()
    while page["next_cursor"]:
        page = api.json(f"/api/cases?limit=2&cursor={page['next_cursor']}")
        seen += [case["id"] for case in page["cases"]]
    assert seen == [*registered, registered[0]]


def test_a_case_in_full_with_answers_contacts_and_calls(api: Api) -> None:
    case_id = api.register(name="Index Persoon")
    interview_id = api.interview(case_id, ["Karin Oosterhuis"])
    api.clock.advance(hours=1)
    later = api.add_contact(interview_id, "Piet Later", household=False)
    case = api.json(f"/api/cases/{case_id}")
    assert case["id"] == str(case_id) and case["status"] == "in_progress"
    assert case["person"]["name"] == "Index Persoon"
    assert case["person"]["birth_date"] == "1980-03-04"
    assert [a["outcome"] for a in case["call_attempts"]] == ["reached"]
    assert case["team"] == "north" and case["tracer"] == "tracer" and case["as_of"] is None
    interview = case["interview"]
    assert interview["id"] == str(interview_id) and interview["answers"] == {
        "household_size": 1}
    contacts = {c["name"]: c for c in interview["contacts"]}
    assert set(contacts) == {"Karin Oosterhuis", "Piet Later"}
    karin = contacts["Karin Oosterhuis"]
    assert karin["phone"] == "+31647658312" and karin["household"] is True
    assert karin["category"] == "1" and karin["category_source"] == "computed"
    assert contacts["Piet Later"]["id"] == str(later)


def test_as_of_gives_the_case_as_it_stood_then(api: Api) -> None:
    before = api.clock.now - timedelta(minutes=1)
    case_id = api.register()
    interview_id = api.interview(case_id, ["Karin Oosterhuis"])
    api.clock.advance(hours=1)
    moment = api.clock.now
    api.clock.advance(hours=1)
    api.add_contact(interview_id, "Piet Later")
    then = api.json(f"/api/cases/{case_id}?as_of={quote(moment.isoformat())}")
    assert [c["name"] for c in then["interview"]["contacts"]] == ["Karin Oosterhuis"]
    assert then["as_of"].startswith(moment.isoformat()[:19])
    now = api.json(f"/api/cases/{case_id}")
    assert len(now["interview"]["contacts"]) == 2
    unborn = api.get(f"/api/cases/{case_id}?as_of={quote(before.isoformat())}")
    assert unborn.status_code == 404 and "not registered yet" in unborn.json["message"]


def test_the_case_file_is_a_pdf(api: Api) -> None:
    case_id = api.register()
    api.interview(case_id, ["Karin Oosterhuis"])
    answer = api.get(f"/api/cases/{case_id}/casefile.pdf?language=en")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert f"C-{str(case_id)[:8]}.pdf" in answer.headers["Content-Disposition"]


def test_every_read_is_in_the_access_log_under_the_token_name(api: Api,
                                                               flask_app: Flask) -> None:
    case_id = api.register(name="Geheime Naam")
    api.project()
    api.json("/api/cases")
    api.json(f"/api/cases/{case_id}")
    api.get(f"/api/cases/{case_id}/casefile.pdf")
    api.get("/api/exports/cases?format=csv")
    entries = flask_app.extensions["bco"].access_log.entries()
    assert [(e.account, e.role, e.action, e.records) for e in entries] == [
        ("ggd-export", "authority", "api-case-list", 1), ("ggd-export", "authority", "api-case",
                                                          None),
        ("ggd-export", "authority", "api-casefile", None),
        ("ggd-export", "authority", "export-cases", 1)]
    assert entries[1].case_id == case_id and entries[1].relation == "role"
    assert entries[3].detail == "csv, personal, everything"
    assert "Geheime" not in repr(entries)


def test_the_api_uses_no_session(api: Api, flask_app: Flask) -> None:
    answer = api.get("/api/cases")
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"
