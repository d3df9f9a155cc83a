"""Commands of money flowing in and out: contributions, subsidies, disbursements, deposits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.provenance import Provenance


@dataclass(frozen=True)
class PayContribution:
    """Record a contribution for a person and year (ContributionPaid)."""

    person_id: str
    region: str
    year: int
    payer: str
    amount: Decimal
    personal_account_amount: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class GrantSubsidy:
    """Record a government subsidy to a pooled fund (SubsidyGranted)."""

    subsidy_id: str
    region: str
    scheme: str
    year: int
    level: str
    amount: Decimal
    insured_count: int
    provenance: Provenance


@dataclass(frozen=True)
class MakeDisbursement:
    """Pay an institution a month's amount, holding the quality deposit (DisbursementMade)."""

    institution: str
    region: str
    period: str
    scheme: str
    amount: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class ReleaseDeposit:
    """Pay out held quality deposit (DepositReleased)."""

    institution: str
    year: int
    amount: Decimal
    provenance: Provenance
