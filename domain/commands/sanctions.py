"""Commands of sanctions, fines and appeals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.provenance import Provenance


@dataclass(frozen=True)
class ImposeSanction:
    """Impose a sanction on an institution, doctor or person (SanctionImposed)."""

    sanction_id: str
    region: str
    kind: str
    target_kind: str
    target_id: str
    case_id: str
    decision_document: str
    decision_date: date
    effective_from: date
    effective_to: date | None
    legal_basis: str
    violation: str
    base_amount: Decimal | None
    multiple: Decimal | None
    fine_amount: Decimal | None
    points: int | None
    suspension_months: int | None
    referred_to: str | None
    provenance: Provenance


@dataclass(frozen=True)
class LiftSanction:
    """End a sanction's window early (SanctionLifted)."""

    sanction_id: str
    target_id: str
    reason: str
    provenance: Provenance


@dataclass(frozen=True)
class PayFine:
    """Record a fine payment to the treasury (FinePaid)."""

    sanction_id: str
    target_id: str
    amount: Decimal
    receipt_no: str
    provenance: Provenance


@dataclass(frozen=True)
class FileAppeal:
    """Record an appeal against a sanction (AppealFiled)."""

    sanction_id: str
    target_id: str
    appeal_id: str
    provenance: Provenance


@dataclass(frozen=True)
class DecideAppeal:
    """Record the decision on an appeal (AppealDecided)."""

    sanction_id: str
    target_id: str
    outcome: str
    decision_document: str
    decision_date: date
    multiple: Decimal | None
    fine_amount: Decimal | None
    effective_to: date | None
    points: int | None
    provenance: Provenance
