"""Commands of reference data: policies, budgets and doctors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.policy import PolicyTerms
from domain.provenance import Provenance


@dataclass(frozen=True)
class PublishPolicy:
    """Publish the policy of a region and scheme, in force from the effective date."""

    region: str
    scheme: str
    terms: PolicyTerms
    provenance: Provenance


@dataclass(frozen=True)
class AllocateBudget:
    """Allocate an institution's annual budget."""

    institution: str
    year: int
    amount: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class RegisterDoctor:
    """Register an insurance doctor at the institutions they practise at."""

    doctor_id: str
    region: str
    institutions: tuple[str, ...]
    provenance: Provenance
