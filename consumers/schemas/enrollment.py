"""Schemas of designations and enrollment messages."""

from __future__ import annotations

from marshmallow import fields, validate

from consumers.schemas.base import (
    CERTIFICATE,
    INSTITUTION_CODE,
    OPAQUE_ID,
    TEXT,
    StrictSchema,
    Year,
    one_of,
)
from domain.institution import InstitutionKind, InstitutionLevel, Ownership
from domain.person import Category, EndReason, Scheme
from domain.settlement import Status


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


class EnrollmentRenewedV1(StrictSchema):
    person_id = fields.String(required=True, validate=OPAQUE_ID)
    year = Year(required=True)
    category = fields.String(required=True, allow_none=True, validate=one_of(Category))


class StatusCertifiedV1(StrictSchema):
    person_id = fields.String(required=True, validate=OPAQUE_ID)
    status = fields.String(required=True, validate=one_of(Status))
    certified_by = fields.String(required=True, validate=TEXT)
    certificate_no = fields.String(required=True, validate=CERTIFICATE)
    effective_to = fields.Date(required=True, allow_none=True)


class StatusRevokedV1(StrictSchema):
    person_id = fields.String(required=True, validate=OPAQUE_ID)
    status = fields.String(required=True, validate=one_of(Status))
    reason = fields.String(required=True, validate=TEXT)
