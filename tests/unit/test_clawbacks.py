"""Refusals, clawbacks, recoveries and refunds never exceed what was paid for the claims."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.claim import Claim
from domain.clawback import Clawback, Refund
from domain.commands import (
    ClaimAmount,
    OrderClawback,
    RecoverClawback,
    RefuseClaim,
    ReverseClaim,
    VolunteerRefund,
)
from domain.postings import Posting
from domain.reasons import Reason
from tests.domain_builders import LEVEL_2, LEVEL_3, d, designate, enroll, on, publish, settle
from tests.memory import InMemoryAggregates

FUND = "fund:430422:resident:pooled"


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given claim C-1 paid 6325.00 at the level-3 hospital."""
    return InMemoryAggregates.given(
        publish(), designate(), designate(LEVEL_2, "2"), enroll(), settle()
    )


def order(
    amount: str, claim_id: str = "C-1", institution: str = LEVEL_3, **changes: Any
) -> OrderClawback:
    values: dict[str, Any] = {
        "clawback_id": "K-1",
        "region": "430422",
        "institution": institution,
        "case_id": "CASE",
        "decision_document": "DOC",
        "decision_date": d("2020-04-15"),
        "violation": "phantom_bed",
        "detection_source": "flight_inspection",
        "lines": (ClaimAmount(claim_id, Decimal(amount)),),
        "provenance": on("2019-05-03"),
    }
    values.update(changes)
    return OrderClawback(**values)


def test_a_refusal_returns_the_receivable_to_the_pooled_fund(ledger: InMemoryAggregates) -> None:
    [refused] = ledger.decide(
        RefuseClaim(
            "C-1",
            LEVEL_3,
            Decimal(800),
            "CASE",
            "over_standard_charging",
            "smart_review",
            on("2019-05-03"),
        )
    )
    assert isinstance(refused, Claim.Refused)
    assert refused.postings == (
        Posting(f"institution:{LEVEL_3}:receivable", Decimal(-800)),
        Posting(FUND, Decimal(800)),
    )


def test_a_clawback_decided_in_2020_about_2019_claims_keeps_both_dates(
    ledger: InMemoryAggregates,
) -> None:
    events = ledger.decide(order("5525.00"))
    assert [type(e) for e in events] == [Clawback.Ordered, Claim.ClawbackNoted]
    ordered = events[0]
    assert ordered.provenance.occurred_at.year == 2019
    assert ordered.decision_date.year == 2020


def test_a_clawback_above_what_was_paid_is_exceeds_paid(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(order("6325.01")) is Reason.EXCEEDS_PAID


def test_refusals_and_clawbacks_together_never_exceed_what_was_paid(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(
        RefuseClaim(
            "C-1", LEVEL_3, Decimal(6000), "CASE", "other", "smart_review", on("2019-05-03")
        )
    )
    assert ledger.rejection(order("325.01")) is Reason.EXCEEDS_PAID
    assert ledger.decide(order("325.00"))


def test_partial_recoveries_return_to_the_fund_and_stop_at_the_order(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(order("5000.00"))
    [first] = ledger.decide(RecoverClawback("K-1", LEVEL_3, Decimal(3000), on("2020-05-01")))
    assert isinstance(first, Clawback.Recovered)
    assert first.postings == (
        Posting(f"external:institution:{LEVEL_3}", Decimal(-3000)),
        Posting(FUND, Decimal(3000)),
    )
    over = RecoverClawback("K-1", LEVEL_3, Decimal("2000.01"), on("2020-06-01"))
    assert ledger.rejection(over) is Reason.EXCEEDS_ORDERED
    assert ledger.decide(RecoverClawback("K-1", LEVEL_3, Decimal(2000), on("2020-06-01")))


def test_a_recovery_above_what_the_claims_were_paid_is_exceeds_paid(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(order("5000.00"))
    ledger.decide(RecoverClawback("K-1", LEVEL_3, Decimal(1000), on("2020-05-01")))
    above_paid = RecoverClawback("K-1", LEVEL_3, Decimal("5325.01"), on("2020-06-01"))
    assert ledger.rejection(above_paid) is Reason.EXCEEDS_PAID
    above_order = RecoverClawback("K-1", LEVEL_3, Decimal("4000.01"), on("2020-06-01"))
    assert ledger.rejection(above_order) is Reason.EXCEEDS_ORDERED


def test_a_recovery_of_an_unknown_clawback_is_refused(ledger: InMemoryAggregates) -> None:
    command = RecoverClawback("K-9", LEVEL_3, Decimal(1), on("2020-05-01"))
    assert ledger.rejection(command) is Reason.UNKNOWN_CLAWBACK


def test_a_clawback_naming_another_institutions_claim_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(order("10.00", institution=LEVEL_2)) is Reason.CLAIM_NOT_AT_INSTITUTION


def test_a_clawback_naming_an_unknown_claim_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(order("10.00", claim_id="C-404")) is Reason.UNKNOWN_CLAIM


def test_a_decision_before_the_period_it_decides_on_is_dates_out_of_order(
    ledger: InMemoryAggregates,
) -> None:
    command = order("10.00", decision_date=d("2019-05-01"))
    assert ledger.rejection(command) is Reason.DATES_OUT_OF_ORDER


def test_a_voluntary_refund_returns_money_and_counts_against_the_claim(
    ledger: InMemoryAggregates,
) -> None:
    refund = VolunteerRefund(
        "R-1",
        "430422",
        LEVEL_3,
        None,
        "duplicate_charging",
        (ClaimAmount("C-1", Decimal(120)),),
        on("2019-11-30"),
    )
    events = ledger.decide(refund)
    assert [type(e) for e in events] == [Refund.Volunteered, Claim.RefundNoted]
    assert events[0].postings == (
        Posting(f"external:institution:{LEVEL_3}", Decimal(-120)),
        Posting(FUND, Decimal(120)),
    )
    reversal = ReverseClaim("C-1", "P-1", "x", on("2019-12-01"))
    assert ledger.rejection(reversal) is Reason.ALREADY_CORRECTED


def test_a_multi_line_clawback_with_one_bad_line_records_nothing(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(settle("C-2", day="2019-06-01"))
    lines = (ClaimAmount("C-1", Decimal(100)), ClaimAmount("C-2", Decimal(999999)))
    assert ledger.rejection(order("0", lines=lines)) is Reason.EXCEEDS_PAID
    claim = ledger.claim("C-1")
    assert claim is not None
    assert claim.outstanding == Decimal("6325.00")
