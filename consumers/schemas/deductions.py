"""Schema of deductions not tied to claims (指标性扣款, budget deductions)."""

from __future__ import annotations

from consumers.schemas.base import (
    INSTITUTION_CODE,
    OPAQUE_ID,
    TEXT,
    Amount,
    FullMatch,
    StrictSchema,
    Text,
    decision_fields,
    one_of,
)
from domain.deduction import PERIOD_TEXT, DeductionKind
from domain.person_values import Scheme

PERIOD = FullMatch(
    PERIOD_TEXT, error="must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY, 1900 to 2199"
)


class DeductionImposedV1(StrictSchema):
    deduction_id = Text(required=True, validate=OPAQUE_ID)
    institution = Text(required=True, validate=INSTITUTION_CODE)
    kind = Text(required=True, validate=one_of(DeductionKind))
    scheme = Text(required=True, validate=one_of(Scheme))
    period = Text(required=True, validate=PERIOD)
    basis = Text(required=True, validate=TEXT)
    case_id, decision_document, decision_date = decision_fields()
    amount = Amount(required=True, positive=True)
