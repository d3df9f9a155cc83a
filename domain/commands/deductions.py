"""Commands of deductions not tied to claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.provenance import Provenance


@dataclass(frozen=True)
class ImposeDeduction:
    """Deduct an amount from what the fund owes an institution for a period (DeductionImposed)."""

    deduction_id: str
    region: str
    institution: str
    kind: str
    scheme: str
    period: str
    basis: str
    case_id: str
    decision_document: str
    decision_date: date
    amount: Decimal
    provenance: Provenance
