"""`POST /api/cases` and `POST /api/fhir/Bundle`: notification systems send new cases.

Only an `intake` token may post, and it reads nothing. A notification sent again with the
same `notification_id` answers 200 with the case it created the first time (201 when new),
so a sender may retry whenever it is unsure — also while the first attempt is still running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import Forbidden

from bco.api import auth, errors
from bco.api.fhir_intake import BundleRefused, element, notification_from_bundle
from bco.api.intake_schemas import IntakeResultSchema, IntakeSchema
from bco.api.schemas import REFUSALS
from bco.domain.errors import ConflictError, DomainError, NotFoundError
from bco.domain.reference import case_reference
from bco.intake import Notification, receive

blueprint = Blueprint("intake", __name__, url_prefix="/api",
                      description="Intake: notification systems post new cases.")
errors.init_blueprint(blueprint)

INTAKE_REFUSALS = {**REFUSALS, "409": "CONFLICT", "422": "UNPROCESSABLE_ENTITY"}
FHIR_BODY = {"required": True, "content": {"application/fhir+json": {"schema": {
    "type": "object", "description": "A FHIR R4 Bundle with one Patient (name, telecom "
    "phone, birthDate, address.postalCode/country, communication.language) and a Condition "
    "(code, onsetDateTime) or an Observation (valueCodeableConcept, effectiveDateTime); "
    "Bundle.identifier.value is the notification id."}}}}


@blueprint.before_request
def intake_only() -> None:
    try:
        auth.require_intake()
    except Forbidden:
        raise Forbidden("This token's role may not post cases; the intake API needs a token "
                        "made with 'bco token create NAME --role intake'.") from None


@blueprint.post("/cases")
@blueprint.arguments(IntakeSchema())
@blueprint.response(201, IntakeResultSchema)
@blueprint.alt_response(200, schema=IntakeResultSchema,
                        description="This notification id created the case before")
@blueprint.doc(responses=INTAKE_REFUSALS)
def post_case(body: dict[str, Any]) -> tuple[Any, int]:
    """Open a case for a notification (201), or find the one it opened before (200)."""
    return _receive(Notification(**body), lambda name: name)


@blueprint.post("/fhir/Bundle")
@blueprint.response(201, IntakeResultSchema)
@blueprint.alt_response(200, schema=IntakeResultSchema,
                        description="This Bundle identifier created the case before")
@blueprint.doc(requestBody=FHIR_BODY, responses=INTAKE_REFUSALS)
def post_bundle() -> tuple[Any, int]:
    """Open a case from a FHIR R4 Bundle; refusals name the FHIR element to fix."""
    try:
        notification = notification_from_bundle(request.get_data())
    except BundleRefused as exc:
        return errors.api_error(422, "invalid_bundle", "The Bundle cannot become a case; "
                                "errors names each element to fix.", {"json": exc.errors})
    return _receive(notification, element)


def _receive(notification: Notification, named: Callable[[str], str]) -> tuple[Any, int]:
    """The case for the notification, or a 422 naming the field (as `named` calls it)."""
    holder = auth.bearer()
    assert holder is not None, "intake without a token"
    try:
        received = receive(auth.bco(), notification, sender=holder.name, actor=holder.name)
    except (ConflictError, NotFoundError):
        raise
    except DomainError as exc:
        field = named(exc.field or "notification_id")
        return errors.api_error(422, exc.code, exc.message, {"json": {field: [exc.message]}})
    answer: dict[str, Any] = {"id": received.case_id,
                              "reference": case_reference(received.case_id),
                              "created": received.created}
    if received.invitation is not None:
        answer["invitation"] = {"url": received.invitation.url,
                                "expires_at": received.invitation.expires_at}
    return answer, 201 if received.created else 200
