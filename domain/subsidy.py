"""Government subsidies (财政补助) to a region's pooled fund."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import subsidy_aggregate_id
from domain.postings import Posting, balanced, pooled_fund, subsidy_source
from domain.provenance import Provenance


def subsidy_postings(region: str, scheme: str, level: str, amount: Decimal) -> tuple[Posting, ...]:
    """The government level pays into the pooled fund."""
    return balanced(
        [
            Posting(subsidy_source(level, region), -amount),
            Posting(pooled_fund(region, scheme), amount),
        ]
    )


class Subsidy(Aggregate):
    """One subsidy payment from the central, provincial or county government."""

    class Granted(Aggregate.Created):
        subsidy_id: str
        region: str
        scheme: str
        year: int
        level: str
        amount: Decimal
        insured_count: int
        fingerprint: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    @staticmethod
    def create_id(subsidy_id: str, **_: Any) -> UUID:
        return subsidy_aggregate_id(subsidy_id)

    @event(Granted)
    def __init__(
        self,
        *,
        subsidy_id: str,
        region: str,
        scheme: str,
        year: int,
        level: str,
        amount: Decimal,
        insured_count: int,
        fingerprint: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.subsidy_id = subsidy_id
        self.amount = amount
        self.fingerprint = fingerprint
