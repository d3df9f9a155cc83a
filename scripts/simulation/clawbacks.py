"""Corrections of paid claims: smart-review refusals, ordered clawbacks, recoveries, refunds."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from domain.money import ZERO
from scripts.simulation.books import Books, ClaimRecord
from scripts.simulation.decisions import part_refused, recovered
from scripts.simulation.messages import MessageFactory, amount, at, document_number
from scripts.simulation.plan import Phase, Planned
from scripts.simulation.world import County


def part(value: Decimal, share: str) -> Decimal:
    """A share of an amount, to the cent, never zero while the amount is not."""
    return max(Decimal("0.01"), (value * Decimal(share)).quantize(Decimal("0.01")))


def refusals(county: County, books: Books, ids: MessageFactory, month: int) -> Iterator[Planned]:
    """Smart review (智能审核) refuses part of a few of this month's claims before disbursement."""
    config = county.config
    if month > 12:
        return
    rng = random.Random(f"{config.seed}:refusals:{month}")  # noqa: S311
    period = f"{config.year}-{month:02d}"
    for n, claim in enumerate(books.claims_of(period)):
        if (
            claim.outstanding <= ZERO
            or not claim.institution.startswith("H")
            or rng.random() > 0.03
        ):
            continue
        refused = part(claim.outstanding, rng.choice(["0.1", "0.2", "0.4"]))
        books.take_back(claim.claim_id, refused, undisbursed=True)
        payload = {
            "claim_id": claim.claim_id,
            "institution": claim.institution,
            "amount": amount(refused),
            "case_id": f"ZNSH-{period}-{n:05d}",
            "violation": rng.choice(
                ["over_standard_charging", "duplicate_charging", "excessive_drugs"]
            ),
            "detection_source": "smart_review",
        }
        yield ids.planned(
            month,
            Phase.CLAWBACKS,
            claim.institution,
            "ClaimRefused",
            at(date(config.year, month, 28), 18),
            "fund:audit",
            payload,
            decision=part_refused(refused),
        )


def lines_of(
    books: Books, institution: str, before_period: str, share: str, most: int
) -> list[tuple[ClaimRecord, Decimal]]:
    """Up to `most` disbursed claims of an institution, each with `share` of its outstanding."""
    chosen = [
        c
        for c in books.claims_at(institution)
        if c.period < before_period and c.outstanding > Decimal("1.00")
    ][:most]
    return [(c, part(c.outstanding, share)) for c in chosen]


def clawback_ordered(
    books: Books,
    ids: MessageFactory,
    month: int,
    clawback_id: str,
    institution: str,
    lines: list[tuple[ClaimRecord, Decimal]],
    period_day: date,
    decision_date: date,
    violation: str,
    source: str,
) -> Planned:
    """An order to return paid amounts, linked to claims, a case and a decision document."""
    for claim, value in lines:
        books.take_back(claim.claim_id, value, undisbursed=False)
    payload = {
        "clawback_id": clawback_id,
        "institution": institution,
        "case_id": f"JC-{clawback_id}",
        "decision_document": document_number("医保稽", decision_date.year, clawback_id[-3:]),
        "decision_date": decision_date.isoformat(),
        "violation": violation,
        "detection_source": source,
        "lines": [{"claim_id": c.claim_id, "amount": amount(v)} for c, v in lines],
    }
    return ids.planned(
        month,
        Phase.CLAWBACKS,
        institution,
        "ClawbackOrdered",
        at(period_day, 0),
        "inspector:county-team",
        payload,
    )


def clawback_recovered(
    ids: MessageFactory, month: int, clawback_id: str, institution: str, value: Decimal, day: date
) -> Planned:
    """Money an institution returned against an order; back to the pooled fund."""
    payload = {"clawback_id": clawback_id, "institution": institution, "amount": amount(value)}
    return ids.planned(
        month,
        Phase.CLAWBACKS,
        institution,
        "ClawbackRecovered",
        at(day, 10),
        "fund:finance",
        payload,
        decision=recovered(value),
    )


def refund_volunteered(
    books: Books,
    ids: MessageFactory,
    month: int,
    refund_id: str,
    institution: str,
    lines: list[tuple[ClaimRecord, Decimal]],
    day: date,
) -> Planned:
    """A voluntary refund found by the institution's own self-inspection (自查自纠)."""
    for claim, value in lines:
        books.take_back(claim.claim_id, value, undisbursed=False)
    payload = {
        "refund_id": refund_id,
        "institution": institution,
        "case_id": None,
        "violation": "duplicate_charging",
        "lines": [{"claim_id": c.claim_id, "amount": amount(v)} for c, v in lines],
    }
    return ids.planned(
        month,
        Phase.CLAWBACKS,
        institution,
        "RefundVolunteered",
        at(day, 16),
        f"his:{institution}",
        payload,
    )


def total(lines: list[tuple[ClaimRecord, Decimal]]) -> Decimal:
    return sum((v for _, v in lines), ZERO)
