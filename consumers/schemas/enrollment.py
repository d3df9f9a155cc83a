"""Schemas of designations and enrollment messages."""

from __future__ import annotations

from marshmallow import validate

from consumers.schemas.base import (
    CERTIFICATE,
    INSTITUTION_CODE,
    OPAQUE_ID,
    TEXT,
    Day,
    StrictSchema,
    Text,
    Year,
    one_of,
)
from domain.institution import InstitutionKind, InstitutionLevel, Ownership
from domain.person import Category, EndReason, Scheme
from domain.settlement import Status


class InstitutionDesignatedV1(StrictSchema):
    code = Text(required=True, validate=INSTITUTION_CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    kind = Text(required=True, validate=one_of(InstitutionKind))
    level = Text(required=True, validate=one_of(InstitutionLevel))
    ownership = Text(required=True, validate=one_of(Ownership))
    agreement_no = Text(required=True, validate=validate.Length(min=1, max=64))


class PersonEnrolledV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    scheme = Text(required=True, validate=one_of(Scheme))
    category = Text(required=True, validate=one_of(Category))
    employer_id = Text(load_default=None, allow_none=True, validate=OPAQUE_ID)
    primary_institution = Text(load_default=None, allow_none=True, validate=INSTITUTION_CODE)


class EnrollmentEndedV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    reason = Text(required=True, validate=one_of(EndReason))


class EnrollmentRenewedV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    year = Year(required=True)
    category = Text(required=True, allow_none=True, validate=one_of(Category))


class StatusCertifiedV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    status = Text(required=True, validate=one_of(Status))
    certified_by = Text(required=True, validate=TEXT)
    certificate_no = Text(required=True, validate=CERTIFICATE)
    effective_to = Day(required=True, allow_none=True)


class StatusRevokedV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    status = Text(required=True, validate=one_of(Status))
    reason = Text(required=True, validate=TEXT)
