"""The planned decision of a settlement, as the outcome check compares and shows it."""

from __future__ import annotations

from decimal import Decimal

from scripts.simulation.decisions import PAID, REFUSED, claim_settled, recovered


def test_a_refused_settlement_pays_nothing_and_leaves_the_whole_cost_to_the_patient() -> None:
    refused = claim_settled(Decimal("346.46"), Decimal("126.63"), Decimal("10.00"), "not_covered")
    assert refused.outcome == REFUSED
    assert refused.reason == "not_covered"
    assert refused.amounts == {
        "fund_share": Decimal("0.00"),
        "personal_account_amount": Decimal("0.00"),
        "patient_share": Decimal("346.46"),
    }


def test_a_paid_settlement_splits_the_cost_and_differs_from_the_same_claim_refused() -> None:
    paid = claim_settled(Decimal("8861.88"), Decimal("4712.71"), Decimal("100.00"), None)
    assert paid.outcome == PAID
    assert paid.amounts["patient_share"] == Decimal("4049.17")
    refused = claim_settled(Decimal("8861.88"), Decimal("4712.71"), Decimal("100.00"), "x")
    assert paid != refused


def test_a_decision_reads_as_its_outcome_reason_and_amounts_in_the_one_money_format() -> None:
    refused = claim_settled(Decimal("1234.50"), Decimal("0"), Decimal("0"), "doctor_suspended")
    assert refused.describe() == (
        "refused (doctor_suspended), fund_share 0.00, patient_share 1,234.50,"
        " personal_account_amount 0.00"
    )
    assert recovered(Decimal("12000")).describe() == "recovered, recovered 12,000.00"
