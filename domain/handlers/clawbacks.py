"""Handlers of refusals, clawbacks, recoveries and voluntary refunds."""

from __future__ import annotations

from collections.abc import Sequence

from domain.claim import Claim
from domain.clawback import ClaimLine, Clawback, Refund, returned_to_funds
from domain.commands import (
    ClaimAmount,
    OrderClawback,
    RecoverClawback,
    RefuseClaim,
    VolunteerRefund,
    fingerprint,
)
from domain.decision import share_id
from domain.handlers.lookup import (
    Aggregates,
    check_decided_after,
    is_repeat,
    known_claim,
    known_institution,
)
from domain.money import ZERO
from domain.reasons import Awaited, Reason, Rejected


def refuse_claim(command: RefuseClaim, aggregates: Aggregates) -> None:
    """Refuse part of a claim's fund share."""
    claim = known_claim(aggregates, command.claim_id)
    claim.refuse(
        institution=command.institution,
        amount=command.amount,
        case_id=command.case_id,
        violation=command.violation,
        detection_source=command.detection_source,
        provenance=command.provenance,
    )


def _checked_lines(
    aggregates: Aggregates, institution: str, lines: Sequence[ClaimAmount]
) -> list[tuple[Claim, ClaimLine]]:
    """Every line checked against its claim before anything is recorded."""
    checked = []
    for line in lines:
        claim = known_claim(aggregates, line.claim_id)
        claim.check_correctable(institution, line.amount)
        checked.append((claim, ClaimLine(claim.claim_id, claim.region, claim.scheme, line.amount)))
    return checked


def order_clawback(command: OrderClawback, aggregates: Aggregates) -> None:
    """Order amounts paid for named claims back; no money moves until recovered."""
    digest = fingerprint(command)
    if is_repeat(aggregates.clawback(command.clawback_id), digest, command.clawback_id):
        return
    if aggregates.clawback_parts(command.clawback_id) is not None:
        raise Rejected(
            Reason.CONFLICTING_DUPLICATE,
            f"clawback {command.clawback_id} was ordered before over several institutions",
        )
    known_institution(aggregates, command.institution)
    check_decided_after(command.decision_date, command.provenance)
    checked = _checked_lines(aggregates, command.institution, command.lines)
    clawback = Clawback(
        clawback_id=command.clawback_id,
        institution=command.institution,
        region=command.region,
        case_id=command.case_id,
        decision_document=command.decision_document,
        decision_date=command.decision_date,
        violation=command.violation,
        detection_source=command.detection_source,
        lines=tuple(line for _, line in checked),
        fingerprint=digest,
        provenance=command.provenance,
    )
    aggregates.add(clawback)
    for claim, line in checked:
        claim.note_clawback(
            clawback_id=command.clawback_id, amount=line.amount, provenance=command.provenance
        )


def recover_clawback(command: RecoverClawback, aggregates: Aggregates) -> None:
    """Record a recovery of an ordered clawback: the money returns to the pooled funds."""
    clawback = aggregates.clawback(command.clawback_id)
    decision = aggregates.clawback_decision(command.clawback_id) if clawback is None else None
    if decision is not None:  # a decision over several institutions: this institution's share
        clawback = aggregates.clawback(share_id(command.clawback_id, command.institution))
    if clawback is None or clawback.institution != command.institution:
        awaited = clawback is None and decision is None
        raise Rejected(
            Reason.UNKNOWN_CLAWBACK,
            f"no clawback {command.clawback_id} was ordered against {command.institution}",
            Awaited("clawback", command.clawback_id) if awaited else None,
        )
    # Above what the named claims were paid is its own class of error; above what the order
    # leaves to recover (but within what was paid) is `exceeds_ordered`, in `recover`.
    paid = sum((known_claim(aggregates, c).fund_share for c in clawback.claim_ids), ZERO)
    if command.amount > paid - clawback.recovered:
        raise Rejected(
            Reason.EXCEEDS_PAID,
            f"recovery of {command.amount} exceeds what was paid for the claims of "
            f"{command.clawback_id} ({paid}, of which {clawback.recovered} recovered)",
        )
    clawback.recover(amount=command.amount, provenance=command.provenance)


def volunteer_refund(command: VolunteerRefund, aggregates: Aggregates) -> None:
    """Record a voluntary refund of amounts paid for named claims."""
    digest = fingerprint(command)
    if is_repeat(aggregates.refund(command.refund_id), digest, command.refund_id):
        return
    known_institution(aggregates, command.institution)
    checked = _checked_lines(aggregates, command.institution, command.lines)
    lines = tuple(line for _, line in checked)
    refund = Refund(
        refund_id=command.refund_id,
        institution=command.institution,
        region=command.region,
        case_id=command.case_id,
        violation=command.violation,
        lines=lines,
        total=sum((line.amount for line in lines), ZERO),
        fingerprint=digest,
        postings=returned_to_funds(command.institution, lines),
        provenance=command.provenance,
    )
    aggregates.add(refund)
    for claim, line in checked:
        claim.note_refund(
            refund_id=command.refund_id, amount=line.amount, provenance=command.provenance
        )
