"""Ordered clawbacks (追回) with their partial recoveries, and voluntary refunds (主动退回)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import clawback_aggregate_id, refund_aggregate_id
from domain.money import ZERO
from domain.postings import Posting, balanced, institution_bank, pooled_fund
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected


@dataclass(frozen=True)
class ClaimLine:
    """An amount about one claim, with the pooled fund the claim was paid from."""

    claim_id: str
    region: str
    scheme: str
    amount: Decimal


def returned_to_funds(institution: str, lines: Sequence[ClaimLine]) -> tuple[Posting, ...]:
    """The institution pays back; each line's pooled fund gets its part."""
    total = sum((line.amount for line in lines), ZERO)
    return balanced(
        [
            Posting(institution_bank(institution), -total),
            *(Posting(pooled_fund(line.region, line.scheme), line.amount) for line in lines),
        ]
    )


def allocated(lines: Sequence[ClaimLine], amount: Decimal) -> tuple[ClaimLine, ...]:
    """An amount spread over the lines in order, each part at most its line's amount."""
    allocations, left = [], amount
    for line in lines:
        part = min(left, line.amount)
        if part > 0:
            allocations.append(replace(line, amount=part))
        left -= part
    return tuple(allocations)


def less(lines: Sequence[ClaimLine], allocations: Sequence[ClaimLine]) -> tuple[ClaimLine, ...]:
    """The lines less what was allocated to each."""
    taken = {a.claim_id: a.amount for a in allocations}
    return tuple(
        replace(line, amount=line.amount - taken.get(line.claim_id, ZERO)) for line in lines
    )


# Never stored as itself: `Clawback.Recovered` and `MisuseRecovery.Recovered` subclass it, so
# each keeps its own topic (module:qualname) and these fields, in this order, in its state.
class AmountRecovered(Aggregate.Event):
    """What a recovery against an order records: the amount, its parts per claim, the postings."""

    amount: Decimal
    allocations: tuple[ClaimLine, ...]
    postings: tuple[Posting, ...]
    provenance: Provenance


class Clawback(Aggregate):
    """An order to return amounts paid for named claims, recovered in one or more parts."""

    class Ordered(Aggregate.Created):
        clawback_id: str
        institution: str
        region: str
        case_id: str
        decision_document: str
        decision_date: date
        violation: str
        detection_source: str
        lines: tuple[ClaimLine, ...]
        fingerprint: str
        provenance: Provenance

    class Recovered(AmountRecovered):
        pass

    @staticmethod
    def create_id(clawback_id: str, **_: Any) -> UUID:
        return clawback_aggregate_id(clawback_id)

    @event(Ordered)
    def __init__(
        self,
        *,
        clawback_id: str,
        institution: str,
        region: str,
        case_id: str,
        decision_document: str,
        decision_date: date,
        violation: str,
        detection_source: str,
        lines: tuple[ClaimLine, ...],
        fingerprint: str,
        provenance: Provenance,
    ) -> None:
        self.clawback_id = clawback_id
        self.institution = institution
        self.fingerprint = fingerprint
        self.remaining = tuple(lines)  # what is still to recover, per claim
        self.ordered = sum((line.amount for line in lines), ZERO)

    @property
    def outstanding(self) -> Decimal:
        """What remains to recover."""
        return sum((line.amount for line in self.remaining), ZERO)

    @property
    def recovered(self) -> Decimal:
        """What was recovered so far."""
        return self.ordered - self.outstanding

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """The claims the order names."""
        return tuple(line.claim_id for line in self.remaining)

    def recover(self, *, amount: Decimal, provenance: Provenance) -> None:
        """Record a recovery, allocated to the lines in order; never above what remains."""
        if amount > self.outstanding:
            raise Rejected(
                Reason.EXCEEDS_ORDERED,
                f"recovery of {amount} exceeds what remains of clawback {self.clawback_id} "
                f"({self.outstanding})",
            )
        allocations = allocated(self.remaining, amount)
        postings = returned_to_funds(self.institution, allocations)
        self._recovered(
            amount=amount, allocations=allocations, postings=postings, provenance=provenance
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


class Refund(Aggregate):
    """A voluntary refund of amounts paid for named claims, after self-inspection."""

    class Volunteered(Aggregate.Created):
        refund_id: str
        institution: str
        region: str
        case_id: str | None
        violation: str
        lines: tuple[ClaimLine, ...]
        total: Decimal
        fingerprint: str
        postings: tuple[Posting, ...]
        provenance: Provenance

    @staticmethod
    def create_id(refund_id: str, **_: Any) -> UUID:
        return refund_aggregate_id(refund_id)

    @event(Volunteered)
    def __init__(
        self,
        *,
        refund_id: str,
        institution: str,
        region: str,
        case_id: str | None,
        violation: str,
        lines: tuple[ClaimLine, ...],
        total: Decimal,
        fingerprint: str,
        postings: tuple[Posting, ...],
        provenance: Provenance,
    ) -> None:
        self.refund_id = refund_id
        self.institution = institution
        self.total = total
        self.fingerprint = fingerprint
