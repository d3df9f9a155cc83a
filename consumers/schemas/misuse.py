"""Schemas of recovering misused fund money from insured persons (条例 art. 41)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from consumers.schemas.base import (
    OPAQUE_ID,
    TEXT,
    Amount,
    StrictSchema,
    Text,
    decision_fields,
    one_of,
)
from consumers.schemas.claims import LineSchema, WithLines
from domain.violations import DetectionSource, Violation


class MisuseRecoveryOrderedV1(WithLines):
    # A person's misuse is often found without the claims it paid for (a card lent for months,
    # drugs resold): then no lines, and a stated reason instead.
    lines = fields.List(
        fields.Nested(LineSchema), load_default=list, validate=validate.Length(max=1000)
    )
    recovery_id = Text(required=True, validate=OPAQUE_ID)
    person_id = Text(required=True, validate=OPAQUE_ID)
    case_id, decision_document, decision_date = decision_fields()
    violation = Text(required=True, validate=one_of(Violation))
    detection_source = Text(required=True, validate=one_of(DetectionSource))
    amount = Amount(required=True, positive=True)
    no_claims_reason = Text(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def reason_without_claims(self, data: dict[str, Any], **_: Any) -> None:
        named = bool(data.get("lines"))
        reason = data.get("no_claims_reason")
        if not named and reason is None:
            raise ValidationError("required when no claims are named in lines", "no_claims_reason")
        if named and reason is not None:
            raise ValidationError("must be null when lines name claims", "no_claims_reason")


class MisuseRecoveredV1(StrictSchema):
    recovery_id = Text(required=True, validate=OPAQUE_ID)
    person_id = Text(required=True, validate=OPAQUE_ID)
    amount = Amount(required=True, positive=True)
