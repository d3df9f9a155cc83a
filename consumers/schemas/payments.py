"""Schemas of contributions, subsidies, disbursements and deposit releases."""

from __future__ import annotations

from marshmallow import fields, validate

from consumers.schemas.base import (
    INSTITUTION_CODE,
    MONTH,
    OPAQUE_ID,
    Amount,
    StrictSchema,
    Text,
    Year,
    one_of,
)
from domain.money import ZERO
from domain.person import Scheme

PAYERS = validate.OneOf(["individual", "employer"])
SUBSIDY_LEVELS = validate.OneOf(["central", "provincial", "county"])


class ContributionPaidV1(StrictSchema):
    person_id = Text(required=True, validate=OPAQUE_ID)
    year = Year(required=True)
    payer = Text(required=True, validate=PAYERS)
    amount = Amount(required=True, positive=True)
    personal_account_amount = Amount(load_default=ZERO)


class SubsidyGrantedV1(StrictSchema):
    subsidy_id = Text(required=True, validate=OPAQUE_ID)
    scheme = Text(required=True, validate=one_of(Scheme))
    year = Year(required=True)
    level = Text(required=True, validate=SUBSIDY_LEVELS)
    amount = Amount(required=True, positive=True)
    insured_count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class DisbursementMadeV1(StrictSchema):
    institution = Text(required=True, validate=INSTITUTION_CODE)
    period = Text(required=True, validate=MONTH)
    scheme = Text(required=True, validate=one_of(Scheme))
    amount = Amount(required=True, positive=True)


class DepositReleasedV1(StrictSchema):
    institution = Text(required=True, validate=INSTITUTION_CODE)
    year = Year(required=True)
    amount = Amount(required=True, positive=True)
