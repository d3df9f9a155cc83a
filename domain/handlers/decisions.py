"""Handler of the parts of a clawback decision over several institutions (domain/decision.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from domain.claim import Claim
from domain.clawback import ClaimLine, Clawback
from domain.commands import OrderClawbackPart, fingerprint
from domain.decision import ClawbackDecision, ClawbackParts, InstitutionLine, share_id, shares
from domain.handlers.lookup import Aggregates, check_decided_after, known_claim
from domain.money import ZERO
from domain.reasons import Awaited, Reason, Rejected

# What the decision and each of its shares state alike, as every part of it stated.
DECIDED = (
    "region",
    "case_id",
    "decision_document",
    "decision_date",
    "violation",
    "detection_source",
    "provenance",
)


def _header(command: OrderClawbackPart) -> str:
    """The digest of what every part of one decision states alike (all but its part and lines)."""
    return fingerprint(dataclasses.replace(command, part=0, lines=()))


def _checked(
    aggregates: Aggregates, part: int, lines: Sequence[InstitutionLine], *, as_sent: bool = True
) -> list[tuple[Claim, InstitutionLine]]:
    """Every line checked against its institution and that institution's claim; a refusal
    names the part and, for lines in the order they were sent, the line, as the office would
    look it up in its document (a kept part's lines are grouped by institution: the claim,
    which every refusal names, is what finds them)."""
    checked = []
    for number, line in enumerate(lines, start=1):
        where = f"part {part}, line {number}" if as_sent else f"part {part}"
        if aggregates.institution(line.institution) is None:
            raise Rejected(
                Reason.UNKNOWN_INSTITUTION,
                f"{where}: institution {line.institution} has not been designated",
                Awaited("institution", line.institution),
            )
        try:
            claim = known_claim(aggregates, line.claim_id)
            claim.check_correctable(line.institution, line.amount)
        except Rejected as refusal:
            raise Rejected(refusal.reason, f"{where}: {refusal.detail}", refusal.awaits) from None
        checked.append((claim, line))
    return checked


def order_clawback_part(command: OrderClawbackPart, aggregates: Aggregates) -> None:
    """Keep one part of a decision; the decision takes effect when its last part arrives."""
    digest, header = fingerprint(command), _header(command)
    received = aggregates.clawback_parts(command.clawback_id)
    if received is not None and received.is_repeat(command.part, digest):
        return
    if aggregates.clawback(command.clawback_id) is not None:
        raise Rejected(
            Reason.CONFLICTING_DUPLICATE,
            f"clawback {command.clawback_id} was ordered before against one institution",
        )
    lines = tuple(InstitutionLine(x.institution, x.claim_id, x.amount) for x in command.lines)
    if received is None:
        check_decided_after(command.decision_date, command.provenance)
        missing = [k for k in range(1, command.parts + 1) if k != command.part]
    else:
        received.check_part(command.parts, header, lines)
        missing = received.missing(command.part)
    checked = _checked(aggregates, command.part, lines)
    if not missing:
        # Claims may have changed since the earlier parts were checked: check them again.
        for part, (_, earlier) in sorted(received.received.items() if received else ()):
            checked.extend(_checked(aggregates, part, earlier, as_sent=False))
    if received is None:
        received = ClawbackParts(
            clawback_id=command.clawback_id,
            parts=command.parts,
            header=header,
            provenance=command.provenance,
        )
        aggregates.add(received)
    if missing:
        received.receive(
            part=command.part, lines=lines, fingerprint=digest, provenance=command.provenance
        )
        return
    claims = {claim.claim_id: claim for claim, _ in checked}
    _take_effect(command, digest, aggregates, received, lines, claims)


def _take_effect(
    command: OrderClawbackPart,
    digest: str,
    aggregates: Aggregates,
    received: ClawbackParts,
    lines: tuple[InstitutionLine, ...],
    claims: dict[str, Claim],
) -> None:
    """The last part: record it, then the decision and each institution's share."""
    decision_id = command.clawback_id
    # Looked up before they are added (the unit of work's rule); none exists: a complete
    # decision's parts are all repeats, and no source id contains the share separator.
    aggregates.clawback_decision(decision_id)
    institutions = list(shares([*received.all_lines(), *lines]))
    for institution in institutions:
        aggregates.clawback(share_id(decision_id, institution))
    received.receive(
        part=command.part, lines=lines, fingerprint=digest, provenance=command.provenance
    )
    every = received.all_lines()
    totals = shares(every)
    decided = {name: getattr(command, name) for name in DECIDED}
    aggregates.add(
        ClawbackDecision(
            clawback_id=decision_id,
            parts=command.parts,
            lines=len(every),
            shares=totals,
            total=sum(totals.values(), ZERO),
            **decided,
        )
    )
    for institution in institutions:
        own = [line for line in every if line.institution == institution]
        share = Clawback(
            clawback_id=share_id(decision_id, institution),
            institution=institution,
            lines=tuple(_claim_line(claims[x.claim_id], x.amount) for x in own),
            fingerprint=received.header,
            **decided,
        )
        aggregates.add(share)
        for line in own:
            claims[line.claim_id].note_clawback(
                clawback_id=share.clawback_id, amount=line.amount, provenance=command.provenance
            )


def _claim_line(claim: Claim, amount: Decimal) -> ClaimLine:
    return ClaimLine(claim.claim_id, claim.region, claim.scheme, amount)
