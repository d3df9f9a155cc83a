"""An insured person's misuse (条例 art. 41): the order to return the loss, and its returns.

The fine of the same article stays a sanction (scripts/simulation/sanctions.py); what the person
returns goes back to the pooled fund, not the treasury.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from scripts.simulation.books import Books, ClaimRecord
from scripts.simulation.messages import MessageFactory, amount, at, document_number
from scripts.simulation.plan import Phase, Planned

INSPECTOR = "inspector:county-team"


def misuse_recovery_ordered(
    books: Books,
    ids: MessageFactory,
    month: int,
    recovery_id: str,
    person_id: str,
    lines: list[tuple[ClaimRecord, Decimal]],
    decision_date: date,
) -> Planned:
    """An order against a person to return what the fund paid for claims made with a lent card."""
    for claim, value in lines:
        books.take_back(claim.claim_id, value, undisbursed=False)
    payload = {
        "recovery_id": recovery_id,
        "person_id": person_id,
        "case_id": f"JC-{recovery_id}",
        "decision_document": document_number("医保处", decision_date.year, recovery_id[-3:]),
        "decision_date": decision_date.isoformat(),
        "violation": "card_lending",
        "detection_source": "tip_off",
        "amount": amount(sum((v for _, v in lines), Decimal("0.00"))),
        "lines": [{"claim_id": c.claim_id, "amount": amount(v)} for c, v in lines],
        "no_claims_reason": None,
    }
    return ids.planned(
        month,
        Phase.CLAWBACKS,
        person_id,
        "MisuseRecoveryOrdered",
        at(decision_date, 0),
        INSPECTOR,
        payload,
    )


def misuse_recovered(
    ids: MessageFactory, month: int, recovery_id: str, person_id: str, value: Decimal, day: date
) -> Planned:
    """Part of the misused money returned by the person, back into the pooled fund."""
    payload = {"recovery_id": recovery_id, "person_id": person_id, "amount": amount(value)}
    return ids.planned(
        month,
        Phase.CLAWBACKS,
        person_id,
        "MisuseRecovered",
        at(day, 11),
        "fund:finance",
        payload,
    )
