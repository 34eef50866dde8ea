"""Practice on the web: the interview screen on the sandbox with the simulated index beside it,
feedback at the end, the lead's view of scores; nothing practised reaches real work."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from flask import Flask
from flask.testing import FlaskClient
from interview_support import HX

from bco.application import BCOApplication
from bco.domain.reference import case_reference
from bco.training.sandbox import TrainingApplication
from bco.web.sandbox import training_app

SCENARIO = "covid-19-birthday-en"


def start(client: FlaskClient, scenario: str = SCENARIO) -> UUID:
    answer = client.post("/practice/start", data={"scenario": scenario})
    assert answer.status_code == 302, answer.text
    found = re.fullmatch(r"/practice/interviews/([0-9a-f-]{36})", answer.location)
    assert found, answer.location
    return UUID(found.group(1))


def practice_id(web: Flask, interview_id: UUID) -> UUID:
    with web.app_context():
        practice = training_app().practice_for(interview_id)
    assert practice is not None
    return practice.id


def test_a_practice_interview_with_the_index_beside_it(
        web: Flask, client_for: Callable[[str], FlaskClient]) -> None:
    tracer = client_for("tracer")
    assert f'data-scenario="{SCENARIO}"' in tracer.get("/practice").text
    interview_id = start(tracer)
    page = tracer.get(f"/practice/interviews/{interview_id}")
    assert page.status_code == 200
    assert 'id="index-panel"' in page.text and 'href="#index-panel"' in page.text  # the chip
    assert "My partner Sam is here with me" in page.text  # named unprompted
    assert f'action="/practice/interviews/{interview_id}/answers/' in page.text
    assert 'action="/interviews/' not in page.text and "/presence/" not in page.text
    pid = practice_id(web, interview_id)
    home = tracer.get("/practice").text  # left and come back: the practice is there to resume
    assert f'<li data-practice="{pid}"><a href="/practice/interviews/{interview_id}">' in home
    panel = tracer.post(f"/practice/{pid}/ask", data={"prompt": "setting:sport"}, headers=HX)
    assert panel.status_code == 200
    assert "my defensive partner" in panel.text
    assert '<option value="identity_confirmed" selected>' in page.text  # where the call is
    put = tracer.post(f"/practice/{pid}/ask", data={"prompt": "identity_confirmed"}, headers=HX)
    assert "14 May 1987, and 1234 AB." in put.text
    assert '<option value="good_moment" selected>' in put.text  # on to the next, not put yet
    travel = tracer.post(f"/practice/{pid}/ask", data={"prompt": "travel_abroad"}, headers=HX)
    reply = travel.text.split('data-prompt="travel_abroad"')[1].split("</li>")[0]
    assert "No." in reply and "anyone" not in reply  # a question, not a prompt for people
    unscripted = tracer.post(f"/practice/{pid}/ask", data={"prompt": "open_questions"},
                             headers=HX).text.split('data-prompt="open_questions"')[1]
    # not in the story: the worried index is unsure, in the scenario's English (the UI is Dutch)
    assert "Oh… I&#39;m not sure. I really don&#39;t know." in unscripted.split("</li>")[0]
    tracer.post(f"/practice/{pid}/ask", data={"prompt": "final"}, headers=HX)  # Els, not noted
    quiet = tracer.post(f"/practice/{pid}/ask", data={"prompt": "setting:work"}, headers=HX)
    assert "I really can&#39;t think of anyone else then" in quiet.text
    assert "Karin" not in quiet.text  # her cue is the Saturday, not work
    saved = tracer.post(f"/practice/interviews/{interview_id}/contacts",
                        data={"name": "Jeroen", "prompt": "setting:sport"}, headers=HX)
    assert saved.status_code == 200, saved.text
    done = tracer.post(f"/practice/{pid}/finish")
    assert done.location == f"/practice/{pid}/feedback"
    feedback = tracer.get(done.location).text
    assert "Contacten gevonden: 1 van 4" in feedback  # the tracer reads Dutch
    assert 'data-missed="Karin Bakker"' in feedback and "Saturday 21 November" in feedback
    assert 'data-missed="Sam Vos"' in feedback and "aan het begin van het gesprek" in feedback
    assert 'data-missed="Els de Groot" data-prompt="final" data-asked="yes"' in feedback
    assert "maar ze staan niet op uw contactenlijst" in feedback  # named, not written down
    assert 'data-asked="no"' in feedback.split('data-missed="Karin Bakker"')[1][:80]
    skipped = feedback.split('id="feedback-skipped"')[1]
    assert 'data-prompt="setting:sport"' not in skipped  # put to the index: asked
    assert 'data-prompt="final"' not in skipped and 'data-prompt="setting:home"' in skipped
    # Jeroen was typed without how long or how close: not the close contact (2a) he was
    assert 'data-category-right="no"' in feedback and "Categorie 2a: nauw contact" in feedback
    assert 'data-differs="duration_min distance_m"' in feedback  # what to ask again
    history = tracer.get("/practice").text
    assert "1 / 4" in history and 'id="practice-in-progress"' not in history  # finished
    with web.app_context():
        record = training_app().record_of("tracer")
    assert record is not None  # when, in the reader's zone (not the stored UTC text)
    shown = format_datetime(datetime.fromisoformat(record.entries[0]["at"]), "d MMM yyyy HH:mm",
                            locale="nl", tzinfo=ZoneInfo(web.extensions["bco_settings"].timezone))
    assert f">{shown}</a>" in history


def test_completing_from_the_screen_leads_to_the_feedback(
        web: Flask, client_for: Callable[[str], FlaskClient]) -> None:
    tracer = client_for("tracer")
    interview_id = start(tracer, "measles-waiting-room-nl")
    answer = tracer.post(f"/practice/interviews/{interview_id}/complete", data={"confirm": "1"})
    pid = practice_id(web, interview_id)
    assert answer.location == f"/practice/{pid}/feedback"
    assert "nog niet afgerond" in tracer.get(answer.location).text


def test_nothing_practised_reaches_real_work(
        web: Flask, bco_app: BCOApplication, client_for: Callable[[str], FlaskClient],
        cases: object) -> None:
    tracer = client_for("tracer")
    real_case = cases.register(name="Echte Index")  # type: ignore[attr-defined]
    before = bco_app.store_position()
    interview_id = start(tracer)
    tracer.get(f"/practice/interviews/{interview_id}")
    tracer.post(f"/practice/interviews/{interview_id}/answers/household_size",
                data={"value": "1"})
    tracer.post(f"/practice/interviews/{interview_id}/contacts",
                data={"name": "Sam Vos", "phone": "06 12345678", "informs": "authority"})
    tracer.post(f"/practice/interviews/{interview_id}/complete", data={"confirm": "1"})
    tracer.post(f"/practice/{practice_id(web, interview_id)}/finish")
    assert bco_app.store_position() == before  # not one event in the real store
    cases.project()  # type: ignore[attr-defined]
    lead = client_for("lead")
    for client, path in ((tracer, "/worklist"), (lead, "/worklist"), (lead, "/caseload"),
                         (lead, "/dashboard"), (lead, "/team/cases"),
                         (client_for("authority"), "/inform")):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Lena Vos" not in page.text and "Sam Vos" not in page.text, path
    assert case_reference(real_case) in tracer.get("/worklist").text  # the real one, in the pool
    found = tracer.post("/search", data={"term": "Lena"})
    assert "Lena Vos" not in found.text
    assert tracer.get(f"/interviews/{interview_id}").status_code == 404
    with web.app_context():
        practice_case = training_app().get_interview(interview_id).case_id
    logged = {entry.case_id for entry in bco_app.access_log.entries()}
    assert logged and practice_case not in logged  # real reads are logged, practice ones not
    token, _ = bco_app.issue_api_token("ggd-export", role="authority", actor="admin")
    cases.project()  # type: ignore[attr-defined]
    api = web.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("/api/exports/cases?format=ndjson", "/api/exports/contacts?format=ndjson",
                 "/api/cases"):
        answer = api.get(path, headers=bearer)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert "contacts" in path or str(real_case) in answer.text, path
        assert str(interview_id) not in answer.text and "Sam Vos" not in answer.text, path
        assert "Lena" not in answer.text, path


def test_a_broken_scenario_file_is_not_offered_and_says_why(
        web: Flask, bco_app: BCOApplication, clock: object, tmp_path: Path,
        client_for: Callable[[str], FlaskClient]) -> None:
    shutil.copytree(bco_app.settings.training_dir, tmp_path / "training")
    broken = tmp_path / "training" / "scenarios" / f"{SCENARIO}.yaml"
    broken.write_text(broken.read_text().replace("manner: worried", "manner: grumpy"))
    web.extensions["bco_training"] = TrainingApplication(
        bco_app.settings.with_overrides(training_dir=tmp_path / "training"), clock=clock)
    page = client_for("tracer").get("/practice")
    assert page.status_code == 200
    assert 'id="scenario-problems"' in page.text and "data-scenario=" not in page.text
    refused = client_for("tracer").post("/practice/start", data={"scenario": SCENARIO})
    assert refused.status_code == 422


@pytest.mark.parametrize("role", ["authority", "admin"])
def test_practice_is_for_tracers_and_leads(role: str,
                                           client_for: Callable[[str], FlaskClient]) -> None:
    client = client_for(role)
    assert client.get("/practice").status_code == 403
    assert client.post("/practice/start", data={"scenario": SCENARIO}).status_code == 403
    assert client.get("/training/team").status_code == 403


def test_a_practice_is_its_trainees_and_their_leads_only(
        web: Flask, client_for: Callable[[str], FlaskClient], cases: object) -> None:
    tracer, other, lead = client_for("tracer"), client_for("tracer3"), client_for("lead")
    interview_id = start(tracer)
    pid = practice_id(web, interview_id)
    assert other.get(f"/practice/interviews/{interview_id}").status_code == 403
    assert other.post(f"/practice/{pid}/ask", data={"prompt": "final"}).status_code == 403
    assert other.post(f"/practice/{pid}/finish").status_code == 403
    assert lead.post(f"/practice/{pid}/finish").status_code == 403
    tracer.post(f"/practice/{pid}/finish")
    assert other.get(f"/practice/{pid}/feedback").status_code == 403
    assert lead.get(f"/practice/{pid}/feedback").status_code == 200
    assert client_for("tracer").get("/training/team").status_code == 403
    cases.project()  # type: ignore[attr-defined]  # the team's accounts are a read model
    team = lead.get("/training/team").text
    assert 'data-trainee="tracer"' in team and "0 / 4" in team
    assert "A sister&#39;s birthday" in team  # the scenario by its title
    assert "een dag van de periode" in team  # the prompts skipped most often


def test_bad_input_is_refused_naming_the_field(
        web: Flask, client_for: Callable[[str], FlaskClient]) -> None:
    tracer = client_for("tracer")
    refused = tracer.post("/practice/start", data={"scenario": "nope"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422
    assert "scenario" in json.dumps(refused.json)
    pid = practice_id(web, start(tracer))
    for prompt in ("", "script:greeting", "setting:pub", "x" * 500):
        answer = tracer.post(f"/practice/{pid}/ask", data={"prompt": prompt},
                             headers={"Accept": "application/json"})
        assert answer.status_code == 422, prompt
        assert "prompt" in json.dumps(answer.json)
