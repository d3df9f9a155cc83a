"""Marshmallow schemas of the inbound wire contract (see docs/events.md).

Each message type keeps a schema per `schema_version`; old versions stay loadable forever.
"""

from __future__ import annotations

from enum import StrEnum

from marshmallow import RAISE, Schema, fields, validate

from domain.institution import InstitutionKind, InstitutionLevel, Ownership
from domain.person import Category, EndReason, Scheme

REGION = validate.Regexp(r"^\d{6}$", error="must be a 6-digit pooling region code")
INSTITUTION_CODE = validate.Regexp(r"^[HP]\d{11}$", error="must be H/P followed by 11 digits")
# Opaque source ids: printable, no whitespace, bounded; never names or ID-card numbers by contract.
OPAQUE_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", error="must be an opaque id")


def one_of(enum: type[StrEnum]) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


class StrictSchema(Schema):
    """Unknown fields are errors: a typo must not silently drop data."""

    class Meta:
        unknown = RAISE


class EnvelopeSchema(StrictSchema):
    message_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    region = fields.String(required=True, validate=REGION)
    recorded_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    payload = fields.Dict(required=True, keys=fields.String())


class InstitutionDesignatedV1(StrictSchema):
    code = fields.String(required=True, validate=INSTITUTION_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=one_of(InstitutionKind))
    level = fields.String(required=True, validate=one_of(InstitutionLevel))
    ownership = fields.String(required=True, validate=one_of(Ownership))
    agreement_no = fields.String(required=True, validate=validate.Length(min=1, max=64))


class PersonEnrolledV1(StrictSchema):
    person_id = fields.String(required=True, validate=OPAQUE_ID)
    scheme = fields.String(required=True, validate=one_of(Scheme))
    category = fields.String(required=True, validate=one_of(Category))
    employer_id = fields.String(load_default=None, allow_none=True, validate=OPAQUE_ID)
    primary_institution = fields.String(
        load_default=None, allow_none=True, validate=INSTITUTION_CODE
    )


class EnrollmentEndedV1(StrictSchema):
    person_id = fields.String(required=True, validate=OPAQUE_ID)
    reason = fields.String(required=True, validate=one_of(EndReason))
