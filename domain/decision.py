"""Clawback decisions over several institutions (ClawbackOrdered version 2), sent in parts.

One decision document may order claims back from several institutions (a joint inspection),
and a county-wide finding may name more claims than one message carries. Such an order arrives
as parts 1..n of one `clawback_id`; the parts are kept as they come (`ClawbackParts`), and the
order takes effect only once every part is in: then the decision (`ClawbackDecision`, under the
clawback id) records its total and each institution's share, and each institution's share
becomes an ordinary `Clawback` named `<clawback_id>/<institution>`, recovered like any other.

Taking effect as a whole, in part order, makes the result the same whatever order the parts
arrived in, and a part that never arrives leaves nothing half-ordered: no claim is counted and
no money is owed until the decision is complete (docs/events.md, "ClawbackOrdered version 2").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import clawback_aggregate_id, clawback_parts_aggregate_id
from domain.money import ZERO
from domain.provenance import Provenance
from domain.reasons import Reason, Rejected

# The separator of an institution's share in its clawback id: source ids never contain it
# (consumers/schemas/base.py, OPAQUE_ID), so a share never takes the id of a version-1 order.
SHARE_SEPARATOR = "/"


def share_id(clawback_id: str, institution: str) -> str:
    """The clawback id of one institution's share of a decision."""
    return f"{clawback_id}{SHARE_SEPARATOR}{institution}"


@dataclass(frozen=True)
class InstitutionLine:
    """One line of a decision: an amount about a claim settled at the named institution."""

    institution: str
    claim_id: str
    amount: Decimal


def shares(lines: Iterable[InstitutionLine]) -> dict[str, Decimal]:
    """Each institution's total, in the order the institutions first appear in the lines."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.institution] = totals.get(line.institution, ZERO) + line.amount
    return totals


def by_institution(lines: Iterable[InstitutionLine]) -> dict[str, dict[str, Decimal]]:
    """Lines as stored: each institution's claims and amounts, institutions in the order they
    first appear, claims in their order (plain JSON objects, no value type to register)."""
    grouped: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        grouped.setdefault(line.institution, {})[line.claim_id] = line.amount
    return grouped


def flattened(grouped: dict[str, dict[str, Decimal]]) -> Iterator[InstitutionLine]:
    """The lines of `by_institution`, back in their stored order."""
    for institution, claims in grouped.items():
        for claim_id, amount in claims.items():
            yield InstitutionLine(institution, claim_id, amount)


class ClawbackParts(Aggregate):
    """The parts of a decision received so far; `header` is the digest every part must match."""

    class Started(Aggregate.Created):
        clawback_id: str
        parts: int
        header: str
        provenance: Provenance

    class PartReceived(Aggregate.Event):
        part: int
        lines: dict[str, dict[str, Decimal]]  # institution -> claim -> amount, as `by_institution`
        fingerprint: str
        provenance: Provenance

    @staticmethod
    def create_id(clawback_id: str, **_: Any) -> UUID:
        return clawback_parts_aggregate_id(clawback_id)

    @event(Started)
    def __init__(
        self, *, clawback_id: str, parts: int, header: str, provenance: Provenance
    ) -> None:
        self.clawback_id = clawback_id
        self.parts = parts
        self.header = header
        self.received: dict[int, tuple[str, tuple[InstitutionLine, ...]]] = {}  # part -> lines
        # claim -> the part naming it: kept as parts arrive, so a part of a large order is
        # checked in the time of its own lines, not of all the lines received before it
        self.named: dict[str, int] = {}

    def is_repeat(self, part: int, fingerprint: str) -> bool:
        """True for a part received before with this content; conflicting_duplicate for other
        content under the same part number."""
        received = self.received.get(part)
        if received is None:
            return False
        if received[0] == fingerprint:
            return True
        raise Rejected(
            Reason.CONFLICTING_DUPLICATE,
            f"part {part} of clawback {self.clawback_id} was recorded before with other content",
        )

    def check_part(self, parts: int, header: str, lines: Iterable[InstitutionLine]) -> None:
        """Refuse a part whose decision differs from the parts before, or that names a claim
        an earlier part names."""
        if parts != self.parts or header != self.header:
            raise Rejected(
                Reason.CONFLICTING_DUPLICATE,
                f"this part of clawback {self.clawback_id} states another decision than its "
                "earlier parts (case, document, dates, violation, source, parts or occurred_at)",
            )
        for line in lines:
            if line.claim_id in self.named:
                raise Rejected(
                    Reason.CONFLICTING_DUPLICATE,
                    f"claim {line.claim_id} is named in part {self.named[line.claim_id]} of "
                    f"clawback {self.clawback_id} already",
                )

    def missing(self, also: int) -> list[int]:
        """The part numbers not received, counting part `also` as received."""
        return [k for k in range(1, self.parts + 1) if k != also and k not in self.received]

    def all_lines(self) -> tuple[InstitutionLine, ...]:
        """Every line received, in part order: the order's lines whatever the arrival order."""
        return tuple(line for k in sorted(self.received) for line in self.received[k][1])

    def receive(
        self,
        *,
        part: int,
        lines: Sequence[InstitutionLine],
        fingerprint: str,
        provenance: Provenance,
    ) -> None:
        """Keep a part checked by the handler."""
        self._received(
            part=part, lines=by_institution(lines), fingerprint=fingerprint, provenance=provenance
        )

    @event(PartReceived)
    def _received(
        self,
        *,
        part: int,
        lines: dict[str, dict[str, Decimal]],
        fingerprint: str,
        provenance: Provenance,
    ) -> None:
        self.received[part] = (fingerprint, tuple(flattened(lines)))
        self.named.update((line.claim_id, part) for line in self.received[part][1])


class ClawbackDecision(Aggregate):
    """A decision over several institutions, complete: its total and each institution's share.

    It lives under the clawback id, so a recovery held for that id is released when the
    decision takes effect; the shares are `Clawback` aggregates of their own."""

    class Ordered(Aggregate.Created):
        clawback_id: str
        region: str
        case_id: str
        decision_document: str
        decision_date: date
        violation: str
        detection_source: str
        parts: int
        lines: int
        shares: dict[str, Decimal]
        total: Decimal
        provenance: Provenance

    @staticmethod
    def create_id(clawback_id: str, **_: Any) -> UUID:
        return clawback_aggregate_id(clawback_id)

    @event(Ordered)
    def __init__(
        self,
        *,
        clawback_id: str,
        region: str,
        case_id: str,
        decision_document: str,
        decision_date: date,
        violation: str,
        detection_source: str,
        parts: int,
        lines: int,
        shares: dict[str, Decimal],
        total: Decimal,
        provenance: Provenance,
    ) -> None:
        self.clawback_id = clawback_id
        self.shares = dict(shares)
        self.total = total
