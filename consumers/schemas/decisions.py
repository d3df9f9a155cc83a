"""Schema of a clawback decision over several institutions, sent in parts (ClawbackOrdered 2)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from consumers.schemas.base import INSTITUTION_CODE, OPAQUE_ID, Amount, StrictSchema, Text
from consumers.schemas.claims import Decided, no_claim_twice
from domain.commands import InstitutionClaimAmount

# Lines per message as in version 1 (a message stays well under the broker's record size);
# parts per order so that a county-wide finding of a million claims still fits in one order.
MAX_LINES = 1000
MAX_PARTS = 1000
PART_NUMBER = validate.Range(min=1, max=MAX_PARTS)


class InstitutionLineSchema(StrictSchema):
    institution = Text(required=True, validate=INSTITUTION_CODE)
    claim_id = Text(required=True, validate=OPAQUE_ID)
    amount = Amount(required=True, positive=True)


class ClawbackOrderedV2(Decided):
    clawback_id = Text(required=True, validate=OPAQUE_ID)
    part = fields.Integer(required=True, strict=True, validate=PART_NUMBER)
    parts = fields.Integer(required=True, strict=True, validate=PART_NUMBER)
    lines = fields.List(
        fields.Nested(InstitutionLineSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
    )

    @validates_schema
    def part_of_parts(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("part", 1) > data.get("parts", MAX_PARTS):
            raise ValidationError("must not exceed parts", "part")

    @validates_schema
    def claims_are_distinct(self, data: dict[str, Any], **_: Any) -> None:
        no_claim_twice(data)

    @post_load
    def as_commands(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        lines = tuple(
            InstitutionClaimAmount(line["institution"], line["claim_id"], line["amount"])
            for line in data["lines"]
        )
        return {**data, "lines": lines}
