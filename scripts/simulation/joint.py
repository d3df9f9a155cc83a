"""One decision over several institutions (ClawbackOrdered version 2): a joint inspection that
found phantom beds at two township centres, its lines sent in parts of one order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from scripts.simulation.books import Books, ClaimRecord
from scripts.simulation.messages import MessageFactory, amount, at, document_number
from scripts.simulation.plan import Phase, Planned

INSPECTOR = "inspector:county-team"


def joint_decision(
    books: Books,
    ids: MessageFactory,
    month: int,
    clawback_id: str,
    lines: list[tuple[ClaimRecord, Decimal]],
    per_part: int,
    period_day: date,
    decided: date,
) -> list[Planned]:
    """The order's parts of `per_part` lines each, keyed by the order so they share a partition;
    each part states the same decision, as the contract requires."""
    for claim, value in lines:
        books.take_back(claim.claim_id, value, undisbursed=False)
    chunks = [lines[i : i + per_part] for i in range(0, len(lines), per_part)]
    decision = {
        "clawback_id": clawback_id,
        "parts": len(chunks),
        "case_id": f"LHJC-{clawback_id}",
        "decision_document": document_number("医保稽", decided.year, clawback_id[-3:]),
        "decision_date": decided.isoformat(),
        "violation": "phantom_bed",
        "detection_source": "onsite_inspection",
    }
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        part = ids.planned(
            month,
            Phase.CLAWBACKS,
            clawback_id,
            "ClawbackOrdered",
            at(period_day, 0),
            INSPECTOR,
            decision
            | {
                "part": number,
                "lines": [
                    {"institution": c.institution, "claim_id": c.claim_id, "amount": amount(v)}
                    for c, v in chunk
                ],
            },
        )
        assert part.document is not None
        part.document["schema_version"] = 2  # the envelope helper writes version 1
        parts.append(part)
    return parts
