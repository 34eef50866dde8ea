"""FHIR R4 resources for export records: Patient and Condition per case, RelatedPerson per contact.

Built as plain dicts and written as JSON by the export stream, one entry at a time; tests
validate them against the R4B models of `fhir.resources`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

SYSTEM = "urn:bco"  # our own identifier systems and extensions live under this name
CASE_ID = f"{SYSTEM}:case-id"
CASE_REFERENCE = f"{SYSTEM}:case-reference"
CONTACT_ID = f"{SYSTEM}:contact-id"
DISEASE = f"{SYSTEM}:disease"
PSEUDONYM = f"{SYSTEM}:pseudonym"  # + ":name", ":phone", ":email", ":postcode"
EXTENSION = f"{SYSTEM}:fhir:extension"  # + ":test-date", ":contact-category", …
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LANGUAGE = "urn:ietf:bcp:47"
CONDITION_NAMESPACE = uuid.UUID("6f1f3c52-51f4-4c49-9a0e-6d1f0c7a8e11")

Resource = dict[str, Any]


def bundle_opening(cursor: str, timestamp: str, next_query: str) -> str:
    """The Bundle up to its first entry; the cursor for the next pull is its 'next' link."""
    head = {"resourceType": "Bundle", "type": "collection", "timestamp": timestamp,
            "link": [{"relation": "next", "url": next_query}]}
    return json.dumps(head, separators=(",", ":"))[:-1] + ',"entry":['


BUNDLE_CLOSING = "]}\n"


def entry(resource: Resource) -> str:
    """One Bundle entry, addressed by a urn:uuid so references inside the Bundle resolve."""
    return json.dumps({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource},
                      separators=(",", ":"), ensure_ascii=False)


def condition_id(case_id: str) -> str:
    """A stable id for a case's Condition, apart from the Patient's (fullUrls are unique)."""
    return str(uuid.uuid5(CONDITION_NAMESPACE, case_id))


def _identifier(system: str, value: Any) -> dict[str, str]:
    return {"system": system, "value": str(value)}


def _extension(name: str, kind: str, value: Any) -> dict[str, Any]:
    return {"url": f"{EXTENSION}:{name}", kind: value}


def patient(record: dict[str, Any]) -> Resource:
    """The index person; a pseudonymised record gives pseudonym identifiers and a birth year."""
    case_id = record["case_id"]
    resource: Resource = {
        "resourceType": "Patient", "id": case_id,
        "identifier": [_identifier(CASE_ID, case_id),
                       _identifier(CASE_REFERENCE, record["reference"])],
    }
    if "name_pseudonym" in record:
        resource["identifier"] += [
            _identifier(f"{PSEUDONYM}:{kind}", record[f"{kind}_pseudonym"])
            for kind in ("name", "phone", "email", "postcode") if record[f"{kind}_pseudonym"]]
        if record["birth_year"]:
            resource["birthDate"] = str(record["birth_year"])
    else:
        if record["name"]:
            resource["name"] = [{"text": record["name"]}]
        telecom = [{"system": system, "value": record[key]}
                   for system, key in (("phone", "phone"), ("email", "email")) if record[key]]
        if telecom:
            resource["telecom"] = telecom
        if record["birth_date"]:
            resource["birthDate"] = record["birth_date"]
        if record["postcode"]:
            resource["address"] = [{"postalCode": record["postcode"]}]
    if record["language"]:
        resource["communication"] = [{"language": {
            "coding": [{"system": LANGUAGE, "code": record["language"]}]}}]
    return resource


def condition(record: dict[str, Any]) -> Resource:
    """The notifiable infection the case is about, confirmed by the test that made it a case."""
    case_id = record["case_id"]
    resource: Resource = {
        "resourceType": "Condition", "id": condition_id(case_id),
        "identifier": [_identifier(CASE_ID, case_id)],
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "code": {"coding": [{"system": DISEASE, "code": record["disease"]}],
                 "text": record["disease"]},
        "subject": {"reference": f"urn:uuid:{case_id}"},
        "recordedDate": record["received_at"],
    }
    if record["onset_date"]:
        resource["onsetDateTime"] = record["onset_date"]
    if record["test_date"]:
        resource["extension"] = [_extension("test-date", "valueDate", record["test_date"])]
    return resource


def related_person(record: dict[str, Any]) -> Resource:
    """A contact of the index, with the facts the health service acts on as extensions."""
    resource: Resource = {
        "resourceType": "RelatedPerson", "id": record["contact_id"],
        "identifier": [_identifier(CONTACT_ID, record["contact_id"])],
        "active": not record["removed"],
        "patient": {"reference": f"Patient/{record['case_id']}",
                    "identifier": _identifier(CASE_ID, record["case_id"])},
    }
    relationship: dict[str, Any] = {}
    if record["household"]:
        relationship["coding"] = [{"system": ROLE_CODE, "code": "HHMEMB"}]
    if record["relation"]:
        relationship["text"] = record["relation"]
    if relationship:
        resource["relationship"] = [relationship]
    if "name_pseudonym" in record:
        resource["identifier"] += [
            _identifier(f"{PSEUDONYM}:{kind}", record[f"{kind}_pseudonym"])
            for kind in ("name", "phone", "email") if record[f"{kind}_pseudonym"]]
    else:
        if record["name"]:
            resource["name"] = [{"text": record["name"]}]
        telecom = [{"system": system, "value": record[key]}
                   for system, key in (("phone", "phone"), ("email", "email")) if record[key]]
        if telecom:
            resource["telecom"] = telecom
    extensions = [_extension("household", "valueBoolean", bool(record["household"]))]
    for name, key in (("exposure-day", "day"),):
        if record[key]:
            extensions.append(_extension(name, "valueDate", record[key]))
    for name, key in (("contact-category", "category"), ("setting", "setting"),
                      ("informs", "informs"), ("inform-outcome", "inform_outcome")):
        if record[key]:
            extensions.append(_extension(name, "valueCode", record[key]))
    resource["extension"] = extensions
    return resource
