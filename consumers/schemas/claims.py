"""Schemas of settlements, reversals, refusals, clawbacks and refunds."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from consumers.schemas.base import (
    CERTIFICATE,
    INSTITUTION_CODE,
    OPAQUE_ID,
    TEXT,
    Amount,
    StrictSchema,
    Text,
    decision_fields,
    one_of,
)
from domain.commands import ClaimAmount
from domain.money import ZERO
from domain.settlement import ClaimType
from domain.violations import DetectionSource, Violation


class ClaimSettledV1(StrictSchema):
    claim_id = Text(required=True, validate=OPAQUE_ID)
    person_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)
    doctor_id = Text(load_default=None, allow_none=True, validate=OPAQUE_ID)
    claim_type = Text(required=True, validate=one_of(ClaimType))
    total_cost = Amount(required=True)
    in_policy_cost = Amount(required=True)
    personal_account_amount = Amount(load_default=ZERO)
    reported_fund_share = Amount(load_default=None, allow_none=True)


class ClaimReversedV1(StrictSchema):
    claim_id = Text(required=True, validate=OPAQUE_ID)
    person_id = Text(required=True, validate=OPAQUE_ID)
    reason = Text(required=True, validate=TEXT)


class ClaimRefusedV1(StrictSchema):
    claim_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)
    amount = Amount(required=True, positive=True)
    case_id = Text(required=True, validate=CERTIFICATE)
    violation = Text(required=True, validate=one_of(Violation))
    detection_source = Text(required=True, validate=one_of(DetectionSource))


class LineSchema(StrictSchema):
    claim_id = Text(required=True, validate=OPAQUE_ID)
    amount = Amount(required=True, positive=True)


def no_claim_twice(data: dict[str, Any]) -> None:
    """Refuse `lines` that name a claim twice (every schema with claim lines)."""
    claims = [line["claim_id"] for line in data.get("lines", [])]
    if len(set(claims)) != len(claims):
        raise ValidationError("must not name a claim twice", "lines")


class WithLines(StrictSchema):
    lines = fields.List(
        fields.Nested(LineSchema), required=True, validate=validate.Length(min=1, max=1000)
    )

    @validates_schema
    def claims_are_distinct(self, data: dict[str, Any], **_: Any) -> None:
        no_claim_twice(data)

    @post_load
    def as_commands(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        lines = tuple(ClaimAmount(line["claim_id"], line["amount"]) for line in data["lines"])
        return {**data, "lines": lines}


class Decided(StrictSchema):
    """What a clawback decision states besides its lines (ClawbackOrdered, every version)."""

    case_id, decision_document, decision_date = decision_fields()
    violation = Text(required=True, validate=one_of(Violation))
    detection_source = Text(required=True, validate=one_of(DetectionSource))


class ClawbackOrderedV1(WithLines, Decided):
    clawback_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)


class ClawbackRecoveredV1(StrictSchema):
    clawback_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)
    amount = Amount(required=True, positive=True)


class RefundVolunteeredV1(WithLines):
    refund_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)
    case_id = Text(required=True, allow_none=True, validate=CERTIFICATE)
    violation = Text(required=True, validate=one_of(Violation))
