"""A FHIR R4 Bundle (Patient + Condition and/or Observation) read into a notification.

`fhir.resources` checks the Bundle's structure and types (R4B models, which read R4 intake
messages); it does not check codes against value sets, so the few codes BCO uses — the
telecom system, the disease, the country — are checked here, each refusal naming the FHIR
element to fix.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from bco.intake import Notification

# SNOMED CT codes of the diseases BCO has guides for; a display or text naming the disease
# (as its guide does) works as well.
SNOMED_DISEASES = {"840539006": "covid-19", "14189004": "measles", "56717001": "tuberculosis"}
# An Observation that is no positive result opens no case.
NOT_POSITIVE = frozenset({"NEG", "N", "ND", "IND"})  # HL7 ObservationInterpretation codes
NOT_FINAL = frozenset({"registered", "cancelled", "entered-in-error", "unknown"})
# Where each notification field comes from, so a refusal names the element to fix.
ELEMENTS = {
    "notification_id": "Bundle.identifier.value", "name": "Patient.name",
    "phone": "Patient.telecom", "email": "Patient.telecom", "birth_date": "Patient.birthDate",
    "postcode": "Patient.address.postalCode", "region": "Patient.address.country",
    "language": "Patient.communication.language", "disease": "Condition.code",
    "onset": "Condition.onsetDateTime", "test_date": "Observation.effectiveDateTime",
}


class BundleRefused(ValueError):
    """The Bundle cannot become a case; `errors` maps FHIR elements to what is wrong."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def element(field_name: str | None) -> str:
    """The FHIR element a notification field is read from."""
    return ELEMENTS.get(field_name or "", field_name or "Bundle")


def notification_from_bundle(raw: bytes) -> Notification:
    """Validate the Bundle and take the case out of it, or refuse naming every element."""
    try:
        bundle = Bundle.model_validate_json(raw)
    except ValidationError as exc:
        raise BundleRefused({
            ".".join(["Bundle", *(str(part) for part in error["loc"])]): [error["msg"]]
            for error in exc.errors(include_url=False)}) from None
    except ValueError:
        raise BundleRefused({"Bundle": ["Not JSON; send a FHIR R4 Bundle as "
                                        "application/fhir+json."]}) from None
    resources: dict[str, list[Any]] = {}
    for entry in bundle.entry or []:
        if entry.resource is not None:
            resources.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    problems: dict[str, list[str]] = {}
    patients = resources.get("Patient", [])
    if len(patients) != 1:
        problems["Patient"] = [f"The Bundle holds {len(patients)} Patient resources; send "
                               "exactly one: the person who tested positive."]
    conditions, observations = resources.get("Condition", []), resources.get("Observation", [])
    if not conditions and not observations:
        problems["Condition"] = ["Send a Condition (the disease, with onsetDateTime) or an "
                                 "Observation (the positive test, with effectiveDateTime)."]
    for observation in observations:
        problems.update(_not_a_positive_result(observation))
    identifier = bundle.identifier.value if bundle.identifier is not None else None
    if not identifier:
        problems["Bundle.identifier.value"] = [
            "Give the notification's id in Bundle.identifier; a retry sends the same one."]
    if problems:
        raise BundleRefused(problems)
    patient = patients[0]
    phone, email = _telecom(patient, "phone"), _telecom(patient, "email")
    if phone is None:
        raise BundleRefused({"Patient.telecom": ["Give the index's phone number as a telecom "
                                                 "with system 'phone'."]})
    address = (patient.address or [None])[0]
    return Notification(
        notification_id=str(identifier), name=_name(patient), phone=phone,
        disease=_disease(conditions, observations), onset=_day(conditions, "onsetDateTime"),
        test_date=_day(observations, "effectiveDateTime"), birth_date=patient.birthDate,
        email=email, postcode=address.postalCode if address is not None else None,
        language=_language(patient),
        region=(address.country or "") if address is not None else "",
    )


def _not_a_positive_result(observation: Any) -> dict[str, list[str]]:
    """A cancelled, provisional or negative Observation is refused: it is no case."""
    if observation.status in NOT_FINAL:
        return {"Observation.status": [f"The Observation is '{observation.status}'; send "
                                       "final (or amended/corrected) results only."]}
    codes = {coding.code for concept in observation.interpretation or []
             for coding in concept.coding or []}
    if codes & NOT_POSITIVE:
        return {"Observation.interpretation": [
            f"The result is interpreted as {', '.join(sorted(codes & NOT_POSITIVE))}; only a "
            "positive result opens a case."]}
    return {}


def _telecom(patient: Any, system: str) -> str | None:
    for point in patient.telecom or []:
        if point.system == system and point.value:
            return str(point.value)
    return None


def _name(patient: Any) -> str:
    for name in patient.name or []:
        text = name.text or " ".join([*(name.given or []), name.family or ""]).strip()
        if text:
            return str(text)
    raise BundleRefused({"Patient.name": ["Give the index's name (text, or given and "
                                          "family)."]})


def _disease(conditions: list[Any], observations: list[Any]) -> str:
    """The disease as a code or name BCO knows; unknown ones are refused by the application
    with the list of known diseases."""
    concepts = [c.code for c in conditions] + [o.valueCodeableConcept for o in observations]
    for concept in filter(None, concepts):
        for coding in concept.coding or []:
            if coding.code in SNOMED_DISEASES:
                return SNOMED_DISEASES[coding.code]
        for coding in concept.coding or []:
            if coding.display:
                return str(coding.display)
        if concept.text:
            return str(concept.text)
    raise BundleRefused({"Condition.code": [
        "Name the disease: a SNOMED CT code (840539006 COVID-19, 14189004 measles, 56717001 "
        "tuberculosis) or its name as display or text."]})


def _day(resources: list[Any], attribute: str) -> date | None:
    for resource in resources:
        value = getattr(resource, attribute, None)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return None


def _language(patient: Any) -> str:
    for communication in patient.communication or []:
        for coding in communication.language.coding or []:
            if coding.code:
                return str(coding.code)[:2].lower()
    return "nl"
