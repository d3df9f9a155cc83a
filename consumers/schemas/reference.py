"""Schemas of reference data: policies, budgets, doctors."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from consumers.schemas.base import (
    INSTITUTION_CODE,
    OPAQUE_ID,
    Amount,
    Ratio,
    StrictSchema,
    Text,
    Year,
    one_of,
)
from domain.person import Scheme
from domain.policy import LEVELS, PolicyTerms


def _per_level(values: fields.Field) -> fields.Dict:  # type: ignore[type-arg]
    return fields.Dict(required=True, keys=Text(validate=validate.OneOf(LEVELS)), values=values)


class PolicyPublishedV1(StrictSchema):
    scheme = Text(required=True, validate=one_of(Scheme))
    deductible = _per_level(Amount())
    ratio = _per_level(Ratio())
    outpatient_ratio = Ratio(required=True)
    later_admission_reduction = Ratio(required=True)
    special_status_ratio = Ratio(required=True)
    registered_poor_bonus = Ratio(required=True)
    annual_cap = Amount(required=True, positive=True)
    resident_contribution = Amount(required=True)
    deposit_rate = Ratio(required=True)

    @validates_schema
    def every_level_is_stated(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("deductible", "ratio"):
            if name in data and set(data[name]) != set(LEVELS):
                raise ValidationError(f"must state exactly the levels {', '.join(LEVELS)}", name)

    @post_load
    def to_terms(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        scheme = data.pop("scheme")
        return {"scheme": scheme, "terms": PolicyTerms(**data)}


class BudgetAllocatedV1(StrictSchema):
    institution = Text(required=True, validate=INSTITUTION_CODE)
    year = Year(required=True)
    amount = Amount(required=True, positive=True)


class DoctorRegisteredV1(StrictSchema):
    doctor_id = Text(required=True, validate=OPAQUE_ID)
    institutions = fields.List(
        Text(validate=INSTITUTION_CODE),
        required=True,
        validate=validate.Length(min=1, max=20),
    )

    @validates_schema
    def institutions_are_distinct(self, data: dict[str, Any], **_: Any) -> None:
        codes = data.get("institutions", [])
        if len(set(codes)) != len(codes):
            raise ValidationError("must not repeat an institution", "institutions")

    @post_load
    def as_tuple(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "institutions": tuple(data["institutions"])}
