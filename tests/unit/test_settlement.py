"""Settlement: the worked examples of domain.md, refusals on the service date, reversals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.account import PersonAccount
from domain.claim import Claim
from domain.commands import ReverseClaim
from domain.postings import Posting
from domain.reasons import Reason, Rejected
from tests.domain_builders import (
    LEVEL_3,
    PHARMACY,
    certify,
    designate,
    enroll,
    on,
    publish,
    settle,
)
from tests.memory import InMemoryAggregates


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default resident policy, a level-3 hospital, a pharmacy and an enrolled person."""
    known = InMemoryAggregates()
    for command in (
        publish(),
        designate(),
        designate(PHARMACY, "none", "pharmacy"),
        enroll(),
    ):
        known.decide(command)
    return known


def settled(events: list[object]) -> Claim.Settled:
    [claim_event] = [e for e in events if isinstance(e, Claim.Settled)]
    return claim_event


def test_a_first_level_3_admission_of_12000_pays_6325(ledger: InMemoryAggregates) -> None:
    event = settled(ledger.decide(settle()))
    assert (event.deductible, event.ratio) == (Decimal("500.00"), Decimal("0.55"))
    assert event.fund_share == Decimal("6325.00")
    assert event.outcome == "paid"
    assert event.postings == (
        Posting("fund:430422:resident:pooled", Decimal("-6325.00")),
        Posting(f"institution:{LEVEL_3}:receivable", Decimal("6325.00")),
    )


def test_a_second_admission_the_same_year_uses_the_reduced_deductible(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(settle("C-1"))
    event = settled(ledger.decide(settle("C-2", day="2019-08-01")))
    assert event.deductible == Decimal("400.00")
    assert event.fund_share == Decimal("6380.00")  # (12000 - 400) x 0.55


def test_a_new_year_starts_again_with_the_full_deductible(ledger: InMemoryAggregates) -> None:
    ledger.decide(settle("C-1"))
    event = settled(ledger.decide(settle("C-2", day="2020-02-01")))
    assert event.deductible == Decimal("500.00")


def test_a_min_income_person_gets_the_special_ratio_and_no_deductible(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(certify("min_income"))
    event = settled(ledger.decide(settle()))
    assert (event.deductible, event.ratio, event.fund_share) == (
        Decimal("0.00"),
        Decimal("0.80"),
        Decimal("9600.00"),
    )


def test_a_registered_poor_person_gets_ten_more_points(ledger: InMemoryAggregates) -> None:
    ledger.decide(certify("registered_poor"))
    event = settled(ledger.decide(settle()))
    assert event.ratio == Decimal("0.65")
    assert event.fund_share == Decimal("7475.00")  # (12000 - 500) x 0.65


def test_the_annual_cap_stops_payment_at_exactly_the_cap(ledger: InMemoryAggregates) -> None:
    first = settled(ledger.decide(settle("C-1", "500000.00")))
    second = settled(ledger.decide(settle("C-2", "100000.00", day="2019-06-01")))
    third = settled(ledger.decide(settle("C-3", "5000.00", day="2019-07-01")))
    assert first.fund_share == Decimal("274725.00")  # (500000 - 500) x 0.55
    assert second.fund_share == Decimal("25275.00")  # what is left of 300 000
    assert (second.cap_limited, third.fund_share, third.cap_limited) == (True, Decimal(0), True)
    account = ledger.account("P-1")
    assert account is not None
    assert account.usage_in(2019).fund_paid == Decimal("300000.00")


def test_a_differing_reported_fund_share_is_recorded_and_flagged(
    ledger: InMemoryAggregates,
) -> None:
    event = settled(ledger.decide(settle(reported="6300.00")))
    assert (event.fund_share, event.reported_fund_share) == (
        Decimal("6325.00"),
        Decimal("6300.00"),
    )
    assert event.discrepancy == Decimal("-25.00")


def test_an_agreeing_reported_fund_share_is_not_flagged(ledger: InMemoryAggregates) -> None:
    assert settled(ledger.decide(settle(reported="6325.00"))).discrepancy is None


def test_a_claim_before_enrollment_is_refused_as_not_covered(ledger: InMemoryAggregates) -> None:
    ledger.decide(enroll("P-2", day="2019-06-01"))
    event = settled(ledger.decide(settle(person_id="P-2", day="2019-05-31")))
    assert (event.outcome, event.refusal_reason, event.fund_share) == (
        "refused",
        "not_covered",
        Decimal(0),
    )
    assert event.postings == ()
    assert ledger.account("P-2") is None


def test_outpatient_claims_have_no_deductible_and_the_outpatient_ratio(
    ledger: InMemoryAggregates,
) -> None:
    event = settled(ledger.decide(settle(in_policy="300.00", claim_type="outpatient")))
    assert (event.deductible, event.fund_share, event.admission) == (
        Decimal(0),
        Decimal("150.00"),
        False,
    )


def test_an_employee_may_pay_pharmacy_costs_from_the_personal_account() -> None:
    known = InMemoryAggregates()
    for command in (publish("employee"), designate(PHARMACY, "none", "pharmacy")):
        known.decide(command)
    known.decide(enroll("E-9", "employee"))
    from domain.commands import PayContribution  # noqa: PLC0415 - local to this scenario

    known.decide(
        PayContribution(
            "E-9", "430422", 2019, "employer", Decimal(900), Decimal(300), on("2019-01-05")
        )
    )
    events = known.decide(
        settle(
            person_id="E-9",
            institution=PHARMACY,
            claim_type="pharmacy",
            in_policy="200.00",
            personal_account="100.00",
        )
    )
    event = settled(events)
    assert (event.fund_share, event.personal_account_amount, event.patient_share) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert Posting("person:E-9:personal_account", Decimal("-100.00")) in event.postings
    account = known.account("E-9")
    assert account is not None
    assert account.balance == Decimal("200.00")
    with pytest.raises(Rejected) as refusal:
        known.decide(
            settle(
                "C-2",
                person_id="E-9",
                institution=PHARMACY,
                claim_type="pharmacy",
                in_policy="1000.00",
                personal_account="250.00",
            )
        )
    assert refusal.value.reason is Reason.INSUFFICIENT_BALANCE


def test_a_resident_cannot_draw_on_a_personal_account(ledger: InMemoryAggregates) -> None:
    with pytest.raises(Rejected) as refusal:
        ledger.decide(settle(claim_type="outpatient", in_policy="100.00", personal_account="10.00"))
    assert refusal.value.reason is Reason.PERSONAL_ACCOUNT_NOT_ALLOWED


def test_in_policy_cost_above_total_cost_is_out_of_range(ledger: InMemoryAggregates) -> None:
    with pytest.raises(Rejected) as refusal:
        ledger.decide(settle(in_policy="500.00", total="400.00"))
    assert refusal.value.reason is Reason.OUT_OF_RANGE


def test_a_claim_without_a_policy_in_force_is_rejected(ledger: InMemoryAggregates) -> None:
    ledger.decide(enroll("P-3", day="2018-06-01"))
    with pytest.raises(Rejected) as refusal:
        ledger.decide(settle(person_id="P-3", day="2018-12-31"))
    assert refusal.value.reason is Reason.NO_POLICY_IN_FORCE


def test_the_same_claim_sent_again_identically_records_nothing(ledger: InMemoryAggregates) -> None:
    ledger.decide(settle())
    assert ledger.decide(settle()) == []


def test_the_same_claim_id_with_other_content_is_a_conflicting_duplicate(
    ledger: InMemoryAggregates,
) -> None:
    ledger.decide(settle())
    with pytest.raises(Rejected) as refusal:
        ledger.decide(settle(in_policy="12000.01"))
    assert refusal.value.reason is Reason.CONFLICTING_DUPLICATE


def test_a_reversal_undoes_the_postings_and_the_year_usage_exactly(
    ledger: InMemoryAggregates,
) -> None:
    paid = settled(ledger.decide(settle()))
    events = ledger.decide(ReverseClaim("C-1", "P-1", "wrong card", on("2019-05-04")))
    [reversed_event] = [e for e in events if isinstance(e, Claim.Reversed)]
    assert reversed_event.postings == tuple(Posting(p.account, -p.amount) for p in paid.postings)
    assert [type(e) for e in events] == [Claim.Reversed, PersonAccount.UsageReleased]
    again = settled(ledger.decide(settle("C-2", day="2019-06-01")))
    assert again.deductible == Decimal("500.00")  # the reversed admission no longer counts


def test_reversing_an_unknown_claim_is_rejected_as_unknown_claim(
    ledger: InMemoryAggregates,
) -> None:
    with pytest.raises(Rejected) as refusal:
        ledger.decide(ReverseClaim("nope", "P-1", "x", on("2019-05-04")))
    assert refusal.value.reason is Reason.UNKNOWN_CLAIM


def test_reversing_twice_is_rejected_as_already_reversed(ledger: InMemoryAggregates) -> None:
    ledger.decide(settle())
    ledger.decide(ReverseClaim("C-1", "P-1", "x", on("2019-05-04")))
    with pytest.raises(Rejected) as refusal:
        ledger.decide(ReverseClaim("C-1", "P-1", "x", on("2019-05-05")))
    assert refusal.value.reason is Reason.ALREADY_REVERSED
    assert not ledger.pending()
