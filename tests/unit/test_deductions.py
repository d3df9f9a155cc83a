"""Deductions not tied to claims: worked examples of docs/events.md, "DeductionImposed".

Given the level-3 hospital disbursed 100 000.00 a month for January to March 2020 (resident
scheme) and 40 000.00 for January (employee scheme), a deduction for a period may take at most
what was disbursed for it, counting every deduction inside it and inside any recorded period
around it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any, get_args

import pytest

from consumers.contract import decode
from domain.commands import Command, ImposeDeduction, MakeDisbursement
from domain.deduction import Period
from domain.handlers import HANDLERS
from domain.handlers.entities import ENTITY_KEYS
from domain.institution import Institution
from domain.postings import Posting
from domain.reasons import Reason, Rejected
from infra.application.inbound import Undecodable
from projections.facts import HOSPITAL_METRICS, facts_of
from projections.queries import FUND_LINES
from tests.domain_builders import LEVEL_2, LEVEL_3, REGION, d, designate, on, publish
from tests.examples import documented
from tests.memory import InMemoryAggregates
from tests.messages import RECORDED_AT, coordinates

RECEIVABLE = f"institution:{LEVEL_3}:receivable"
RESIDENT_FUND = f"fund:{REGION}:resident:pooled"
DOCUMENT = "衡南医保发〔2020〕15号"  # noqa: RUF001 - the real bracket


def disburse(month: str, amount: str, scheme: str = "resident") -> MakeDisbursement:
    return MakeDisbursement(LEVEL_3, REGION, month, scheme, Decimal(amount), on(f"{month}-28"))


@pytest.fixture
def ledger() -> InMemoryAggregates:
    return InMemoryAggregates.given(
        publish(),
        publish("employee"),
        designate(),
        disburse("2020-01", "100000.00"),
        disburse("2020-02", "100000.00"),
        disburse("2020-03", "100000.00"),
        disburse("2020-01", "40000.00", "employee"),
    )


def deduct(amount: str, period: str = "2020-Q1", **changes: Any) -> ImposeDeduction:
    values: dict[str, Any] = {
        "deduction_id": "ZB-2020-Q1-011",
        "region": REGION,
        "institution": LEVEL_3,
        "kind": "indicator",
        "scheme": "resident",
        "period": period,
        "basis": "次均住院费用超标 12%",
        "case_id": "HN-ZB-2020-01",
        "decision_document": DOCUMENT,
        "decision_date": d("2020-04-15"),
        "amount": Decimal(amount),
        "provenance": on("2020-03-31"),
    }
    values.update(changes)
    return ImposeDeduction(**values)


def test_a_deduction_takes_the_amount_from_the_receivable_back_to_the_pooled_fund(
    ledger: InMemoryAggregates,
) -> None:
    [imposed] = ledger.decide(deduct("12345.67"))
    assert isinstance(imposed, Institution.DeductionImposed)
    assert imposed.postings == (
        Posting(RECEIVABLE, Decimal("-12345.67")),
        Posting(RESIDENT_FUND, Decimal("12345.67")),
    )
    assert imposed.paid_for_period == Decimal("300000.00")
    assert (imposed.case_id, imposed.decision_document) == ("HN-ZB-2020-01", DOCUMENT)


def test_a_deduction_of_exactly_what_was_paid_for_the_period_is_accepted(
    ledger: InMemoryAggregates,
) -> None:
    [imposed] = ledger.decide(deduct("300000.00"))
    assert imposed.amount == Decimal("300000.00")


def test_a_deduction_above_the_periods_payments_is_refused(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(deduct("300000.01")) is Reason.EXCEEDS_PAID


def test_the_refusal_names_the_period_and_what_was_paid(ledger: InMemoryAggregates) -> None:
    with pytest.raises(Rejected) as refused:
        ledger.decide(deduct("300000.01"))
    assert refused.value.detail == (
        f"deduction of 300000.01 from {LEVEL_3} for resident 2020-Q1 exceeds what was paid for "
        "2020-Q1 (300000.00 disbursed, 0.00 deducted before)"
    )


def test_deductions_of_one_period_together_stay_within_its_payments(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(deduct("200000.00"))
    second = deduct("100000.01", deduction_id="ZB-2020-Q1-012")
    assert ledger.rejection(second) is Reason.EXCEEDS_PAID
    ledger.decide(deduct("100000.00", deduction_id="ZB-2020-Q1-013"))


def test_a_month_inside_a_deducted_quarter_counts_the_quarters_deduction(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(deduct("250000.00"))
    # March alone was paid 100 000.00, but the quarter around it has only 50 000.00 left.
    march = deduct("60000.00", "2020-03", deduction_id="ZB-2020-03-001")
    assert ledger.rejection(march) is Reason.EXCEEDS_PAID
    ledger.decide(deduct("50000.00", "2020-03", deduction_id="ZB-2020-03-002"))


def test_a_year_counts_the_deductions_of_its_quarters(ledger: InMemoryAggregates) -> None:
    ledger.decide(deduct("250000.00"))
    year = deduct(
        "60000.00",
        "2020",
        kind="budget",
        deduction_id="ZE-2020",
        decision_date=d("2021-01-20"),
        provenance=on("2020-12-31"),
    )
    assert ledger.rejection(year) is Reason.EXCEEDS_PAID
    ledger.decide(replace(year, amount=Decimal("50000.00")))


def test_the_other_schemes_payments_do_not_count(ledger: InMemoryAggregates) -> None:
    employee = deduct("40000.01", scheme="employee")
    assert ledger.rejection(employee) is Reason.EXCEEDS_PAID
    [imposed] = ledger.decide(deduct("40000.00", scheme="employee"))
    assert imposed.postings[1] == Posting(f"fund:{REGION}:employee:pooled", Decimal("40000.00"))


def test_a_period_with_no_payments_allows_no_deduction(ledger: InMemoryAggregates) -> None:
    april = deduct("0.01", "2020-04", provenance=on("2020-04-30"), decision_date=d("2020-05-10"))
    assert ledger.rejection(april) is Reason.EXCEEDS_PAID


def test_a_deduction_for_an_institution_never_designated_is_refused(
    ledger: InMemoryAggregates,
) -> None:
    with pytest.raises(Rejected) as refused:
        ledger.decide(deduct("1.00", institution=LEVEL_2))
    assert refused.value.reason is Reason.UNKNOWN_REFERENCE
    assert str(refused.value.awaits) == f"institution {LEVEL_2}"
    assert not ledger.pending()


def test_the_booking_day_must_lie_in_the_period(ledger: InMemoryAggregates) -> None:
    late = deduct("1.00", provenance=on("2020-04-15"))
    assert ledger.rejection(late) is Reason.DATES_OUT_OF_ORDER


def test_the_decision_cannot_precede_the_booking_day(ledger: InMemoryAggregates) -> None:
    early = deduct("1.00", decision_date=d("2020-03-30"))
    assert ledger.rejection(early) is Reason.DATES_OUT_OF_ORDER


def test_an_identical_resend_is_a_no_op_and_other_content_a_conflict(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(deduct("1000.00"))
    assert ledger.decide(deduct("1000.00")) == []
    assert ledger.rejection(deduct("1000.01")) is Reason.CONFLICTING_DUPLICATE


def test_a_deduction_counts_as_recovered_at_the_hospital_and_in_the_fund_recoveries(
    ledger: InMemoryAggregates,
) -> None:
    [imposed] = ledger.decide(deduct("12345.67"))
    [change] = facts_of(imposed).hospitals
    assert change.key == LEVEL_3
    assert change.amounts[HOSPITAL_METRICS.index("recovered")] == Decimal("12345.67")
    assert sum(change.amounts) == Decimal("12345.67")
    assert FUND_LINES["Institution.DeductionImposed"] == ("income", "recoveries")


@pytest.mark.parametrize(
    ("text", "first", "count"),
    [("2020-03", "2020-03", 1), ("2020-Q2", "2020-04", 3), ("2020", "2020-01", 12)],
)
def test_a_period_is_a_month_a_quarter_or_a_year(text: str, first: str, count: int) -> None:
    period = Period.parse(text)
    assert (min(period.months), len(period.months)) == (first, count)


@pytest.mark.parametrize("text", ["2020-Q5", "2020-13", "2020-1", "20", "2020Q1", "2020-Q1\n"])
def test_other_spellings_of_a_period_are_refused(text: str) -> None:
    with pytest.raises(Rejected) as refused:
        Period.parse(text)
    assert refused.value.reason is Reason.SCHEMA_INVALID


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        # The attempt, a clawback with empty `lines`: not this type's shape either.
        ({"lines": []}, 'payload: {"lines": ["Unknown field."]}'),
        ({"kind": "fine"}, 'payload: {"kind": ["Must be one of: indicator, budget."]}'),
        ({"scheme": "both"}, 'payload: {"scheme": ["Must be one of: employee, resident."]}'),
    ],
)
def test_the_contract_refuses_what_a_deduction_cannot_be(
    changes: dict[str, Any], detail: str
) -> None:
    raw = json.dumps(documented("DeductionImposed", **changes)).encode()
    outcome = decode(raw, coordinates("clawbacks"), "clawbacks", RECORDED_AT)
    assert isinstance(outcome, Undecodable)
    assert (outcome.reason, outcome.detail) == (Reason.SCHEMA_INVALID, detail)


def test_every_command_of_the_contract_has_a_handler_and_entity_keys() -> None:
    """A new message type needs both: the worker decides it, and holds it in entity order."""
    every = set(get_args(Command))
    assert set(HANDLERS) == every
    assert set(ENTITY_KEYS) == every
