"""POST /api/cases and /api/fhir/Bundle: new cases from notification systems, on both
backends; a retry creates nothing twice, every refusal names the field."""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

import pytest
from api_support import Api, assert_error

from bco.application import BCOApplication

BODY = {"notification_id": "LAB-1", "name": "Sanne de Vries", "phone": "06 12345678",
        "disease": "covid-19", "onset": "2026-11-23", "birth_date": "1980-03-04",
        "email": "sanne@example.org", "postcode": "1234 AB", "language": "nl"}


@pytest.fixture
def intake_token(bco_app: BCOApplication) -> str:
    token, _ = bco_app.issue_api_token("lab-west", role="intake", actor="admin")
    return token


def post(api: Api, token: str, body: Any, url: str = "/api/cases",
         content_type: str = "application/json") -> Any:
    return api.client.post(url, data=json.dumps(body), content_type=content_type,
                           headers={"Authorization": f"Bearer {token}"})


def test_a_notification_opens_a_case_and_a_retry_finds_it(api: Api, intake_token: str) -> None:
    first = post(api, intake_token, BODY)
    assert first.status_code == 201, first.get_data(as_text=True)
    case_id = UUID(first.json["id"])
    assert first.json["created"] is True and first.json["reference"] == f"C-{str(case_id)[:8]}"
    again = post(api, intake_token, BODY)
    assert again.status_code == 200 and again.json["id"] == str(case_id)
    assert again.json["created"] is False
    case = api.app.get_case(case_id)
    assert case.person.phone == "+31612345678" and case.source == "lab-west"
    assert case.version == 1 and case.region == ""
    assert [e["type"] for e in api.app.case_history(case_id)] == ["Case.Registered"]


def test_the_same_id_with_other_details_is_refused_naming_it(api: Api,
                                                             intake_token: str) -> None:
    post(api, intake_token, BODY)
    body = assert_error(post(api, intake_token, {**BODY, "name": "Someone Else"}), 422)
    assert "notification_id" in body["errors"]["json"]


def test_concurrent_retries_create_one_case(api: Api, intake_token: str) -> None:
    answers: list[Any] = []

    def send() -> None:
        answers.append(post(api, intake_token, {**BODY, "notification_id": "LAB-RACE"}))
    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json["id"] for a in answers}) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"phone": "not a number"}, "phone"),
    ({"disease": "flu-x"}, "disease"),
    ({"onset": None}, "onset"),
    ({"onset": "2026-13-01"}, "onset"),
    ({"onset": "2030-01-01"}, "onset"),
    ({"birth_date": "2030-01-01"}, "birth_date"),
    ({"email": "not-an-address"}, "email"),
    ({"language": "fr"}, "language"),
    ({"region": "XX"}, "region"),
    ({"notification_id": ""}, "notification_id"),
    ({"colour": "blue"}, "colour"),
])
def test_every_refusal_names_its_field_and_writes_nothing(
        api: Api, intake_token: str, change: dict[str, Any], field: str) -> None:
    before = api.app.store_position()
    body = assert_error(post(api, intake_token, {**BODY, **change}), 422)
    assert field in body["errors"]["json"], body
    assert api.app.store_position() == before


def test_missing_fields_are_named(api: Api, intake_token: str) -> None:
    body = assert_error(post(api, intake_token, {"notification_id": "X"}), 422)
    assert {"name", "phone", "disease"} <= set(body["errors"]["json"])


def test_only_an_intake_token_may_post(api: Api) -> None:
    assert_error(api.client.post("/api/cases", json=BODY), 401)
    refused = assert_error(post(api, api.token, BODY), 403)
    assert "--role intake" in refused["message"]


def test_an_intake_token_reads_nothing(api: Api, intake_token: str) -> None:
    assert_error(api.get("/api/cases", token=intake_token), 403)


def test_a_belgian_case_gets_the_flemish_guide(api: Api, intake_token: str) -> None:
    answer = post(api, intake_token, {**BODY, "notification_id": "BE-1", "region": "be",
                                      "phone": "0470 12 34 56"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    case_id = UUID(answer.json["id"])
    case = api.app.get_case(case_id)
    assert case.region == "BE" and case.person.phone == "+32470123456"
    assert api.get(f"/api/cases/{case_id}").json["region"] == "BE"
    interview = api.app.get_interview(api.app.start_interview(case_id, actor="t").aggregate_id)
    assert interview.guide_id == "covid-19-vl"


def test_a_dutch_case_keeps_the_dutch_guide(api: Api, intake_token: str) -> None:
    case_id = UUID(post(api, intake_token, {**BODY, "region": "NL"}).json["id"])
    interview = api.app.get_interview(api.app.start_interview(case_id, actor="t").aggregate_id)
    assert interview.guide_id == "covid-19"


def test_the_openapi_document_describes_intake(api: Api) -> None:
    spec = api.client.get("/api/openapi.json").json
    post_case = spec["paths"]["/api/cases"]["post"]
    assert {"201", "200", "422"} <= set(post_case["responses"])
    assert "get" in spec["paths"]["/api/cases"]
    assert "Intake" in spec["components"]["schemas"]
    assert "/api/fhir/Bundle" in spec["paths"]


def bundle(**changes: Any) -> dict[str, Any]:
    patient = {"resourceType": "Patient",
               "name": [{"given": ["Sanne"], "family": "de Vries"}],
               "telecom": [{"system": "phone", "value": "0470 12 34 56"},
                           {"system": "email", "value": "sanne@example.org"}],
               "birthDate": "1980-03-04",
               "address": [{"postalCode": "2000", "country": "BE"}],
               "communication": [{"language": {"coding": [{"code": "nl-BE"}]}}]}
    patient.update(changes.pop("patient", {}))
    condition = {"resourceType": "Condition", "subject": {"reference": "Patient/p"},
                 "code": {"coding": [{"system": "http://snomed.info/sct",
                                      "code": "840539006"}]},
                 "onsetDateTime": "2026-11-23"}
    condition.update(changes.pop("condition", {}))
    return {"resourceType": "Bundle", "type": "message",
            "identifier": {"system": "urn:lab", "value": "FHIR-1"},
            "entry": [{"resource": patient}, {"resource": condition}], **changes}


def fhir(api: Api, token: str, body: Any) -> Any:
    return post(api, token, body, "/api/fhir/Bundle", "application/fhir+json")


def test_a_fhir_bundle_opens_a_case_once(api: Api, intake_token: str) -> None:
    first = fhir(api, intake_token, bundle())
    assert first.status_code == 201, first.get_data(as_text=True)
    case = api.app.get_case(UUID(first.json["id"]))
    assert case.person.name == "Sanne de Vries" and case.person.phone == "+32470123456"
    assert case.person.email == "sanne@example.org" and case.person.postcode == "2000"
    assert case.region == "BE" and case.disease == "covid-19"
    assert str(case.onset) == "2026-11-23" and str(case.person.birth_date) == "1980-03-04"
    assert fhir(api, intake_token, bundle()).status_code == 200


def test_an_observation_gives_the_test_date(api: Api, intake_token: str) -> None:
    observation = {"resourceType": "Observation", "status": "final",
                   "code": {"text": "SARS-CoV-2 PCR"},
                   "valueCodeableConcept": {"text": "COVID-19"},
                   "effectiveDateTime": "2026-11-24T08:00:00+01:00"}
    body = bundle()
    body["entry"][1] = {"resource": observation}
    answer = fhir(api, intake_token, body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    case = api.app.get_case(UUID(answer.json["id"]))
    assert str(case.test_date) == "2026-11-24" and case.onset is None


@pytest.mark.parametrize(("body", "element"), [
    (bundle(patient={"birthDate": "1980-13-04"}), "Bundle.entry.0.resource.birthDate"),
    (bundle(identifier=None), "Bundle.identifier.value"),
    (bundle(patient={"telecom": []}), "Patient.telecom"),
    (bundle(patient={"name": []}), "Patient.name"),
    (bundle(patient={"address": [{"country": "Belgium"}]}), "Patient.address.country"),
    (bundle(condition={"code": {"text": "Flu X"}}), "Condition.code"),
    (bundle(condition={"onsetDateTime": "2030-01-01"}), "Condition.onsetDateTime"),
    ({"resourceType": "Bundle", "type": "message", "identifier": {"value": "x"},
      "entry": []}, "Patient"),
    ({"resourceType": "Patient"}, "Bundle"),
])
def test_a_bad_bundle_is_refused_naming_the_element(api: Api, intake_token: str,
                                                    body: dict[str, Any], element: str) -> None:
    before = api.app.store_position()
    refused = assert_error(fhir(api, intake_token, body), 422)
    assert any(key.startswith(element) for key in refused["errors"]["json"]), refused
    assert api.app.store_position() == before


@pytest.mark.parametrize(("change", "element"), [
    ({"interpretation": [{"coding": [{"code": "NEG"}]}]}, "Observation.interpretation"),
    ({"status": "cancelled"}, "Observation.status"),
])
def test_an_observation_that_is_no_positive_result_opens_no_case(
        api: Api, intake_token: str, change: dict[str, Any], element: str) -> None:
    body = bundle()
    body["entry"][1] = {"resource": {
        "resourceType": "Observation", "status": "final", "code": {"text": "SARS-CoV-2 PCR"},
        "valueCodeableConcept": {"text": "COVID-19"},
        "effectiveDateTime": "2026-11-24", **change}}
    before = api.app.store_position()
    assert element in assert_error(fhir(api, intake_token, body), 422)["errors"]["json"]
    assert api.app.store_position() == before


def test_a_bundle_that_is_not_json_is_refused(api: Api, intake_token: str) -> None:
    answer = api.client.post("/api/fhir/Bundle", data=b"\xff{", headers={
        "Authorization": f"Bearer {intake_token}", "Content-Type": "application/fhir+json"})
    assert "Bundle" in assert_error(answer, 422)["errors"]["json"]


def test_with_invite_on_register_the_creating_answer_carries_the_link(
        api_settings: Any, bco_app: BCOApplication, clock: Any) -> None:
    from bco.web import create_app

    settings = api_settings.with_overrides(invite_on_register=True,
                                           public_url="https://bco.example.org")
    app = BCOApplication(settings, clock=clock)
    flask_app = create_app(settings, app)
    try:
        token, _ = app.issue_api_token("lab-west", role="intake", actor="admin")
        api = Api.started(flask_app, app, clock)
        first = post(api, token, BODY)
        assert first.status_code == 201, first.get_data(as_text=True)
        link = first.json["invitation"]
        assert link["url"].startswith("https://bco.example.org/r/")
        assert "Sanne" not in link["url"] and first.json["id"] not in link["url"]
        opened = app.open_link(link["url"].rsplit("/", 1)[1])
        assert opened is not None and opened.usable
        assert str(opened.case.id) == first.json["id"] and link["expires_at"].startswith(
            opened.invitation.expires_at.isoformat()[:19])
        again = post(api, token, BODY)  # a retry does not stop the link the index may use
        assert again.status_code == 200 and "invitation" not in again.json
        assert opened.invitation.id == app.get_case(UUID(first.json["id"])).invitations[
            -1].invitation_id and len(app.get_case(UUID(first.json["id"])).invitations) == 1
    finally:
        flask_app.extensions["bco_runner"].stop()
        app.close()


def test_without_the_setting_no_link_is_made(api: Api, intake_token: str) -> None:
    first = post(api, intake_token, {**BODY, "notification_id": "LAB-9"})
    assert first.status_code == 201 and "invitation" not in first.json
    assert api.app.get_case(UUID(first.json["id"])).invitations == ()
