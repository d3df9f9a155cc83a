"""Commands of settlements and of the corrections recorded against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.provenance import Provenance


@dataclass(frozen=True)
class SettleClaim:
    """Settle a claim; the ledger computes the fund share (ClaimSettled)."""

    claim_id: str
    region: str
    person_id: str
    institution: str
    doctor_id: str | None
    claim_type: str
    total_cost: Decimal
    in_policy_cost: Decimal
    personal_account_amount: Decimal
    reported_fund_share: Decimal | None
    provenance: Provenance


@dataclass(frozen=True)
class ReverseClaim:
    """Undo a settlement exactly (ClaimReversed)."""

    claim_id: str
    person_id: str
    reason: str
    provenance: Provenance


@dataclass(frozen=True)
class ClaimAmount:
    """An amount about one named claim."""

    claim_id: str
    amount: Decimal


@dataclass(frozen=True)
class RefuseClaim:
    """Refuse part of a claim's fund share not yet disbursed (ClaimRefused)."""

    claim_id: str
    institution: str
    amount: Decimal
    case_id: str
    violation: str
    detection_source: str
    provenance: Provenance


@dataclass(frozen=True)
class OrderClawback:
    """Order an institution to return amounts paid for named claims (ClawbackOrdered)."""

    clawback_id: str
    region: str
    institution: str
    case_id: str
    decision_document: str
    decision_date: date
    violation: str
    detection_source: str
    lines: tuple[ClaimAmount, ...]
    provenance: Provenance


@dataclass(frozen=True)
class RecoverClawback:
    """Record a (partial) recovery of an ordered clawback (ClawbackRecovered)."""

    clawback_id: str
    institution: str
    amount: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class VolunteerRefund:
    """Record a voluntary refund of amounts paid for named claims (RefundVolunteered)."""

    refund_id: str
    region: str
    institution: str
    case_id: str | None
    violation: str
    lines: tuple[ClaimAmount, ...]
    provenance: Provenance


@dataclass(frozen=True)
class InstitutionClaimAmount:
    """One line of a decision over several institutions: a claim at the named institution."""

    institution: str
    claim_id: str
    amount: Decimal


@dataclass(frozen=True)
class OrderClawbackPart:
    """Part `part` of `parts` of a decision over several institutions (ClawbackOrdered 2)."""

    clawback_id: str
    region: str
    part: int
    parts: int
    case_id: str
    decision_document: str
    decision_date: date
    violation: str
    detection_source: str
    lines: tuple[InstitutionClaimAmount, ...]
    provenance: Provenance
