"""Contributions, subsidies, disbursements with the held deposit, deposit releases, policies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.account import PersonAccount
from domain.commands import (
    AllocateBudget,
    GrantSubsidy,
    MakeDisbursement,
    PayContribution,
    ReleaseDeposit,
    RenewEnrollment,
    RevokeStatus,
)
from domain.institution import Institution
from domain.postings import Posting
from domain.reasons import Reason
from domain.subsidy import Subsidy
from tests.domain_builders import LEVEL_3, certify, designate, enroll, on, publish
from tests.memory import InMemoryAggregates

FUND = "fund:430422:resident:pooled"


@pytest.fixture
def ledger() -> InMemoryAggregates:
    """Given the default policies, a level-3 hospital, a resident and an employee."""
    known = InMemoryAggregates()
    for command in (
        publish(),
        publish("employee"),
        designate(),
        enroll(),
        enroll("E-1", "employee"),
    ):
        known.decide(command)
    return known


def contribution(
    person: str = "P-1", amount: str = "250", personal: str = "0", payer: str = "individual"
) -> PayContribution:
    return PayContribution(
        person, "430422", 2019, payer, Decimal(amount), Decimal(personal), on("2019-01-10")
    )


def test_a_resident_contribution_goes_to_the_pooled_fund(ledger: InMemoryAggregates) -> None:
    *_, paid = ledger.decide(contribution())
    assert isinstance(paid, PersonAccount.ContributionPaid)
    assert paid.postings == (
        Posting("external:payer:P-1", Decimal(-250)),
        Posting(FUND, Decimal(250)),
    )
    assert (paid.expected_amount, paid.amount_differs) == (Decimal("250.00"), False)


def test_a_resident_contribution_other_than_the_policy_amount_is_flagged(
    ledger: InMemoryAggregates,
) -> None:
    *_, paid = ledger.decide(contribution(amount="220"))
    assert paid.amount_differs is True


def test_an_employee_contribution_splits_into_fund_and_personal_account(
    ledger: InMemoryAggregates,
) -> None:
    *_, paid = ledger.decide(contribution("E-1", "900", "300", "employer"))
    assert paid.postings == (
        Posting("external:employer:E-1", Decimal(-900)),
        Posting("fund:430422:employee:pooled", Decimal(600)),
        Posting("person:E-1:personal_account", Decimal(300)),
    )


def test_a_resident_has_no_personal_account(ledger: InMemoryAggregates) -> None:
    assert ledger.rejection(contribution(personal="10")) is Reason.PERSONAL_ACCOUNT_NOT_ALLOWED


def test_a_personal_part_above_the_contribution_is_out_of_range(
    ledger: InMemoryAggregates,
) -> None:
    assert ledger.rejection(contribution("E-1", "100", "101")) is Reason.OUT_OF_RANGE


def test_a_subsidy_goes_from_its_government_level_to_the_fund(ledger: InMemoryAggregates) -> None:
    command = GrantSubsidy(
        "SUB-1", "430422", "resident", 2019, "central", Decimal(1000), 10, on("2019-03-31")
    )
    [granted] = ledger.decide(command)
    assert isinstance(granted, Subsidy.Granted)
    assert granted.postings == (
        Posting("external:subsidy:central:430422", Decimal(-1000)),
        Posting(FUND, Decimal(1000)),
    )
    assert ledger.decide(command) == []  # the same subsidy again is a no-op


def test_a_disbursement_holds_ten_percent_as_quality_deposit(ledger: InMemoryAggregates) -> None:
    command = MakeDisbursement(
        LEVEL_3, "430422", "2019-05", "resident", Decimal("1000.05"), on("2019-06-10")
    )
    [made] = ledger.decide(command)
    assert isinstance(made, Institution.DisbursementMade)
    assert (made.deposit, made.paid) == (Decimal("100.01"), Decimal("900.04"))
    assert sum(p.amount for p in made.postings) == 0


def test_a_deposit_release_cannot_exceed_what_is_held(ledger: InMemoryAggregates) -> None:
    ledger.decide(
        MakeDisbursement(LEVEL_3, "430422", "2019-05", "resident", Decimal(1000), on("2019-06-10"))
    )
    over = ReleaseDeposit(LEVEL_3, 2019, Decimal("100.01"), on("2020-03-31"))
    assert ledger.rejection(over) is Reason.EXCEEDS_HELD
    [released] = ledger.decide(ReleaseDeposit(LEVEL_3, 2019, Decimal(100), on("2020-03-31")))
    assert isinstance(released, Institution.DepositReleased)


def test_a_policy_revision_must_come_after_the_newest_version(ledger: InMemoryAggregates) -> None:
    assert ledger.decide(publish(day="2020-01-01", annual_cap=Decimal(350000)))
    assert ledger.rejection(publish(day="2019-12-31")) is Reason.OUT_OF_ORDER
    policy = ledger.policy("430422", "resident")
    assert policy is not None
    terms = policy.in_force_at(on("2019-12-31").occurred_at)
    assert terms is not None
    assert terms.annual_cap == Decimal("300000.00")


def test_a_budget_for_an_unknown_institution_is_an_unknown_reference(
    ledger: InMemoryAggregates,
) -> None:
    command = AllocateBudget("H43042299999", 2019, Decimal(1), on("2019-01-01"))
    assert ledger.rejection(command) is Reason.UNKNOWN_REFERENCE


def test_revoking_a_status_not_in_force_is_not_certified(ledger: InMemoryAggregates) -> None:
    command = RevokeStatus("P-1", "min_income", "x", on("2019-03-01"))
    assert ledger.rejection(command) is Reason.NOT_CERTIFIED
    ledger.decide(certify("min_income"))
    assert ledger.decide(command)
    person = ledger.person("P-1")
    assert person is not None
    assert "min_income" not in person.statuses_on(on("2019-03-01").occurred_at.date())


def test_renewing_an_ended_enrollment_is_not_enrolled(ledger: InMemoryAggregates) -> None:
    from domain.commands import EndEnrollment  # noqa: PLC0415

    ledger.decide(EndEnrollment("P-1", "moved_away", on("2019-07-01")))
    assert ledger.rejection(RenewEnrollment("P-1", 2020, None, on("2019-12-01"))) is (
        Reason.NOT_ENROLLED
    )
