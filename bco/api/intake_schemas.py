"""What a notification system posts to open a case, and what it gets back."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from bco.domain.case import LANGUAGES


class IntakeSchema(ma.Schema):
    """A new case; the names are those of `bco case register` and of the CSV import."""

    notification_id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                    metadata={"description": "the sender's id for this "
                                              "notification; a retry sends the same id and "
                                              "creates nothing twice"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "full name of the index person"})
    phone = fields.String(required=True, validate=validate.Length(min=1, max=50), metadata={
        "description": "phone number; without a country code read as one of `region`"})
    disease = fields.String(required=True, validate=validate.Length(min=1, max=100),
                            metadata={"description": "a disease code or name with a guide, "
                                                     "e.g. covid-19"})
    onset = fields.Date(load_default=None, allow_none=True,
                        metadata={"description": "symptom onset (give this or test_date)"})
    test_date = fields.Date(load_default=None, allow_none=True,
                            metadata={"description": "test date, when there are no symptoms"})
    birth_date = fields.Date(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=254))
    postcode = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=20))
    language = fields.String(load_default="nl", validate=validate.OneOf(LANGUAGES),
                             metadata={"description": "language to speak with the index"})
    region = fields.String(load_default="", validate=validate.Length(max=2), metadata={
        "description": "country the case comes from (NL, BE…); it picks the default guide"})


class InvitationSchema(ma.Schema):
    url = fields.String(required=True, metadata={
        "description": "the self-report link to send to the index (shown only in this answer)"})
    expires_at = fields.DateTime(required=True, metadata={
        "description": "when the link stops working"})


class IntakeResultSchema(ma.Schema):
    id = fields.UUID(required=True, metadata={"description": "the case's id"})
    reference = fields.String(required=True, metadata={"description": "e.g. C-1c58eac0"})
    created = fields.Boolean(required=True, metadata={
        "description": "false when this notification id had created the case before"})
    invitation = fields.Nested(InvitationSchema, required=False, metadata={
        "description": "with BCO_INVITE_ON_REGISTER, in the answer that created the case only: "
                       "the self-report link for the index"})
