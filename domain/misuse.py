"""Recovery of misused fund money from an insured person (条例 art. 41: return the loss).

The order makes the person owe the pooled fund (a receivable of the fund, a debt of the person);
each return moves cash from the person into the pooled fund and settles that much of the debt.
The 2-5x fine of the same article stays a separate sanction to the treasury (domain/sanction.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.clawback import AmountRecovered, ClaimLine, allocated, less
from domain.identity import misuse_recovery_aggregate_id
from domain.money import ZERO
from domain.postings import (
    Posting,
    balanced,
    misuse_due,
    misuse_receivable,
    payer,
    pooled_fund,
)
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected

# (region, scheme, amount): a part of the money owed to, or returned to, one pooled fund.
FundPart = tuple[str, str, Decimal]


def fund_parts(
    lines: Sequence[ClaimLine], region: str, scheme: str, unlinked: Decimal
) -> list[FundPart]:
    """Each line's pooled fund with its amount, or the one fund an order without claims names."""
    parts = [(line.region, line.scheme, line.amount) for line in lines]
    return parts if parts else [(region, scheme, unlinked)]


def owed_postings(person_id: str, parts: Sequence[FundPart]) -> tuple[Posting, ...]:
    """The order: the person owes, each pooled fund is owed its part."""
    total = sum((amount for _, _, amount in parts), ZERO)
    return balanced(
        [
            Posting(misuse_due(person_id), -total),
            *(Posting(misuse_receivable(r, s), amount) for r, s, amount in parts),
        ]
    )


def returned_postings(person_id: str, parts: Sequence[FundPart]) -> tuple[Posting, ...]:
    """A return: the person pays each pooled fund its part, which settles that much owed."""
    total = sum((amount for _, _, amount in parts), ZERO)
    return balanced(
        [
            Posting(payer("person", person_id), -total),
            *(Posting(pooled_fund(r, s), amount) for r, s, amount in parts),
            Posting(misuse_due(person_id), total),
            *(Posting(misuse_receivable(r, s), -amount) for r, s, amount in parts),
        ]
    )


class MisuseRecovery(Aggregate):
    """An order against a person to return misused fund money, returned in one or more parts."""

    class Ordered(Aggregate.Created):
        recovery_id: str
        person_id: str
        region: str
        scheme: str
        case_id: str
        decision_document: str
        decision_date: date
        violation: str
        detection_source: str
        amount: Decimal
        lines: tuple[ClaimLine, ...]
        no_claims_reason: str | None
        fingerprint: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    class Recovered(AmountRecovered):
        pass

    @staticmethod
    def create_id(recovery_id: str, **_: Any) -> UUID:
        return misuse_recovery_aggregate_id(recovery_id)

    @event(Ordered)
    def __init__(
        self,
        *,
        recovery_id: str,
        person_id: str,
        region: str,
        scheme: str,
        case_id: str,
        decision_document: str,
        decision_date: date,
        violation: str,
        detection_source: str,
        amount: Decimal,
        lines: tuple[ClaimLine, ...],
        no_claims_reason: str | None,
        fingerprint: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.recovery_id = recovery_id
        self.person_id = person_id
        self.region = region
        self.scheme = scheme
        self.fingerprint = fingerprint
        self.ordered = amount
        self.remaining = tuple(lines)  # what is still owed, per claim (none if unlinked)
        self.outstanding = amount

    @property
    def recovered(self) -> Decimal:
        """What the person returned so far."""
        return self.ordered - self.outstanding

    def recover(self, *, amount: Decimal, provenance: Provenance) -> None:
        """Record a return, allocated to the claims in order; never above what is owed."""
        if amount > self.outstanding:
            raise Rejected(
                Reason.EXCEEDS_ORDERED,
                f"return of {amount} exceeds what remains of misuse recovery "
                f"{self.recovery_id} ({self.outstanding})",
            )
        allocations = allocated(self.remaining, amount)
        parts = fund_parts(allocations, self.region, self.scheme, amount)
        self._recovered(
            amount=amount,
            allocations=allocations,
            postings=returned_postings(self.person_id, parts),
            provenance=provenance,
        )

    @event(Recovered)
    def _recovered(
        self,
        *,
        amount: Decimal,
        allocations: tuple[ClaimLine, ...],
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.remaining = less(self.remaining, allocations)
        self.outstanding -= amount
