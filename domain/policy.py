"""Treatment policy (待遇政策) per pooling region and scheme, as effective-dated versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import policy_aggregate_id
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected

LEVELS = ("community", "1", "2", "3", "none")


@dataclass(frozen=True)
class PolicyTerms:
    """The parameters settlement, contributions and disbursements are judged by."""

    deductible: dict[str, Decimal]
    ratio: dict[str, Decimal]
    outpatient_ratio: Decimal
    later_admission_reduction: Decimal
    special_status_ratio: Decimal
    registered_poor_bonus: Decimal
    annual_cap: Decimal
    resident_contribution: Decimal
    deposit_rate: Decimal


@dataclass(frozen=True)
class PolicyVersion:
    """Terms in force from `effective_at` until the next version."""

    effective_at: datetime
    terms: PolicyTerms


class Policy(Aggregate):
    """The policy of one region and scheme; settlement uses the version in force on a date."""

    class Published(Aggregate.Created):
        region: str
        scheme: str
        terms: PolicyTerms
        provenance: Provenance

    class Revised(Aggregate.Event):
        terms: PolicyTerms
        provenance: Provenance

    @staticmethod
    def create_id(region: str, scheme: str, **_: Any) -> UUID:
        return policy_aggregate_id(region, scheme)

    @event(Published)
    def __init__(
        self, *, region: str, scheme: str, terms: PolicyTerms, provenance: Provenance
    ) -> None:
        self.region = region
        self.scheme = scheme
        self.versions: tuple[PolicyVersion, ...] = (PolicyVersion(provenance.occurred_at, terms),)

    def in_force_at(self, moment: datetime) -> PolicyTerms | None:
        """The terms in force at a moment, or None before the first version."""
        current = None
        for version in self.versions:
            if version.effective_at <= moment:
                current = version.terms
        return current

    def revise(self, *, terms: PolicyTerms, provenance: Provenance) -> None:
        """Publish a new version, effective after every earlier one."""
        newest = self.versions[-1].effective_at
        if provenance.occurred_at <= newest:
            raise Rejected(
                Reason.OUT_OF_ORDER,
                f"policy {self.region}/{self.scheme} effective "
                f"{provenance.occurred_at.isoformat()} is not after the newest version "
                f"({newest.isoformat()})",
            )
        self._revised(terms=terms, provenance=provenance)

    @event(Revised)
    def _revised(self, *, terms: PolicyTerms, provenance: Provenance) -> None:
        self.versions = (*self.versions, PolicyVersion(provenance.occurred_at, terms))
