"""Schemas of sanctions, fine payments and appeals."""

from __future__ import annotations

from marshmallow import fields, validate

from consumers.schemas.base import (
    CERTIFICATE,
    OPAQUE_ID,
    TEXT,
    Amount,
    Day,
    Multiple,
    StrictSchema,
    Text,
    decision_fields,
    one_of,
)
from domain.sanction_rules import AppealOutcome, LegalBasis, SanctionKind, TargetKind
from domain.violations import Violation

REFERRED_TO = validate.OneOf(
    ["police", "health_commission", "market_regulation", "discipline_commission"]
)


class SanctionImposedV1(StrictSchema):
    sanction_id = Text(required=True, validate=OPAQUE_ID)
    kind = Text(required=True, validate=one_of(SanctionKind))
    target_kind = Text(required=True, validate=one_of(TargetKind))
    target_id = Text(required=True, validate=OPAQUE_ID)
    case_id, decision_document, decision_date = decision_fields()
    effective_from = Day(required=True)
    effective_to = Day(load_default=None, allow_none=True)
    legal_basis = Text(required=True, validate=one_of(LegalBasis))
    violation = Text(required=True, validate=one_of(Violation))
    base_amount = Amount(load_default=None, allow_none=True, positive=True)
    multiple = Multiple(load_default=None, allow_none=True)
    fine_amount = Amount(load_default=None, allow_none=True, positive=True)
    points = fields.Integer(load_default=None, allow_none=True, strict=True)
    suspension_months = fields.Integer(load_default=None, allow_none=True, strict=True)
    referred_to = Text(load_default=None, allow_none=True, validate=REFERRED_TO)


class SanctionLiftedV1(StrictSchema):
    sanction_id = Text(required=True, validate=OPAQUE_ID)
    target_id = Text(required=True, validate=OPAQUE_ID)
    reason = Text(required=True, validate=TEXT)


class FinePaidV1(StrictSchema):
    sanction_id = Text(required=True, validate=OPAQUE_ID)
    target_id = Text(required=True, validate=OPAQUE_ID)
    amount = Amount(required=True, positive=True)
    receipt_no = Text(required=True, validate=CERTIFICATE)


class AppealFiledV1(StrictSchema):
    sanction_id = Text(required=True, validate=OPAQUE_ID)
    target_id = Text(required=True, validate=OPAQUE_ID)
    appeal_id = Text(required=True, validate=CERTIFICATE)


class AppealDecidedV1(StrictSchema):
    sanction_id = Text(required=True, validate=OPAQUE_ID)
    target_id = Text(required=True, validate=OPAQUE_ID)
    outcome = Text(required=True, validate=one_of(AppealOutcome))
    decision_document = Text(required=True, validate=CERTIFICATE)
    decision_date = Day(required=True)
    multiple = Multiple(load_default=None, allow_none=True)
    fine_amount = Amount(load_default=None, allow_none=True, positive=True)
    effective_to = Day(load_default=None, allow_none=True)
    points = fields.Integer(load_default=None, allow_none=True, strict=True)
